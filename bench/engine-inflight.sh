#!/usr/bin/env bash
# Job engine benchmark 1 (issue #5): 10,000 jobs in flight on one engine node while NeMo is slow (deployments that
# stay 'created'); reports heap after GC, live threads, idle CPU, MongoDB writes/s and NeMo poll rate. Method and
# results: docs/benchmarks.md ("Job engine (issue #5)").
# Source: actors/src/test/java/dev/flywheel/actors/engine/bench/InFlightBenchmark.java. Arguments go to it, e.g.
#   bench/engine-inflight.sh --jobs=10000 --time-scale=1000 --windows=3 --window-seconds=60
# The measured JVM (the engine) runs with -Xmx1g; the benchmark starts the MongoDB stand-in (--mongo-heap, 6g) and
# the NeMo emulator (--emulator-heap, 2g) as separate JVMs, and the devstack's redis-server. Takes ~10-15 minutes
# and both cores; check `uptime` first (other load skews the CPU numbers; the load is printed per window).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
echo "load before build: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q -pl actors -am install -DskipTests
mvn -B -q -f actors/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-engine-cp.txt

# Snapshot this project's classes and jars: on a shared machine another `mvn install` may replace them mid-run.
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
java -Xmx1g -XX:+UseG1GC ${BENCH_OPTS:-} -cp "$cp_all" dev.flywheel.actors.engine.bench.InFlightBenchmark "$@"
