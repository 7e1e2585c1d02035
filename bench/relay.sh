#!/usr/bin/env bash
# Webhook Connect benchmark (issue 3): everything on 127.0.0.1, every run bounded in time.
#  (a) ingest req/s of an HMAC-signed webhook_connect webhook into each buffer, next to the
#      minimal Vert.x baseline (bench/Baseline.java) in the same run;
#  (b) end-to-end relay: POST -> buffer -> WebSocket connector -> ack, sustained, at full speed
#      and at half that rate (POST-to-delivery p50/p99 from bench/RelayBench.java);
#  (c) drain of 50,000 buffered messages when one connector attaches, and the receiver's RSS after.
# BUFFERS="redis rabbitmq" runs (a), (b) and (c) for each backend in turn, side by side in one report
# (redis|rabbitmq|embedded; default: $BUFFER, else redis). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFERS=${BUFFERS:-${BUFFER:-redis}}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
WARMUP=${WARMUP:-10}
INGEST_WARMUP=${INGEST_WARMUP:-30}  # (a): the JIT still compiles for 20-30 s under this load on 2 cores
DURATION=${DURATION:-10}          # (a) wrk run
RELAY_SECONDS=${RELAY_SECONDS:-30}
DRAIN=${DRAIN:-50000}
SCALING=${SCALING:-1}
PHASES=${PHASES:-abcd}            # which of (a) to (d) to run, e.g. PHASES=c
JAR=${JAR:-target/cwm.jar}        # the receiver's jar (e.g. an older build, for an A/B)
PROFILE=${PROFILE:-0}             # 1 = JFR of the receiver during (b) full speed: top frames in the report
WEBHOOKS=bench/relay-webhooks.json
VERTICLES_FILE=${VERTICLES_FILE:-}   # a verticles.json for the receiver (default: ./verticles.json)
PORT=${PORT:-19311}
BASELINE_PORT=${BASELINE_PORT:-19312}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/relay-$TS.txt
PID=
BASE_PID=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
cleanup() { stop "$PID"; stop "$BASE_PID"; flush_buffers; }
trap cleanup EXIT

flush_redis() {
  command -v redis-cli >/dev/null || return 0
  redis-cli -u "$REDIS_URL" --scan --pattern 'webhook_connect:*bench*' | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
}

flush_rabbitmq() {  # the bench channel's queues on the machine's broker (main, DLQ, Java state)
  command -v rabbitmqctl >/dev/null || return 0
  local queues
  queues=$(rabbitmqctl -q list_queues name 2>/dev/null | grep -E '^webhook_connect\.(j\.state\.)?bench[0-9]?($|\.)' || true)
  for queue in $queues; do rabbitmqctl -q delete_queue "$queue" >/dev/null 2>&1 || true; done
}

flush_buffers() { flush_redis; flush_rabbitmq; }

wait_port() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.2
  done
  log "port $1 did not open"; exit 1
}

start_receiver() {  # start_receiver BUFFER (webhooks file $WEBHOOKS, verticles file $VERTICLES_FILE if set; $JFR_OPTS)
  local data; data=$(mktemp -d)
  local extra=(--webhooks "$WEBHOOKS")
  local JAVA_OPTS="$JAVA_OPTS ${JFR_OPTS:-}"
  [ -n "$VERTICLES_FILE" ] && extra+=(--verticles "$VERTICLES_FILE")
  if [ "$1" = redis ]; then
    WEBHOOK_CONNECT_BUFFER=redis WEBHOOK_CONNECT_REDIS_URL=$REDIS_URL java $JAVA_OPTS -jar "$JAR" receiver \
      "${extra[@]}" --host 127.0.0.1 --port "$PORT" --data-dir "$data" > "$RESULTS/relay-receiver-$TS.log" 2>&1 &
  elif [ "$1" = rabbitmq ]; then
    WEBHOOK_CONNECT_BUFFER=rabbitmq WEBHOOK_CONNECT_RABBITMQ_URL=$RABBITMQ_URL java $JAVA_OPTS -jar "$JAR" receiver \
      "${extra[@]}" --host 127.0.0.1 --port "$PORT" --data-dir "$data" > "$RESULTS/relay-receiver-$TS.log" 2>&1 &
  else
    java $JAVA_OPTS -jar "$JAR" receiver "${extra[@]}" --host 127.0.0.1 \
      --port "$PORT" --data-dir "$data" > "$RESULTS/relay-receiver-$TS.log" 2>&1 &
  fi
  PID=$!
  wait_port "$PORT"
}

command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
case " $BUFFERS " in *" redis "*)
  redis-cli -u "$REDIS_URL" ping >/dev/null || { log "Redis is not reachable at $REDIS_URL"; exit 1; } ;;
esac

# signed 1 KB body for wrk (same secret as bench/relay-webhooks.json)
BODY='{"sent_ns":1,"event":"payment_intent.succeeded","pad":"'$(printf 'x%.0s' $(seq 1 950))'"}'
SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac bench-hmac-secret | awk '{print $NF}')
LUA=$RESULTS/relay-$TS.lua
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-HMAC-Signature"] = "%s"\nwrk.body = [[%s]]\n' "$SIG" "$BODY" > "$LUA"

wrk_run() {  # wrk_run URL -> "req/s p99"
  wrk -t2 -c50 -d"${DURATION}s" --latency -s "$LUA" "$1" | awk '/Requests\/sec/ {r=$2} /99%/ {p=$2} END {print r, p}'
}

{
  echo "cwm relay benchmark $TS (buffers: $BUFFERS); host: $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

# ---- (a) ingest into Redis vs baseline -----------------------------------------------------------
if [[ $PHASES == *a* ]]; then
if [ -f bench/Baseline.java ]; then
  java $JAVA_OPTS -cp target/cwm.jar bench/Baseline.java "$BASELINE_PORT" > "$RESULTS/relay-baseline-$TS.log" 2>&1 &
  BASE_PID=$!
  wait_port "$BASELINE_PORT"
  wrk -t2 -c50 -d"${INGEST_WARMUP}s" -s "$LUA" "http://127.0.0.1:$BASELINE_PORT/webhook/bench_relay" >/dev/null
  read -r BASE_RPS BASE_P99 < <(wrk_run "http://127.0.0.1:$BASELINE_PORT/webhook/bench_relay")
  stop "$BASE_PID"; BASE_PID=
else
  BASE_RPS=0; BASE_P99=n/a
fi
for B in $BUFFERS; do
  flush_buffers
  start_receiver "$B"
  wrk -t2 -c50 -d"${INGEST_WARMUP}s" -s "$LUA" "http://127.0.0.1:$PORT/webhook/bench_relay" >/dev/null
  read -r RPS P99 < <(wrk_run "http://127.0.0.1:$PORT/webhook/bench_relay")
  stop "$PID"; PID=
  RATIO=$(awk -v a="$RPS" -v b="$BASE_RPS" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "n/a" }')
  echo "[$B] (a) ingest, HMAC + webhook_connect into $B: $RPS req/s, p99 $P99; ratio to baseline $RATIO" | tee -a "$REPORT"
done
echo "    baseline (bare Vert.x 200): $BASE_RPS req/s, p99 $BASE_P99" | tee -a "$REPORT"
fi

for B in $BUFFERS; do
  if [[ $PHASES == *b* ]]; then
  # ---- (b) end-to-end relay ------------------------------------------------------------------------
  flush_buffers
  # recording from launch (a JFR.start on the warm JVM deoptimises it); the dump keeps the measured phase
  [ "$PROFILE" = 1 ] && JFR_OPTS="-XX:StartFlightRecording=name=bench,settings=profile,maxage=10m"
  start_receiver "$B"
  JFR_OPTS=
  if [ "$PROFILE" = 1 ]; then
    (sleep "$WARMUP"; date +%H:%M:%S > "$RESULTS/relay-jfr-begin-$TS") &
  fi
  FULL=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$PORT" "$RELAY_SECONDS" 0 2>/dev/null | grep '^relay:' | tail -1)
  echo "[$B] (b) full speed: $FULL" | tee -a "$REPORT"
  if [ "$PROFILE" = 1 ]; then
    JFR_FILE=$RESULTS/relay-$B-$TS.jfr
    jcmd "$PID" JFR.dump name=bench begin="$(cat "$RESULTS/relay-jfr-begin-$TS")" filename="$JFR_FILE" >/dev/null
    jfr print --stack-depth 64 --events jdk.ExecutionSample "$JFR_FILE" > "$RESULTS/relay-$B-$TS-samples.txt"
    {
      echo "[$B] (b) JFR top frames (self time), receiver, full-speed phase: $(grep -c 'jdk.ExecutionSample {' "$RESULTS/relay-$B-$TS-samples.txt") samples"
      awk '/stackTrace = \[/ {top = 1; next}
           top && NF {sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print; top = 0}' "$RESULTS/relay-$B-$TS-samples.txt" \
        | sort | uniq -c | sort -rn | awk 'NR <= 12 {print "      " $0}'
    } | tee -a "$REPORT"
  fi
  MAX_RATE=$(echo "$FULL" | sed -E 's/.*, ([0-9]+) webhooks\/s.*/\1/')
  HALF=$((MAX_RATE / 2))
  HALF_LINE=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$PORT" "$RELAY_SECONDS" "$HALF" 2>/dev/null | grep '^relay:' | tail -1)
  echo "[$B] (b) half rate: $HALF_LINE" | tee -a "$REPORT"
  stop "$PID"; PID=
  flush_buffers

  fi
  if [[ $PHASES == *c* ]]; then
  # ---- (c) drain -----------------------------------------------------------------------------------
  flush_buffers
  start_receiver "$B"
  DRAIN_LINE=$(java -cp target/cwm.jar bench/RelayBench.java drain "$PORT" "$DRAIN" 2>/dev/null | grep '^drain:')
  RSS=$(awk '/VmRSS/ {print $2 " " $3}' "/proc/$PID/status")
  jcmd "$PID" GC.run >/dev/null  # a full GC: what the heap holds after it is live
  LIVE=$(jcmd "$PID" GC.heap_info | sed -nE 's/.*total [0-9]+K, used ([0-9]+)K.*/\1 kB/p' | head -1)
  echo "[$B] (c) $DRAIN_LINE; receiver RSS after: $RSS, live heap after a full GC: $LIVE (JAVA_OPTS $JAVA_OPTS)" \
    | tee -a "$REPORT"
  stop "$PID"; PID=

  fi
  # ---- (d) 4 channels at once: channel (or buffer and stream) at 1 instance vs one per event loop --
  if [ "$SCALING" = 1 ] && [[ $PHASES == *d* ]]; then
    for INSTANCES in 1 '"event-loops"'; do
      VERTICLES_FILE=$RESULTS/relay-verticles-$TS.json
      sed -E 's/"verticle": "(buffer|stream|channel)", "instances": [^,}]+/"verticle": "\1", "instances": '"$INSTANCES"'/' \
        verticles.json > "$VERTICLES_FILE"
      WEBHOOKS=bench/relay-webhooks-4.json
      flush_buffers
      start_receiver "$B"
      LINE=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java channels "$PORT" "$RELAY_SECONDS" 4 2>/dev/null | grep '^channels:' | tail -1)
      echo "[$B] (d) channel owner instances $INSTANCES: $LINE" | tee -a "$REPORT"
      stop "$PID"; PID=
      WEBHOOKS=bench/relay-webhooks.json; VERTICLES_FILE=
    done
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
