#!/usr/bin/env bash
# Relay throughput with the operator console open vs closed (issue 17), same receiver build, same run.
# "Open" is what an open console asks of the server: the overview's live stream and the channel's
# live tail (STREAMS), each a Server-Sent Events stream read with the admin token (a browser on this
# 2-core machine would also take CPU from the load generator, which a real operator's laptop does not).
#
# METHOD=ab (default): one receiver (bench/relay-webhooks.json, channel "bench") and one full-speed
# relay (bench/RelayBench.java console-ab: 64 concurrent POSTs -> buffer -> WebSocket connector ->
# ack) for the whole run; after WARMUP s, PAIRS pairs of WINDOW-second windows with the streams
# closed and open in turn (the order swapped from pair to pair). The figure is the median of the
# per-pair ratios: neighbouring windows share the machine's state, which on this box moves a
# single run's rate by +-15 % from one minute to the next.
#
# METHOD=rounds: a fresh receiver per run, RELAY_SECONDS after WARMUP, once closed and once open per
# round (rounds alternate the order). "Off" rounds run the same build with CWM_CONSOLE=false (no
# routes, no message trail): closed / off is what the always-on trail costs. BASE_JAR=older/cwm.jar
# adds rounds of that build. The report gives each figure, the medians' ratios, the median of the
# per-round ratios, and per run the CPU time the receiver, redis-server and the readers (curl) used
# per relayed webhook in the measured phase.
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
METHOD=${METHOD:-ab}              # ab: one receiver, windows closed/open in turn; rounds: a receiver per run
PAIRS=${PAIRS:-20}                # ab: pairs of windows
WINDOW=${WINDOW:-10}              # ab: seconds per window (the first is not counted)
PORT=${PORT:-19331}
TOKEN=bench-console-admin-token
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/console-$TS.txt
PID=
VIEWERS=()
CLK_TCK=$(getconf CLK_TCK)
REDIS_PIDS=$([ "$BUFFER" = redis ] && pgrep -x redis-server | tr '\n' ' ' || true)

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

# the paths of the console's streams that STREAMS names, as the page opens them
STREAM_PATHS=()
for name in $STREAMS; do
  case "$name" in
    overview) STREAM_PATHS+=(/console/api/overview/stream) ;;
    tail) STREAM_PATHS+=(/console/api/channels/bench/tail) ;;
    *) log "unknown stream $name (overview|tail)"; exit 1 ;;
  esac
done

open_console() {  # the streams of STREAM_PATHS, each read by curl with the token
  local path
  for path in "${STREAM_PATHS[@]}"; do
    curl -s -N -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" \
      > "$RESULTS/console-stream-$TS-$(basename "$path").txt" &
    VIEWERS+=($!)
  done
  sleep 1
  curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/console/api/session" \
    || { log "the console API did not answer"; exit 1; }
}

# cpu_ms PID...: the CPU time (user + system, ms) the processes have used so far (0 for one gone)
cpu_ms() {
  local total=0 pid ticks
  for pid in "$@"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo $((total * 1000 / CLK_TCK))
}

# measure LABEL JAR CONSOLE(open|closed|off): prints "RATE RECEIVER REDIS VIEWERS": the relay rate
# (webhooks/s) and the CPU the receiver, redis-server and the console's readers used per webhook
# during the measured phase (µs; between RelayBench's warm-up line and its exit, the drain included)
measure() {
  flush_buffers
  if [ "$3" = off ]; then start_receiver "$2" false; else start_receiver "$2" true; fi
  if [ "$3" = open ]; then open_console; fi
  local out line bench delivered r0 d0 v0 r1 d1 v1
  out=$(mktemp)
  WARMUP_SECONDS=$WARMUP java -cp "$JAR" bench/RelayBench.java relay "$PORT" "$RELAY_SECONDS" 0 > "$out" 2>/dev/null &
  bench=$!
  until grep -q '^relay:' "$out" || ! kill -0 "$bench" 2>/dev/null; do sleep 0.05; done
  r0=$(cpu_ms "$PID"); d0=$(cpu_ms $REDIS_PIDS); v0=$(cpu_ms "${VIEWERS[@]}")
  wait "$bench" || true
  r1=$(cpu_ms "$PID"); d1=$(cpu_ms $REDIS_PIDS); v1=$(cpu_ms "${VIEWERS[@]}")
  line=$(grep '^relay:' "$out" | tail -1); rm -f "$out"
  close_console
  stop "$PID"; PID=
  delivered=$(echo "$line" | sed -E 's/.* ([0-9]+) delivered and acked.*/\1/')
  local cpu
  cpu=$(awk -v n="$delivered" -v r=$((r1 - r0)) -v d=$((d1 - d0)) -v v=$((v1 - v0)) \
    'BEGIN {if (n < 1) n = 1; printf "%.1f %.1f %.1f", 1000 * r / n, 1000 * d / n, 1000 * v / n}')
  echo "$1: $line; CPU µs per webhook: receiver, redis, readers = $cpu" >> "$REPORT"
  log "$1: $line; CPU µs/webhook $cpu"
  echo "$(echo "$line" | sed -E 's/.* ([0-9]+) webhooks\/s.*/\1/') $cpu"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

[ -f "$JAR" ] || mvn -q -B package -DskipTests
{
  if [ "$METHOD" = ab ]; then
    echo "cwm console benchmark $TS (buffer $BUFFER, method ab: $PAIRS pairs x 2 x $WINDOW s after $WARMUP s warm-up)"
  else
    echo "cwm console benchmark $TS (buffer $BUFFER, method rounds: $ROUNDS rounds x $RELAY_SECONDS s after $WARMUP s warm-up)"
  fi
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

if [ "$METHOD" = ab ]; then  # one receiver; windows with the console closed and open in turn
  flush_buffers
  start_receiver "$JAR" true
  echo "one receiver; console closed / open in turn: ${STREAM_PATHS[*]}" | tee -a "$REPORT"
  WARMUP_SECONDS=$WARMUP java -cp "$JAR" bench/RelayBench.java console-ab "$PORT" "$PAIRS" "$WINDOW" "$TOKEN" \
    "$(IFS=,; echo "${STREAM_PATHS[*]}")" 2>/dev/null | tee -a "$REPORT"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
  exit 0
fi

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

col() { local n=$1; shift; printf '%s\n' "$@" | awk -v n="$n" '{print $n}'; }  # col N ENTRY...: field N of each
# summary NAME ENTRY...: the rates and the medians of rate and CPU per webhook of one kind of round
summary() {
  local name=$1; shift
  printf '%-16s webhooks/s %s (median %s); CPU µs/webhook median: receiver %s, redis %s, readers %s\n' "$name" \
    "$(col 1 "$@" | tr '\n' ' ')" "$(col 1 "$@" | median)" "$(col 2 "$@" | median)" "$(col 3 "$@" | median)" \
    "$(col 4 "$@" | median)"
}
# ratio A B ENTRIES_A... -- ENTRIES_B...: 100 * median(A) / median(B) of the rates, and the median of
# the per-round ratios (each round's two runs are neighbours in time, so drift mostly cancels)
ratio() {
  local label=$1; shift
  local a=() b=() seen=0 x
  for x in "$@"; do if [ "$x" = -- ]; then seen=1; elif [ $seen = 0 ]; then a+=("$x"); else b+=("$x"); fi; done
  local ma mb per
  ma=$(col 1 "${a[@]}" | median); mb=$(col 1 "${b[@]}" | median)
  per=$(paste <(col 1 "${a[@]}") <(col 1 "${b[@]}") | awk '{print 100 * $1 / $2}' | median)
  awk -v l="$label" -v a="$ma" -v b="$mb" -v p="$per" \
    'BEGIN {printf "%s: %.1f %% of the medians, %.1f %% median of the rounds (loss %.1f %% / %.1f %%)\n", l, 100 * a / b, p, 100 - 100 * a / b, 100 - p}'
}
{
  summary "console closed" "${CLOSED[@]}"
  summary "console open" "${OPEN[@]}"
  ratio "open / closed" "${OPEN[@]}" -- "${CLOSED[@]}"
  awk -v o="$(col 2 "${OPEN[@]}" | median)" -v c="$(col 2 "${CLOSED[@]}" | median)" \
    'BEGIN {printf "receiver CPU per webhook, open / closed: %.1f %%\n", 100 * o / c}'
  if [ "$OFF_ROUNDS" != 0 ]; then
    summary "console off" "${OFF[@]}"
    ratio "closed (trail on) / off" "${CLOSED[@]}" -- "${OFF[@]}"
  fi
  if [ -n "$BASE_JAR" ]; then
    summary "base build" "${BASE[@]}"
    ratio "this build closed / base build" "${CLOSED[@]}" -- "${BASE[@]}"
  fi
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$REPORT"
