#!/usr/bin/env bash
# WatchJob fan-out benchmark: 2,000 gRPC watchers over 100 jobs while changes are committed; prints the
# commit-to-delivery latency percentiles. Method and results: docs/benchmarks.md. Arguments go to the benchmark:
#   bench/watch.sh --watchers=2000 --jobs=100 --rate=100 --warmup=15 --seconds=30
set -euo pipefail
cd "$(dirname "$0")/.."

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ local changes)')"
mvn -B -q -pl server -am install -DskipTests
mvn -B -q -f server/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-cp.txt
echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xms1g -Xmx1g -XX:+UseG1GC \
  -cp "server/target/test-classes:server/target/classes:$(cat /tmp/bench-cp.txt)" \
  dev.flywheel.server.bench.WatchBenchmark "$@"
