#!/usr/bin/env bash
# cwm ingest benchmark: the receiver (hmac validator + log module) against a bare Vert.x server
# (bench/Baseline.java), same 1 KB signed POST, same wrk settings, same number of event loops.
# See bench/README.md. Everything is on 127.0.0.1 and every load run is bounded in time.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${DURATION:-10}          # seconds per measured run
WARMUP=${WARMUP:-10}              # seconds of warm-up per server (0 = none)
RUNS=${RUNS:-3}                   # measured runs per server; the median by req/s is reported
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
BASELINE_PORT=${BASELINE_PORT:-19301}
RECEIVER_PORT=${RECEIVER_PORT:-19302}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
START_TIMEOUT=${START_TIMEOUT:-60}  # seconds to wait for each port
VERTICLES=${VERTICLES:-}           # another verticles.json for the receiver (e.g. to vary instances)
PROFILE=${PROFILE:-0}             # 1 = JFR of the receiver (recorded from launch, measured runs dumped)
IDLE_LOAD=${IDLE_LOAD:-}          # e.g. 0.5: first wait (at most IDLE_WAIT s) for loadavg(1m) below it
IDLE_WAIT=${IDLE_WAIT:-300}

RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/ingest-$TS.txt
BODY=$RESULTS/body-1k.json
BASELINE_LOG=$RESULTS/baseline-$TS.log
RECEIVER_LOG=$RESULTS/receiver-$TS.log
JFR_FILE=$RESULTS/receiver-$TS.jfr
LUA=$ROOT/bench/post-hmac.lua

BASELINE_PID=
RECEIVER_PID=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
first() { awk -v n="$1" 'NR <= n'; }  # like head -n, but reads all input (no SIGPIPE under pipefail)

stop_pid() {  # stop_pid PID: TERM, wait up to 15 s, then KILL; only the process we started
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 75); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  stop_pid "$BASELINE_PID"
  stop_pid "$RECEIVER_PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites ------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (apt-get)"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v openssl >/dev/null || die "openssl is needed to sign the body"
if [ ! -f target/cwm.jar ]; then
  log "building target/cwm.jar"
  mvn -q -B package -DskipTests
fi

if [ -n "$IDLE_LOAD" ]; then
  deadline=$((SECONDS + IDLE_WAIT))
  until awk -v max="$IDLE_LOAD" '{exit !($1 < max)}' /proc/loadavg; do
    [ "$SECONDS" -lt "$deadline" ] || { log "load still $(cut -d' ' -f1-3 /proc/loadavg) after ${IDLE_WAIT}s; going on"; break; }
    log "waiting for idle: load $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 10
  done
fi

# ---- request body and signature -----------------------------------------------------------------
# {"event":"push","id":"0000000000","payload":"xxx…"} = 45 + 977 + 2 = exactly 1024 bytes
{ printf '%s' '{"event":"push","id":"0000000000","payload":"'; head -c 977 /dev/zero | tr '\0' x; printf '"}'; } > "$BODY"
[ "$(stat -c %s "$BODY")" -eq 1024 ] || die "body is not 1024 bytes"
SECRET=$(sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p' bench/webhook-hmac.json)
[ -n "$SECRET" ] || die "no hmac secret in bench/webhook-hmac.json"
SIG=$(openssl dgst -sha256 -hmac "$SECRET" -r < "$BODY" | cut -d' ' -f1)
export BENCH_BODY_FILE=$BODY BENCH_SIGNATURE=$SIG

# ---- start both servers -------------------------------------------------------------------------
for port in "$BASELINE_PORT" "$RECEIVER_PORT"; do
  if curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/"; then die "port $port is already in use"; fi
done

# shellcheck disable=SC2086
java $JAVA_OPTS -cp target/cwm.jar bench/Baseline.java "$BASELINE_PORT" > "$BASELINE_LOG" 2>&1 &
BASELINE_PID=$!
RECEIVER_OPTS=$JAVA_OPTS
if [ "$PROFILE" = 1 ]; then RECEIVER_OPTS="$RECEIVER_OPTS -XX:StartFlightRecording=name=bench,settings=profile,maxage=10m"; fi
# shellcheck disable=SC2086
CWM_LOG_LEVEL=INFO java $RECEIVER_OPTS -jar target/cwm.jar receiver \
  --webhooks bench/webhook-hmac.json --connections bench/connections.json \
  --host 127.0.0.1 --port "$RECEIVER_PORT" ${VERTICLES:+--verticles "$VERTICLES"} > "$RECEIVER_LOG" 2>&1 &
RECEIVER_PID=$!

wait_port() {  # wait_port NAME PID PORT LOGFILE
  local name=$1 pid=$2 port=$3 file=$4 deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$file" >&2; die "$name exited during start-up"; }
    if curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/"; then return 0; fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -20 "$file" >&2; die "$name not listening on $port after ${START_TIMEOUT}s"; }
    sleep 0.2
  done
}
wait_port baseline "$BASELINE_PID" "$BASELINE_PORT" "$BASELINE_LOG"
wait_port receiver "$RECEIVER_PID" "$RECEIVER_PORT" "$RECEIVER_LOG"
log "$(grep -m1 'baseline listening' "$BASELINE_LOG")"
log "$(grep -m1 'cwm receiver listening' "$RECEIVER_LOG" || echo 'receiver up')"

post() {  # post PORT PATH SIGNATURE -> HTTP status
  curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-HMAC-Signature: $3" --data-binary @"$BODY" "http://127.0.0.1:$1$2"
}
code=$(post "$BASELINE_PORT" /webhook/bench "$SIG"); [ "$code" = 200 ] || die "baseline answered $code"
code=$(post "$RECEIVER_PORT" /webhook/bench "$SIG"); [ "$code" = 200 ] || die "receiver answered $code to a good signature"
BAD_SIG=$(printf '%064d' 0)
code=$(post "$RECEIVER_PORT" /webhook/bench "$BAD_SIG"); [ "$code" = 401 ] || die "receiver answered $code to a wrong signature (expected 401)"
log "checks ok: good signature -> 200, wrong signature -> 401"
RECEIVER_SENT=1   # the one 200 above; wrk's completed requests are added below

# ---- load ---------------------------------------------------------------------------------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

run_wrk() {  # run_wrk PORT SECONDS OUTFILE
  timeout $(($2 + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --timeout 5s --latency \
    -s "$LUA" "http://127.0.0.1:$1/webhook/bench" > "$3"
}
# p99 in ms from a wrk --latency output
p99_ms() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.2f", v * f }' "$1"
}
rps_of() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
requests_of() { awk '/ requests in / {print $1}' "$1"; }
errors_of() {  # non-2xx + socket errors
  awk '/Non-2xx or 3xx responses:/ {n += $NF}
       /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10}
       END {print n + 0}' "$1"
}

declare -A MED_RPS MED_P99 ALL_RPS ERRORS CPU LOAD
bench_server() {  # bench_server NAME PORT PID
  local name=$1 port=$2 pid=$3 i out rows="" errs=0 t0 t1 cpu=""
  if [ "$WARMUP" -gt 0 ]; then
    log "$name: warm-up ${WARMUP}s"
    out=$RESULTS/wrk-$TS-$name-warmup.txt
    run_wrk "$port" "$WARMUP" "$out"
    [ "$name" = receiver ] && RECEIVER_SENT=$((RECEIVER_SENT + $(requests_of "$out")))
  fi
  LOAD[$name]=$(cut -d' ' -f1-3 /proc/loadavg)
  for i in $(seq 1 "$RUNS"); do
    out=$RESULTS/wrk-$TS-$name-$i.txt
    if [ "$name" = receiver ] && [ "$PROFILE" = 1 ] && [ "$i" = 1 ]; then
      JFR_BEGIN=$(date +%H:%M:%S)
    fi
    t0=$(cpu_ticks "$pid")
    run_wrk "$port" "$DURATION" "$out"
    t1=$(cpu_ticks "$pid")
    kill -0 "$pid" 2>/dev/null || die "$name died during run $i"
    [ "$name" = receiver ] && RECEIVER_SENT=$((RECEIVER_SENT + $(requests_of "$out")))
    rows+="$(rps_of "$out") $(p99_ms "$out") $i"$'\n'
    errs=$((errs + $(errors_of "$out")))
    cpu+="${cpu:+/}$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", t / hz}')"
    log "$name run $i: $(rps_of "$out") req/s, p99 $(p99_ms "$out") ms, server CPU ${cpu##*/} s"
  done
  LOAD[$name]="${LOAD[$name]} -> $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$name" = receiver ] && [ "$PROFILE" = 1 ]; then
    # recording started with the JVM (a JFR.start on the warm JVM made it deoptimize and run
    # several times slower for the whole run); keep only the measured runs
    jcmd "$pid" JFR.dump name=bench begin="$JFR_BEGIN" filename="$JFR_FILE" >/dev/null
  fi
  local median
  median=$(printf '%s' "$rows" | sort -n -k1,1 | sed -n "$((RUNS / 2 + 1))p")
  MED_RPS[$name]=$(cut -d' ' -f1 <<< "$median")
  MED_P99[$name]=$(cut -d' ' -f2 <<< "$median")
  ALL_RPS[$name]=$(printf '%s' "$rows" | sort -n -k3,3 | cut -d' ' -f1 | paste -sd/)
  ERRORS[$name]=$errs
  CPU[$name]=$cpu
}

bench_server baseline "$BASELINE_PORT" "$BASELINE_PID"
bench_server receiver "$RECEIVER_PORT" "$RECEIVER_PID"

# stop the receiver so the log file is complete before counting its lines
stop_pid "$RECEIVER_PID"
LOG_BYTES=$(stat -c %s "$RECEIVER_LOG")
LOG_LINES=$(grep -c 'webhook_id=bench' "$RECEIVER_LOG" || true)

BASE_INST=$(grep -m1 -o 'instances=[0-9]*' "$BASELINE_LOG" | tr -dc 0-9 || true)
RECV_INST=$(grep -m1 -o 'deployed ingest x[0-9]*' "$RECEIVER_LOG" | tr -dc 0-9 || true)
RATIO=$(awk -v r="${MED_RPS[receiver]}" -v b="${MED_RPS[baseline]}" 'BEGIN {printf "%.1f", 100 * r / b}')

{
  echo "cwm ingest benchmark $TS"
  echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, 1024-byte JSON POST + X-HMAC-Signature;" \
    "warm-up ${WARMUP}s, $RUNS runs, median by req/s (p99 from that run); JAVA_OPTS=$JAVA_OPTS"
  echo "host: $(nproc) cores, $(java -version 2>&1 | first 1)"
  echo
  printf '| %-9s | %-9s | %-14s | %-9s | %-22s | %-6s | %-18s |\n' \
    server instances "req/s (median)" "p99 (ms)" "runs (req/s)" errors "server CPU-s/run"
  printf '| %-9s | %-9s | %-14s | %-9s | %-22s | %-6s | %-18s |\n' \
    --------- --------- -------------- --------- ---------------------- ------ ------------------
  for name in baseline receiver; do
    inst=$BASE_INST; [ "$name" = receiver ] && inst="${RECV_INST:-?}"
    printf '| %-9s | %-9s | %-14s | %-9s | %-22s | %-6s | %-18s |\n' \
      "$name" "$inst" "${MED_RPS[$name]}" "${MED_P99[$name]}" "${ALL_RPS[$name]}" "${ERRORS[$name]}" "${CPU[$name]}"
  done
  echo
  echo "receiver / baseline: $RATIO % of the baseline's req/s"
  echo "load average (1/5/15 min) at the start -> end of the measured runs:"
  echo "  baseline: ${LOAD[baseline]}"
  echo "  receiver: ${LOAD[receiver]}"
  echo "receiver log ($RECEIVER_LOG): $LOG_BYTES bytes, $LOG_LINES 'webhook_id=bench' lines;" \
    "requests answered to the receiver (curl + wrk completed): $RECEIVER_SENT" \
    "(difference $((LOG_LINES - RECEIVER_SENT)): requests still in flight when wrk stopped are logged but not counted by wrk)"
  if [ "$PROFILE" = 1 ]; then echo "JFR recording: $JFR_FILE"; fi
} | tee "$REPORT"
log "written $REPORT"

if [ "$PROFILE" = 1 ] && [ -f "$JFR_FILE" ]; then
  SAMPLES=$RESULTS/receiver-$TS-samples.txt
  jfr print --stack-depth 128 --events jdk.ExecutionSample "$JFR_FILE" > "$SAMPLES"
  {
    echo
    echo "JFR jdk.ExecutionSample, receiver, all measured runs: $(grep -c 'jdk.ExecutionSample {' "$SAMPLES") samples"
    echo "-- samples by thread:"
    sed -n 's/^ *sampledThread = "\([^"]*\)".*/\1/p' "$SAMPLES" | sort | uniq -c | sort -rn | first 10
    echo "-- top frames (self time):"
    awk '/stackTrace = \[/ {top = 1; next}
         top && NF {sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print; top = 0}' "$SAMPLES" \
      | sort | uniq -c | sort -rn | first 25
    echo "-- inclusive (samples with the method anywhere on the stack), io.cwm / logback / JCA / jackson / vertx-web:"
    awk '/stackTrace = \[/ {in_st = 1; delete seen; next}
         in_st && /^[ \t]*\]/ {in_st = 0; next}
         in_st {f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f); sub(/\(.*/, "", f);
                if (f ~ /^(io\.cwm|ch\.qos\.logback|javax\.crypto\.Mac|com\.fasterxml|io\.vertx\.ext\.web\.handler|io\.vertx\.core\.json)/ && !(f in seen)) {seen[f] = 1; print f}}' "$SAMPLES" \
      | sort | uniq -c | sort -rn | first 30
  } | tee -a "$REPORT"
fi
