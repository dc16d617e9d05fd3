#!/usr/bin/env bash
# CreateJob benchmark: 64 concurrent gRPC clients vs a raw driver insert loop into the same MongoDB stand-in,
# all in one JVM. Method and results: docs/benchmarks.md. Arguments go to the benchmark, e.g.
#   bench/create-job.sh --seconds=10 --rounds=4 --concurrency=64
# The garbage collector comes from BENCH_GC, named as in its JVM flag: G1 (default), ZGC, Parallel, Serial, Shenandoah;
# e.g. BENCH_GC=ZGC bench/create-job.sh runs with -XX:+UseZGC.
# BENCH_MONGO=separate runs the MongoDB stand-in in a JVM of its own (G1, 12 GB heap, 10 ms pause goal), as a real
# deployment has its database in another process; by default it shares the benchmark's heap (and GC pauses).
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
cp="server/target/test-classes:server/target/classes:$(cat /tmp/bench-cp.txt)"
mongo_args=()
if [[ "${BENCH_MONGO:-}" == separate ]]; then
  # The stand-in keeps every inserted document (and an oplog copy) on its heap, ~19 KB per insert: hence 12 GB and a
  # short pause goal. It serves until its stdin closes, i.e. until this script ends.
  exec 3> >(exec java -Xms12g -Xmx12g -XX:+UseG1GC -XX:MaxGCPauseMillis=10 -cp "$cp" \
    dev.flywheel.server.bench.CreateJobBenchmark --serve-mongo=120 > /tmp/bench-mongo.out 2>&1)
  for _ in $(seq 1 60); do grep -q "mongodb://" /tmp/bench-mongo.out 2>/dev/null && break; sleep 1; done
  mongo_uri=$(grep -o "mongodb://[^ ]*" /tmp/bench-mongo.out | head -1)
  mongo_pid=$(pgrep -f -n -- "--serve-mongo=120")
  echo "MongoDB stand-in in its own JVM (pid $mongo_pid): $mongo_uri"
  mongo_args=(--mongo-uri="$mongo_uri" --mongo-pid="$mongo_pid")
fi
# A fixed 3 GB heap: with the default in-JVM stand-in, every inserted document (and an oplog copy) is on it.
java -Xms3g -Xmx3g "$gc_flag" -cp "$cp" dev.flywheel.server.bench.CreateJobBenchmark "${mongo_args[@]}" "$@"
