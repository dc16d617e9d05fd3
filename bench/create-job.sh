#!/usr/bin/env bash
# CreateJob benchmark: 64 concurrent gRPC clients vs a raw driver insert loop into the same MongoDB stand-in,
# all in one JVM. Method and results: docs/benchmarks.md. Arguments go to the benchmark, e.g.
#   bench/create-job.sh --seconds=10 --rounds=4 --concurrency=64
# The garbage collector comes from BENCH_GC, named as in its JVM flag: G1 (default), ZGC, Parallel, Serial, Shenandoah;
# e.g. BENCH_GC=ZGC bench/create-job.sh runs with -XX:+UseZGC.
# It uses both cores for 5-10 minutes (most of it JIT warm-up). Rounds during which other processes use the
# machine are marked * and repeated, but a quiet machine gives the answer sooner: check `uptime` first.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
echo "load before build: $(cut -d' ' -f1-3 /proc/loadavg)"
# Built in the reactor, not installed: the classpath then names this checkout's module jars, so the benchmark runs
# exactly this code, and ~/.m2 (which other builds on the machine share) is left alone.
mvn -B -q -pl server -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-cp.txt

gc="${BENCH_GC:-G1}"
case "$gc" in
  *GC) gc_flag="-XX:+Use${gc}" ;;   # ZGC -> -XX:+UseZGC
  *) gc_flag="-XX:+Use${gc}GC" ;;   # G1 -> -XX:+UseG1GC
esac
echo "load before run:   $(cut -d' ' -f1-3 /proc/loadavg); GC: $gc_flag"
# A fixed 3 GB heap: the stand-in keeps every inserted document (and an oplog copy) on it, ~19 KB per insert.
exec java -Xms3g -Xmx3g "$gc_flag" \
  -cp "server/target/test-classes:server/target/classes:$(cat /tmp/bench-cp.txt)" \
  dev.flywheel.server.bench.CreateJobBenchmark "$@"
