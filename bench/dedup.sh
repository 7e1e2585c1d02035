#!/usr/bin/env bash
# Idempotency benchmark (issue 16): ingest req/s of a webhook_connect webhook with "dedup" (GitHub
# preset, a new X-GitHub-Delivery on every request: every publish checks and writes a record) next
# to the same webhook without dedup, on the same receiver, in the same run: off and on alternate
# RUNS times (which one goes first alternates too), the report gives the medians and on/off. Per backend in BUFFERS (redis|rabbitmq|embedded).
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFERS=${BUFFERS:-${BUFFER:-redis}}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
WARMUP=${WARMUP:-30}        # per backend, both webhooks in turn: the JIT compiles for 20-30 s on 2 cores
DURATION=${DURATION:-10}    # one measured wrk run
RUNS=${RUNS:-3}             # measured runs per webhook (off, on, off, on, ...)
CONNECTIONS=${CONNECTIONS:-50}
JAR=${JAR:-target/cwm.jar}
WEBHOOKS=bench/dedup-webhooks.json
PORT=${PORT:-19347}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/dedup-$TS.txt
PID=

# shellcheck source=bench/lib.sh
. bench/lib.sh
DEDUP_QUEUES='^webhook_connect\.(j\.(state|counts|dedup)\.)?bench[0-9]?($|\.)'
flush_between_runs() {  # keeps the queues from growing over the run (embedded: nothing to do from outside)
  case "$1" in redis) flush_redis 'webhook_connect:*bench*' ;; rabbitmq) rabbitmq_queues purge "$DEDUP_QUEUES" ;; esac
}
cleanup() { stop "$PID"; flush_redis 'webhook_connect:*bench*'; rabbitmq_queues delete "$DEDUP_QUEUES"; }
trap cleanup EXIT

start_receiver() {  # start_receiver BUFFER
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
    log "port $PORT is in use by another process: set PORT"; exit 1
  fi
  local data; data=$(mktemp -d)
  buffer_env "$1"
  env "${BUFFER_ENV[@]}" java $JAVA_OPTS -jar "$JAR" receiver --webhooks "$WEBHOOKS" --host 127.0.0.1 --port "$PORT" \
    --data-dir "$data" > "$RESULTS/dedup-receiver-$1-$TS.log" 2>&1 &
  PID=$!
  wait_port "$PORT"
}

command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f "$JAR" ] || mvn -q -B package -DskipTests

# 1 KB body; a new X-GitHub-Delivery per request (thread number, run name and a counter), the same
# request for both webhooks (the plain one ignores the header)
BODY='{"sent_ns":1,"event":"push","pad":"'$(printf 'x%.0s' $(seq 1 980))'"}'
LUA=$RESULTS/dedup-$TS.lua
cat > "$LUA" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$BODY]]
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  prefix = (args[1] or "run") .. "-" .. tostring(tid) .. "-"
  counter = 0
end
function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Delivery"] = prefix .. counter
  return wrk.format()
end
LUA

wrk_run() {  # wrk_run SECONDS WEBHOOK RUN-NAME -> "req/s p99 non-2xx"
  wrk -t2 -c"$CONNECTIONS" -d"${1}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/webhook/$2" -- "$3" \
    | awk '/Requests\/sec/ {r=$2} /99%/ {p=$2} /Non-2xx/ {e=$NF} END {print r, p, (e == "" ? 0 : e)}'
}
median() { tr ' ' '\n' | sort -n | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'; }

{
  echo "cwm dedup benchmark $TS (buffers: $BUFFERS; $RUNS x ${DURATION}s per webhook after ${WARMUP}s warm-up)"
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

for B in $BUFFERS; do
  flush_redis 'webhook_connect:*bench*'; rabbitmq_queues delete "$DEDUP_QUEUES"
  start_receiver "$B"
  wrk_run $((WARMUP / 2)) bench_plain "warm-$TS-off" >/dev/null
  wrk_run $((WARMUP / 2)) bench_dedup "warm-$TS-on" >/dev/null
  OFF=(); ON=(); ERRORS=0; DETAIL=""
  for RUN in $(seq 1 "$RUNS"); do
    ORDER="bench_plain bench_dedup"
    [ $((RUN % 2)) = 0 ] && ORDER="bench_dedup bench_plain"  # alternate which goes first
    for HOOK in $ORDER; do
      flush_between_runs "$B"
      read -r RPS P99 NON2XX < <(wrk_run "$DURATION" "$HOOK" "$TS-$RUN-$HOOK")
      ERRORS=$((ERRORS + NON2XX))
      if [ "$HOOK" = bench_plain ]; then OFF+=("$RPS"); else ON+=("$RPS"); fi
      DETAIL="$DETAIL ${HOOK#bench_}=$RPS($P99)"
    done
  done
  stop "$PID"; PID=
  OFF_MEDIAN=$(echo "${OFF[*]}" | median)
  ON_MEDIAN=$(echo "${ON[*]}" | median)
  RATIO=$(awk -v on="$ON_MEDIAN" -v off="$OFF_MEDIAN" 'BEGIN { if (off > 0) printf "%.1f %%", 100 * on / off; else print "n/a" }')
  echo "[$B] ingest req/s, dedup off: $OFF_MEDIAN, dedup on: $ON_MEDIAN; on/off $RATIO; non-2xx $ERRORS" | tee -a "$REPORT"
  echo "[$B]   runs (req/s (p99)):$DETAIL" | tee -a "$REPORT"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
