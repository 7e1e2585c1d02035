#!/usr/bin/env bash
# Ordered vs unordered relay (issue 16, ordering per key), one receiver per backend, both channels
# measured in the same run (bench/ordering-webhooks.json: bench_ordered with "ordering": {"key":
# "/key"} and bench_unordered, both max_in_flight 100). Per backend:
#  drain: COUNT messages over KEYS keys buffered on each channel, then one WebSocket connector
#         drains it (first-to-last rate);
#  relay: POST (64 at a time, each key's messages in order) and deliver at once for RELAY_SECONDS
#         after a WARMUP phase.
# The report gives each rate and the ratio ordered / unordered. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFERS=${BUFFERS:-${BUFFER:-redis}}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
KEYS=${KEYS:-100}
COUNT=${COUNT:-50000}
RELAY_SECONDS=${RELAY_SECONDS:-30}
WARMUP=${WARMUP:-10}
PHASES=${PHASES:-drain relay}
JAR=${JAR:-target/cwm.jar}
PORT=${PORT:-19321}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/ordering-$TS.txt
PID=

# shellcheck source=bench/lib.sh
. bench/lib.sh
flush_buffers() {
  flush_redis 'webhook_connect:*bench_*ordered*'
  rabbitmq_queues delete '^webhook_connect\.(j\.state\.)?bench_(un)?ordered($|\.)'
}
cleanup() { stop "$PID"; flush_buffers; }
trap cleanup EXIT

start_receiver() {  # start_receiver BUFFER
  local data; data=$(mktemp -d)
  buffer_env "$1"
  env "${BUFFER_ENV[@]}" java $JAVA_OPTS -jar "$JAR" receiver --webhooks bench/ordering-webhooks.json --host 127.0.0.1 \
    --port "$PORT" --data-dir "$data" > "$RESULTS/ordering-receiver-$TS.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
}

[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
{
  echo "cwm ordering benchmark $TS (buffers: $BUFFERS, $KEYS keys); host: $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

for B in $BUFFERS; do
  for PHASE in $PHASES; do
    flush_buffers
    start_receiver "$B"
    if [ "$PHASE" = drain ]; then
      OUT=$(java -cp target/cwm.jar bench/OrderingBench.java drain "$PORT" "$COUNT" "$KEYS" 2>/dev/null | tail -5)
    else
      OUT=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/OrderingBench.java relay "$PORT" "$RELAY_SECONDS" "$KEYS" 2>/dev/null | tail -5)
    fi
    echo "$OUT" | sed "s/^/[$B] /" | tee -a "$REPORT"
    stop "$PID"; PID=
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
