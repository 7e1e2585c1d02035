#!/usr/bin/env bash
# Output-module benchmark (issue 6): deliveries/s of each module through its verticle against its
# local service (1 KB JSON payload), and of a 3-module parallel chain (postgresql + kafka + s3),
# with the top three CPU frames of each case from JFR. Runs io.cwm.bench.ModuleBench on the test
# classpath: Kafka is the test suite's in-process KRaft broker, S3 the test suite's S3Mock child
# process; Redis, RabbitMQ and PostgreSQL are the machine's. See bench/README.md.
#   SECONDS_PER_CASE=10 WARMUP=5 OUTSTANDING=64 CASES=kafka,s3 bench/modules.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
CP_FILE=target/bench-classpath.txt

mvn -q -B test-compile
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="target/test-classes:target/classes:$(cat "$CP_FILE")"
{
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xms1g -Xmx2g -Dcwm.s3mock.jar=target/s3mock/s3mock-exec.jar -Dlogback.configurationFile=bench/logback-quiet.xml \
    -cp "$CP" io.cwm.bench.ModuleBench "${SECONDS_PER_CASE:-10}" "${WARMUP:-5}" "${OUTSTANDING:-64}" ${CASES:-}
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2> "$RESULTS/modules-$TS.log" | tee "$RESULTS/modules-$TS.txt"
