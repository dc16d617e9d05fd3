#!/usr/bin/env bash
# Job engine benchmark 3 (issue #5): one real three-candidate llm_job on the devstack (MongoDB stand-in, Redis,
# Elasticsearch) and the in-process NeMo emulator at a fixed time scale, against the reference's serial schedule
# computed from the same run's latencies. Method and results: docs/benchmarks.md ("Job engine (issue #5)").
# Source: actors/src/test/java/dev/flywheel/actors/engine/bench/ScheduleBenchmark.java. Arguments go to it, e.g.
#   bench/engine-schedule.sh --time-scale=0.25 --runs=3 --gpus=8 --judge=local
# One run takes ~1.7 minutes at time scale 0.25 (~7 at 1.0). The numbers are latencies, not CPU, but a loaded
# machine still stretches them: check `uptime` first (the load is printed before and after every run).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
echo "load before build: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q -pl actors -am install -DskipTests
mvn -B -q -f actors/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-engine-cp.txt

# Snapshot this project's classes and jars: on a shared machine another `mvn install` may replace them mid-run
# (a NoClassDefFoundError minutes into the run).
snap=$(mktemp -d /tmp/bench-engine.XXXXXX)
trap 'rm -rf "$snap"' EXIT
cp -r actors/target/classes "$snap/classes"
cp -r actors/target/test-classes "$snap/test-classes"
cp_all="$snap/test-classes:$snap/classes"
IFS=: read -ra entries < /tmp/bench-engine-cp.txt || true  # no trailing newline: read answers 1
for e in "${entries[@]}"; do
  case "$e" in */dev/flywheel/*) cp "$e" "$snap/"; e="$snap/$(basename "$e")" ;; esac
  cp_all="$cp_all:$e"
done

echo "load before run:   $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java -Xms1g -Xmx2g -XX:+UseG1GC ${BENCH_OPTS:-} -cp "$cp_all" dev.flywheel.actors.engine.bench.ScheduleBenchmark "$@"
