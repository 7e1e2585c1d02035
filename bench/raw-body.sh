#!/usr/bin/env bash
# Raw-body benchmark (issue 16, point 1): relay throughput with raw-body envelopes (webhook_connect
# "raw_body": true, the default: the exact request bytes travel base64 in the envelope and the frame)
# vs today's JSON envelopes ("raw_body": false), measured in the same run, as a ratio.
# Per backend and round: a fresh receiver with each setting in turn, `RelayBench relay` at full speed
# (POST -> buffer -> WebSocket connector -> ack) for RELAY_SECONDS after a WARMUP in the same JVM.
# Rounds alternate the order (json, raw | raw, json) so a drifting machine favours neither.
#   bench/raw-body.sh                                   # redis, 1 round, 10 s warm-up + 30 s each
#   BUFFERS="embedded redis rabbitmq" ROUNDS=2 bench/raw-body.sh
#   WARMUP=3 RELAY_SECONDS=5 BUFFERS=embedded bench/raw-body.sh   # smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFERS=${BUFFERS:-${BUFFER:-redis}}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
WARMUP=${WARMUP:-10}
RELAY_SECONDS=${RELAY_SECONDS:-30}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-19321}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/raw-body-$TS.txt
RAW_WEBHOOKS=bench/relay-webhooks.json          # raw_body absent: true
JSON_WEBHOOKS=$RESULTS/raw-body-off-$TS.json    # the same with "raw_body": false
PID=

# shellcheck source=bench/lib.sh
. bench/lib.sh
flush_buffers() {
  flush_redis 'webhook_connect:*bench*'
  rabbitmq_queues delete '^webhook_connect\.(j\.state\.)?bench($|\.)'
}
cleanup() { stop "$PID"; flush_buffers; }
trap cleanup EXIT

start_receiver() {  # start_receiver BUFFER WEBHOOKS_FILE
  local data; data=$(mktemp -d)
  buffer_env "$1"
  env "${BUFFER_ENV[@]}" java $JAVA_OPTS -jar target/cwm.jar receiver --webhooks "$2" --host 127.0.0.1 --port "$PORT" \
    --data-dir "$data" > "$RESULTS/raw-body-receiver-$TS.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
}

relay_rate() {  # relay_rate BUFFER WEBHOOKS_FILE -> "rate|line"
  flush_buffers
  start_receiver "$1" "$2"
  local line
  line=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$PORT" "$RELAY_SECONDS" 0 2>/dev/null \
    | grep '^relay:' | tail -1)
  stop "$PID"; PID=
  echo "$(echo "$line" | sed -E 's/.*, ([0-9]+) webhooks\/s.*/\1/')|$line"
}

[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
sed -E 's/"max_in_flight": 1000/"max_in_flight": 1000,\n      "raw_body": false/' "$RAW_WEBHOOKS" > "$JSON_WEBHOOKS"
grep -q '"raw_body": false' "$JSON_WEBHOOKS" || { log "could not derive $JSON_WEBHOOKS"; exit 1; }

{
  echo "cwm raw-body relay benchmark $TS (buffers: $BUFFERS, rounds: $ROUNDS, ${RELAY_SECONDS}s each after ${WARMUP}s warm-up)"
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

for B in $BUFFERS; do
  RAW_SUM=0; JSON_SUM=0
  for ROUND in $(seq 1 "$ROUNDS"); do
    if [ $((ROUND % 2)) = 1 ]; then ORDER="json raw"; else ORDER="raw json"; fi
    for MODE in $ORDER; do
      if [ "$MODE" = raw ]; then FILE=$RAW_WEBHOOKS; else FILE=$JSON_WEBHOOKS; fi
      RESULT=$(relay_rate "$B" "$FILE")
      RATE=${RESULT%%|*}
      echo "[$B] round $ROUND, $MODE envelopes (raw_body $([ "$MODE" = raw ] && echo true || echo false)): ${RESULT#*|}" \
        | tee -a "$REPORT"
      if [ "$MODE" = raw ]; then RAW_SUM=$((RAW_SUM + RATE)); else JSON_SUM=$((JSON_SUM + RATE)); fi
    done
  done
  awk -v r="$RAW_SUM" -v j="$JSON_SUM" -v n="$ROUNDS" -v b="$B" 'BEGIN {
    printf "[%s] raw-body / JSON envelopes: %.0f / %.0f webhooks/s = %.1f %%\n", b, r / n, j / n, (j > 0 ? 100 * r / j : 0) }' \
    | tee -a "$REPORT"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
