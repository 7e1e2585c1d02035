#!/usr/bin/env bash
# Connector benchmark (issue 5): drain COUNT buffered messages (a) with the in-JVM WebSocket client
# of bench/RelayBench.java (acks on receipt) and (b) with the cwm connector (its own process, HTTP
# mode) delivering to a local HTTP sink (bench/RelayBench.java sink). Rates are first to last
# delivery; the ratio (b)/(a) is the figure. Everything on 127.0.0.1. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFER=${BUFFER:-redis}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
COUNT=${COUNT:-30000}
RUNS=${RUNS:-2}
CONCURRENCY=${CONCURRENCY:-100}   # the connector's max_concurrent_requests
PROTOCOL=${PROTOCOL:-websocket}
PORT=${PORT:-19321}
SINK_PORT=${SINK_PORT:-19322}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/connector-$TS.txt
PID=
CPID=
SPID=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
flush_redis() {
  command -v redis-cli >/dev/null || return 0
  redis-cli -u "$REDIS_URL" --scan --pattern 'webhook_connect:*bench*' | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
}
cleanup() { stop "$CPID"; stop "$SPID"; stop "$PID"; flush_redis; }
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.2
  done
  log "port $1 did not open"; exit 1
}

start_receiver() {
  local data; data=$(mktemp -d)
  if [ "$BUFFER" = redis ]; then
    export WEBHOOK_CONNECT_BUFFER=redis WEBHOOK_CONNECT_REDIS_URL=$REDIS_URL
  fi
  java $JAVA_OPTS -jar target/cwm.jar receiver --webhooks bench/relay-webhooks.json --host 127.0.0.1 \
    --port "$PORT" --data-dir "$data" > "$RESULTS/connector-receiver-$TS.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
}

[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
CONF=$RESULTS/connector-$TS.json
cat > "$CONF" <<JSON
{"cloud_url": "http://127.0.0.1:$PORT", "channel": "bench", "token": "bench-channel-token",
 "protocol": "$PROTOCOL", "max_concurrent_requests": $CONCURRENCY,
 "default_target": {"url": "http://127.0.0.1:$SINK_PORT/sink", "timeout_seconds": 10}}
JSON

{
  echo "cwm connector benchmark $TS: buffer $BUFFER, $COUNT messages, connector $PROTOCOL with max_concurrent_requests $CONCURRENCY"
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

for run in $(seq 1 "$RUNS"); do
  flush_redis
  start_receiver
  WS=$(java -cp target/cwm.jar bench/RelayBench.java drain "$PORT" "$COUNT" 2>/dev/null | grep '^drain:')
  stop "$PID"; PID=
  WS_RATE=$(echo "$WS" | sed -E 's/.*first-to-last ([0-9]+) messages\/s.*/\1/')
  flush_redis
  start_receiver
  java -cp target/cwm.jar bench/RelayBench.java fill "$PORT" "$COUNT" 2>/dev/null | grep '^fill:' >&2
  java -cp target/cwm.jar bench/RelayBench.java sink "$SINK_PORT" "$COUNT" > "$RESULTS/connector-sink-$TS.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do grep -q listening "$RESULTS/connector-sink-$TS.log" && break; sleep 0.1; done
  java $JAVA_OPTS -jar target/cwm.jar connector --config "$CONF" > "$RESULTS/connector-connector-$TS.log" 2>&1 &
  CPID=$!
  wait "$SPID" || true; SPID=
  SINK=$(grep '^sink:' "$RESULTS/connector-sink-$TS.log" | tail -1)
  stop "$CPID"; CPID=
  stop "$PID"; PID=
  C_RATE=$(echo "$SINK" | sed -E 's/.*= ([0-9]+) messages\/s.*/\1/')
  RATIO=$(awk -v a="$C_RATE" -v b="$WS_RATE" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "n/a" }')
  {
    echo "run $run (a) in-JVM WebSocket client: $WS"
    echo "run $run (b) cwm connector -> HTTP sink: $SINK"
    echo "run $run ratio (b)/(a): $RATIO"
  } | tee -a "$REPORT"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
