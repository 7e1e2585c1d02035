#!/usr/bin/env bash
# Scaling benchmark (issue 8), one report, everything on 127.0.0.1, each load run bounded in time:
#  (a) ingest req/s of one receiver with 1 and with 2 edge (ingest) instances;
#  (b) ingest req/s of one receiver vs two clustered receivers (--cluster, TCP discovery) sharing
#      the load (one wrk per node, half the connections each);
#  (c) POST-to-delivery latency at a fixed rate with two clustered receivers: connector on the
#      node that ingests vs on the other node.
# Webhook: bench/relay-webhooks.json (HMAC + webhook_connect into Redis). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
RATE=${RATE:-2000}                 # (c) webhooks/s
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx768m}
P1=${P1:-19411}; P2=${P2:-19412}
H1=${H1:-19421}; H2=${H2:-19422}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/cluster-$TS.txt
PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop_all() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done; PIDS=(); }
flush_redis() { redis-cli -u "$REDIS_URL" --scan --pattern 'webhook_connect:*bench*' | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true; }
cleanup() { stop_all; flush_redis; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/ready")" = 200 ] && return 0
    sleep 0.2
  done
  log "port $1 not ready"; exit 1
}

start_node() {  # start_node NAME PORT [cluster args...]
  local name=$1 port=$2; shift 2
  local data; data=$(mktemp -d)
  env WEBHOOK_CONNECT_REDIS_URL="$REDIS_URL" "$@" java $JAVA_OPTS -jar target/cwm.jar receiver \
    --webhooks bench/relay-webhooks.json --host 127.0.0.1 --port "$port" --data-dir "$data" \
    ${NODE_ARGS:-} > "$RESULTS/cluster-$name-$TS.log" 2>&1 &
  PIDS+=($!)
}

command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
redis-cli -u "$REDIS_URL" ping >/dev/null

BODY='{"sent_ns":1,"event":"payment_intent.succeeded","pad":"'$(printf 'x%.0s' $(seq 1 950))'"}'
SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac bench-hmac-secret | awk '{print $NF}')
LUA=$RESULTS/cluster-$TS.lua
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-HMAC-Signature"] = "%s"\nwrk.body = [[%s]]\n' "$SIG" "$BODY" > "$LUA"

rps() {  # rps CONNECTIONS SECONDS URL -> req/s
  wrk -t1 -c"$1" -d"$2s" -s "$LUA" "$3" | awk '/Requests\/sec/ {print $2}'
}

{
  echo "cwm scaling benchmark $TS; host: $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

# ---- (a) edge instances ----------------------------------------------------------------------------
for edges in 1 2; do
  python3 - "$edges" > "$RESULTS/cluster-verticles-$edges.json" <<'PY'
import json, sys
config = json.load(open("verticles.json"))
for line in config["receiver"]:
    if line["verticle"] == "ingest":
        line["instances"] = int(sys.argv[1])
print(json.dumps(config))
PY
  NODE_ARGS="--verticles $RESULTS/cluster-verticles-$edges.json" start_node "edges$edges" "$P1"
  wait_ready "$P1"
  rps 50 "$WARMUP" "http://127.0.0.1:$P1/webhook/bench_relay" >/dev/null
  R=$(rps 50 "$DURATION" "http://127.0.0.1:$P1/webhook/bench_relay")
  echo "(a) one receiver, $edges edge instance(s): $R req/s" | tee -a "$REPORT"
  stop_all; flush_redis
done

# ---- (b) one node vs two clustered nodes -----------------------------------------------------------
start_node single "$P1"
wait_ready "$P1"
rps 50 "$WARMUP" "http://127.0.0.1:$P1/webhook/bench_relay" >/dev/null
SINGLE=$(rps 50 "$DURATION" "http://127.0.0.1:$P1/webhook/bench_relay")
stop_all; flush_redis
split_load() {  # split_load NAME: wrk on P1 and P2 at once (half the connections each) -> sum
  rps 25 "$WARMUP" "http://127.0.0.1:$P1/webhook/bench_relay" >/dev/null &
  local wrk=$!
  rps 25 "$WARMUP" "http://127.0.0.1:$P2/webhook/bench_relay" >/dev/null
  wait "$wrk"   # not a bare wait: the receivers run in the background too
  rps 25 "$DURATION" "http://127.0.0.1:$P1/webhook/bench_relay" > "$RESULTS/cluster-$1-1-$TS.rps" &
  wrk=$!
  rps 25 "$DURATION" "http://127.0.0.1:$P2/webhook/bench_relay" > "$RESULTS/cluster-$1-2-$TS.rps"
  wait "$wrk"
  awk '{s += $1} END {printf "%.2f", s}' "$RESULTS/cluster-$1-1-$TS.rps" "$RESULTS/cluster-$1-2-$TS.rps"
}
# two receivers that are not clustered: the cost of a second JVM on the same cores, without clustering
start_node plain1 "$P1"
start_node plain2 "$P2"
wait_ready "$P1"; wait_ready "$P2"
PLAIN=$(split_load plain)
stop_all; flush_redis
MEMBERS="127.0.0.1:$H1,127.0.0.1:$H2"
CLUSTER_ENV=(CWM_CLUSTER_HOST=127.0.0.1 CWM_CLUSTER_MEMBERS="$MEMBERS" CWM_CLUSTER_NAME="bench-$TS")
NODE_ARGS=--cluster start_node c1 "$P1" "${CLUSTER_ENV[@]}" CWM_CLUSTER_PORT="$H1"
NODE_ARGS=--cluster start_node c2 "$P2" "${CLUSTER_ENV[@]}" CWM_CLUSTER_PORT="$H2"
wait_ready "$P1"; wait_ready "$P2"
TWO=$(split_load clustered)
RATIO=$(awk -v a="$TWO" -v b="$SINGLE" 'BEGIN { printf "%.1f %%", 100 * a / b }')
PLAIN_RATIO=$(awk -v a="$PLAIN" -v b="$SINGLE" 'BEGIN { printf "%.1f %%", 100 * a / b }')
CLUSTER_COST=$(awk -v a="$TWO" -v b="$PLAIN" 'BEGIN { printf "%.1f %%", 100 * a / b }')
{
  echo "(b) one receiver (not clustered): $SINGLE req/s"
  echo "    two receivers, not clustered, load split: $PLAIN req/s = $PLAIN_RATIO of one"
  echo "    two clustered receivers, load split: $TWO req/s = $RATIO of one, $CLUSTER_COST of two unclustered"
} | tee -a "$REPORT"
flush_redis

# ---- (c) latency: connector on the ingesting node vs on the other node ------------------------------
SAME=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$P1" "$LATENCY_SECONDS" "$RATE" "$P1" 2>/dev/null | grep '^relay:' | tail -1)
flush_redis
OTHER=$(WARMUP_SECONDS=$WARMUP java -cp target/cwm.jar bench/RelayBench.java relay "$P1" "$LATENCY_SECONDS" "$RATE" "$P2" 2>/dev/null | grep '^relay:' | tail -1)
{
  echo "(c) $RATE webhooks/s into node 1, connector on node 1: $SAME"
  echo "    $RATE webhooks/s into node 1, connector on node 2: $OTHER"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$REPORT"
