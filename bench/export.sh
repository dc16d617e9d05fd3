#!/usr/bin/env bash
# Export benchmark: loads 1,000,000 generated ~2.5 KB log records into a devstack Elasticsearch 8.19.21 node, then
# compares a raw point-in-time + search_after scan (pages read as bytes, nothing parsed) with LogExporter delivering
# every record to a byte-counting consumer, in a JVM capped at -Xmx512m, and reports peak heap.
# Source and options: clients/src/test/java/dev/flywheel/clients/logs/bench/ExportBenchmark.java
#   bench/export.sh                          # defaults
#   BENCH_OPTS="-Dbench.docs=200000 -Dbench.sweep=" bench/export.sh
#   BENCH_OPTS="-Dbench.pipeline=my.Stage" bench/export.sh   # also measure a Consumer<byte[]> pipeline
# Takes ~5-8 minutes and both cores; check `uptime` first (other load skews the numbers).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
echo "load before build: $(cut -d' ' -f1-3 /proc/loadavg)"
# Built in the reactor, not installed: the classpath then names this checkout's module jars, so the benchmark runs
# exactly this code, and ~/.m2 (which other builds on the machine share) is left alone.
mvn -B -q -pl clients -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-export-cp.txt

echo "load before run:   $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
exec java -Xms512m -Xmx512m -XX:+UseG1GC ${BENCH_OPTS:-} \
  -cp "clients/target/test-classes:clients/target/classes:$(cat /tmp/bench-export-cp.txt)" \
  dev.flywheel.clients.logs.bench.ExportBenchmark "$@"
