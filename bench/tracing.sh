#!/usr/bin/env bash
# Tracing benchmark (issue 19): ingest and relay throughput of the receiver with OpenTelemetry off,
# on at 1 % sampling and on at 100 %, measured in the same run, as ratios against off.
# Traces go over OTLP/HTTP protobuf to a local sink that reads each export and answers 200
# (bench/Baseline.java), so the export path (batching, encoding, the HTTP call) is paid in full.
#   ingest: wrk, the 1 KB HMAC-signed POST of bench/run.sh to a webhook with the log module
#           (bench/webhook-hmac.json): ingest span with its validator event, module span
#   relay:  `RelayBench relay` at full speed (POST -> buffer -> WebSocket connector -> ack) on
#           bench/relay-webhooks.json: ingest, buffer-write and delivery-attempt spans per webhook
# Each round starts a fresh receiver per mode; rounds rotate the order of the modes so a drifting
# machine favours none. The report gives the mean of the rounds and the ratio to off.
#   bench/tracing.sh                                   # redis, 2 rounds
#   BUFFER=embedded ROUNDS=3 bench/tracing.sh          # the receiver's CPU is the bound, not Redis
#   ROUNDS=1 WARMUP=3 DURATION=5 bench/tracing.sh      # smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUFFER=${BUFFER:-redis}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
WARMUP=${WARMUP:-10}        # seconds per receiver before a measured run (the JIT settles)
DURATION=${DURATION:-20}    # seconds of one measured run
ROUNDS=${ROUNDS:-2}
MODES=(${MODES:-off 1pct 100pct})   # a subset, e.g. MODES="off 1pct" (off must be in it)
KINDS=${KINDS:-ingest relay}
COOLDOWN=${COOLDOWN:-15}    # seconds after each run (and a sync): without it the second run of a round
                            # was 25 % slower whatever its mode (the last run's writeback and JVM exit)
CONNECTIONS=${CONNECTIONS:-50}
PORT=${PORT:-19331}
SINK_PORT=${SINK_PORT:-19332}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/tracing-$TS.txt
PID=
SINK_PID=

# shellcheck source=bench/lib.sh
. bench/lib.sh
flush_buffers() {
  flush_redis 'webhook_connect:*bench*'
  rabbitmq_queues delete '^webhook_connect\.(j\.state\.)?bench($|\.)'
}
cleanup() { stop "$PID"; stop "$SINK_PID"; flush_buffers; }
trap cleanup EXIT

command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v openssl >/dev/null || { log "openssl is needed to sign the body"; exit 1; }
[ -f target/cwm.jar ] || mvn -q -B package -DskipTests

# the 1 KB signed body of bench/run.sh
BODY=$RESULTS/tracing-body-$TS.json
{ printf '%s' '{"event":"push","id":"0000000000","payload":"'; head -c 977 /dev/zero | tr '\0' x; printf '"}'; } > "$BODY"
SECRET=$(sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p' bench/webhook-hmac.json)
export BENCH_BODY_FILE=$BODY BENCH_SIGNATURE
BENCH_SIGNATURE=$(openssl dgst -sha256 -hmac "$SECRET" -r < "$BODY" | cut -d' ' -f1)

mode_env() {  # mode_env MODE: sets TRACE_ENV
  case "$1" in
    off) TRACE_ENV=() ;;
    1pct) TRACE_ENV=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_TRACES_SAMPLER=parentbased_traceidratio
            OTEL_TRACES_SAMPLER_ARG=0.01) ;;
    100pct) TRACE_ENV=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_TRACES_SAMPLER=always_on) ;;
  esac
}

cool_down() { sync; sleep "$COOLDOWN"; }

start_receiver() {  # start_receiver MODE WEBHOOKS_FILE [STDOUT]
  local data; data=$(mktemp -d)
  buffer_env "$BUFFER"
  mode_env "$1"
  local log=$RESULTS/tracing-receiver-$1-$TS.log
  env "${BUFFER_ENV[@]}" "${TRACE_ENV[@]}" java $JAVA_OPTS -jar target/cwm.jar receiver --webhooks "$2" \
    --host 127.0.0.1 --port "$PORT" --data-dir "$data" > "${3:-$log}" 2>> "$log" &
  PID=$!
  wait_port "$PORT"
}

ingest_rate() {  # ingest_rate MODE -> "rate|p99 ms|non-2xx"
  # stdout (the log module's line per webhook, about 1 GB a run) to /dev/null: written to a file, its
  # page-cache writeback spilled into the next run and made the modes' order matter
  start_receiver "$1" bench/webhook-hmac.json /dev/null
  local out=$RESULTS/tracing-wrk-$1-$TS.txt
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/post-hmac.lua "http://127.0.0.1:$PORT/webhook/bench" > /dev/null
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post-hmac.lua "http://127.0.0.1:$PORT/webhook/bench" > "$out"
  stop "$PID"; PID=
  cool_down
  local rate p99 errors
  rate=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.2f", v * f }' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} END {print n + 0}' "$out")
  echo "$rate|$p99|$errors"
}

relay_rate() {  # relay_rate MODE -> "rate|line"
  flush_buffers
  start_receiver "$1" bench/relay-webhooks.json
  local line
  line=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$PORT" "$DURATION" 0 2>/dev/null \
    | grep '^relay:' | tail -1)
  stop "$PID"; PID=
  cool_down
  echo "$(echo "$line" | sed -E 's/.*, ([0-9]+) webhooks\/s.*/\1/')|$line"
}

java $JAVA_OPTS -cp target/cwm.jar bench/Baseline.java "$SINK_PORT" 1 > "$RESULTS/tracing-sink-$TS.log" 2>&1 &
SINK_PID=$!
wait_port "$SINK_PORT"

{
  echo "cwm tracing benchmark $TS (buffer: $BUFFER, rounds: $ROUNDS, ${DURATION}s each after ${WARMUP}s warm-up)"
  echo "host: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

declare -A INGEST RELAY
for M in off 1pct 100pct; do INGEST[$M]=0; RELAY[$M]=0; done
for ROUND in $(seq 1 "$ROUNDS"); do
  shift_by=$(( (ROUND - 1) % ${#MODES[@]} ))
  ORDER=("${MODES[@]:$shift_by}" "${MODES[@]:0:$shift_by}")
  for M in "${ORDER[@]}"; do
    [[ " $KINDS " == *" ingest "* ]] || break
    R=$(ingest_rate "$M")
    echo "round $ROUND, ingest, tracing $M: ${R%%|*} req/s, p99 $(echo "$R" | cut -d'|' -f2) ms, non-2xx $(echo "$R" | cut -d'|' -f3)" \
      | tee -a "$REPORT"
    INGEST[$M]=$(( ${INGEST[$M]} + ${R%%|*} ))
  done
  for M in "${ORDER[@]}"; do
    [[ " $KINDS " == *" relay "* ]] || break
    R=$(relay_rate "$M")
    echo "round $ROUND, relay, tracing $M: ${R#*|}" | tee -a "$REPORT"
    RELAY[$M]=$(( ${RELAY[$M]} + ${R%%|*} ))
  done
done
for KIND in $KINDS; do
  if [ $KIND = ingest ]; then OFF=${INGEST[off]}; ONE=${INGEST[1pct]}; ALL=${INGEST[100pct]};
  else OFF=${RELAY[off]}; ONE=${RELAY[1pct]}; ALL=${RELAY[100pct]}; fi
  awk -v k="$KIND" -v off="$OFF" -v one="$ONE" -v all="$ALL" -v n="$ROUNDS" 'BEGIN {
    printf "%s: off %.0f/s", k, off / n
    if (one > 0) printf ", 1%% sampled %.0f/s (%.1f %% of off)", one / n, (off > 0 ? 100 * one / off : 0)
    if (all > 0) printf ", 100%% sampled %.0f/s (%.1f %% of off)", all / n, (off > 0 ? 100 * all / off : 0)
    printf "\n" }' | tee -a "$REPORT"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$REPORT"
