#!/usr/bin/env bash
# CreateJob benchmark: 64 concurrent gRPC clients vs a raw driver insert loop into the same MongoDB stand-in.
# Results and method: docs/benchmarks.md. Arguments are passed to the benchmark, e.g.
#   bench/create-job.sh --seconds=10 --rounds=4 --concurrency=64
# Run it on a quiet machine: it uses every core, and so does any build running next to it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "load before build: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q -pl server -am install -DskipTests
mvn -B -q -f server/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bench-cp.txt

echo "load before run:   $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xms2g -Xmx2g -XX:+UseG1GC \
  -cp "server/target/test-classes:server/target/classes:$(cat /tmp/bench-cp.txt)" \
  dev.flywheel.server.bench.CreateJobBenchmark "$@"
