#!/usr/bin/env bash
# Relay throughput with the operator console open vs closed (issue 17), same receiver build, same run.
# Each round starts a fresh receiver (bench/relay-webhooks.json, channel "bench") and measures the
# full-speed relay (bench/RelayBench.java relay: POST -> buffer -> WebSocket connector -> ack) for
# RELAY_SECONDS after WARMUP, once with the console closed and once open. "Open" is what an open
# console asks of the server: the overview's live stream and the channel's live tail, each a
# Server-Sent Events stream read by curl with the admin token, for the whole round (a browser on
# this 2-core machine would also take CPU from the load generator, which a real operator's laptop
# does not). Rounds alternate the order (closed, open, base; then base, open, closed) to cancel drift.
# "Off" rounds run the same build with CWM_CONSOLE=false (no routes, no message trail): closed / off
# is what the always-on trail costs. BASE_JAR=path/to/older/cwm.jar adds rounds of that build.
# The report gives each figure and the medians' ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFER=${BUFFER:-redis}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
ROUNDS=${ROUNDS:-3}
RELAY_SECONDS=${RELAY_SECONDS:-20}
WARMUP=${WARMUP:-10}
JAR=${JAR:-target/cwm.jar}
BASE_JAR=${BASE_JAR:-}
OFF_ROUNDS=${OFF_ROUNDS:-1}       # 0: skip the CWM_CONSOLE=false rounds
STREAMS=${STREAMS:-overview tail} # which of the console's streams "open" reads
PORT=${PORT:-19331}
TOKEN=bench-console-admin-token
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/console-$TS.txt
PID=
VIEWERS=()

# shellcheck source=bench/lib.sh
. bench/lib.sh
flush_buffers() {
  flush_redis 'webhook_connect:*bench*'
  rabbitmq_queues delete '^webhook_connect\.(j\.state\.)?bench($|\.)'
}
close_console() { for viewer in "${VIEWERS[@]}"; do stop "$viewer"; done; VIEWERS=(); }
cleanup() { close_console; stop "$PID"; flush_buffers; }
trap cleanup EXIT

start_receiver() {  # start_receiver JAR CONSOLE(true|false)
  local data; data=$(mktemp -d)
  buffer_env "$BUFFER"
  env "${BUFFER_ENV[@]}" WEBHOOK_CONNECT_ADMIN_TOKEN=$TOKEN CWM_CONSOLE="$2" java $JAVA_OPTS -jar "$1" receiver \
    --webhooks bench/relay-webhooks.json --host 127.0.0.1 --port "$PORT" --data-dir "$data" \
    > "$RESULTS/console-receiver-$TS.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
}

open_console() {  # the overview stream and the channel tail, as the page opens them (STREAMS picks)
  local path name
  for name in $STREAMS; do
    case "$name" in
      overview) path=/console/api/overview/stream ;;
      tail) path=/console/api/channels/bench/tail ;;
      *) log "unknown stream $name (overview|tail)"; exit 1 ;;
    esac
    curl -s -N -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" \
      > "$RESULTS/console-stream-$TS-$(basename "$path").txt" &
    VIEWERS+=($!)
  done
  sleep 1
  curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/console/api/session" \
    || { log "the console API did not answer"; exit 1; }
}

measure() {  # measure LABEL JAR CONSOLE(open|closed|off): prints the relay rate
  flush_buffers
  if [ "$3" = off ]; then start_receiver "$2" false; else start_receiver "$2" true; fi
  if [ "$3" = open ]; then open_console; fi
  local line
  line=$(WARMUP_SECONDS=$WARMUP java -cp "$JAR" bench/RelayBench.java relay "$PORT" "$RELAY_SECONDS" 0 2>/dev/null \
    | grep '^relay:' | tail -1)
  close_console
  stop "$PID"; PID=
  echo "$1: $line" >> "$REPORT"
  log "$1: $line"
  echo "$line" | sed -E 's/.* ([0-9]+) webhooks\/s.*/\1/'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

[ -f "$JAR" ] || mvn -q -B package -DskipTests
{
  echo "cwm console benchmark $TS (buffer $BUFFER, $ROUNDS rounds x $RELAY_SECONDS s after $WARMUP s warm-up)"
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

CLOSED=(); OPEN=(); OFF=(); BASE=()
base() { [ -z "$BASE_JAR" ] || BASE+=("$(measure "round $1 base build" "$BASE_JAR" closed)"); }
off() { [ "$OFF_ROUNDS" = 0 ] || OFF+=("$(measure "round $1 off (CWM_CONSOLE=false)" "$JAR" off)"); }
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then   # closed, open, off, base
    CLOSED+=("$(measure "round $round closed" "$JAR" closed)")
    OPEN+=("$(measure "round $round open" "$JAR" open)")
    off "$round"
    base "$round"
  else                              # base, off, open, closed
    base "$round"
    off "$round"
    OPEN+=("$(measure "round $round open" "$JAR" open)")
    CLOSED+=("$(measure "round $round closed" "$JAR" closed)")
  fi
done

CLOSED_MEDIAN=$(printf '%s\n' "${CLOSED[@]}" | median)
OPEN_MEDIAN=$(printf '%s\n' "${OPEN[@]}" | median)
{
  echo "relay webhooks/s, console closed: ${CLOSED[*]} (median $CLOSED_MEDIAN)"
  echo "relay webhooks/s, console open:   ${OPEN[*]} (median $OPEN_MEDIAN)"
  awk -v o="$OPEN_MEDIAN" -v c="$CLOSED_MEDIAN" 'BEGIN {printf "open / closed: %.1f %% (loss %.1f %%)\n", 100 * o / c, 100 - 100 * o / c}'
  if [ "$OFF_ROUNDS" != 0 ]; then
    OFF_MEDIAN=$(printf '%s\n' "${OFF[@]}" | median)
    echo "relay webhooks/s, console off:    ${OFF[*]} (median $OFF_MEDIAN)"
    awk -v c="$CLOSED_MEDIAN" -v f="$OFF_MEDIAN" 'BEGIN {printf "closed (trail on) / off: %.1f %%\n", 100 * c / f}'
  fi
  if [ -n "$BASE_JAR" ]; then
    BASE_MEDIAN=$(printf '%s\n' "${BASE[@]}" | median)
    echo "relay webhooks/s, base build:     ${BASE[*]} (median $BASE_MEDIAN)"
    awk -v c="$CLOSED_MEDIAN" -v b="$BASE_MEDIAN" 'BEGIN {printf "this build closed / base build: %.1f %%\n", 100 * c / b}'
  fi
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$REPORT"
