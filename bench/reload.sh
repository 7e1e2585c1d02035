#!/usr/bin/env bash
# Config reload under load (issue 18): a receiver with a 1,000-webhook config takes signed 1 KB
# webhooks from wrk; in the "reloading" runs the config is reloaded every RELOAD_EVERY seconds
# (POST /admin/reload-config), alternating between two versions that differ by one added entry
# ("reload-probe") and ten changed ones. Reported, from one run of the script:
#   - reload time: POST sent -> answer (read, Vault-free substitution, full validation of 1,000
#     entries, swap); every verticle instance reads the one swapped snapshot, so the answer is the
#     moment the config is live everywhere in the process;
#   - live time: POST sent -> first answer of the probe id that shows the new config (curl polling
#     from outside, so it includes one HTTP round trip);
#   - wrk's p50/p99 ingest latency and req/s with and without reloads, rounds alternating.
# Settings: ROUNDS (3), DURATION (20 s per run), WARMUP (10 s), RELOAD_EVERY (2 s), CONNECTIONS (16),
# ENTRIES (1000), PORT (19331), JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
RELOAD_EVERY=${RELOAD_EVERY:-2}
CONNECTIONS=${CONNECTIONS:-16}
ENTRIES=${ENTRIES:-1000}
PORT=${PORT:-19331}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
TOKEN=bench-reload-token-0123456789
TS=$(date +%Y%m%d-%H%M%S)
OUT=bench/results/reload-$TS
mkdir -p "$OUT"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f target/cwm.jar ] || mvn -q -B package -DskipTests

# ---- two configs of ENTRIES webhooks each ---------------------------------------------------------
python3 - "$OUT" "$ENTRIES" <<'EOF'
import json, sys
out, entries = sys.argv[1], int(sys.argv[2])
def config(version):
    hooks = {"bench": {"data_type": "json", "module": "log",
                       "hmac": {"secret": "bench-hmac-secret-0123456789abcdef", "header": "X-HMAC-Signature",
                                "algorithm": "sha256"}}}
    for i in range(entries - 1):
        entry = {"module": "log", "hmac": {"secret": "secret-%04d-0123456789abcdef" % i, "header": "X-Sig"}}
        if i % 3 == 1:
            entry = {"module": "log", "authorization": "Bearer token-%04d-0123456789abcdef" % i}
        if i % 3 == 2:
            entry = {"module": "log", "ip_whitelist": ["10.0.%d.%d" % (i // 250, i % 250)],
                     "rate_limit": {"max_requests": 100 + i, "window_seconds": 60}}
        if version == "b" and i < 10:
            entry["module-config"] = {"pretty_print": True}
        hooks["hook-%04d" % i] = entry
    if version == "b":
        hooks["reload-probe"] = {"module": "log"}
    return hooks
for version in ("a", "b"):
    with open("%s/webhooks-%s.json" % (out, version), "w") as f:
        json.dump(config(version), f, indent=1)
EOF
cp "$OUT/webhooks-a.json" "$OUT/webhooks.json"
echo '{}' > "$OUT/connections.json"

BODY=$OUT/body-1k.json
{ printf '%s' '{"event":"push","id":"0000000000","payload":"'; head -c 977 /dev/zero | tr '\0' x; printf '"}'; } > "$BODY"
SIG=$(openssl dgst -sha256 -hmac "bench-hmac-secret-0123456789abcdef" -r < "$BODY" | cut -d' ' -f1)
export BENCH_BODY_FILE=$BODY BENCH_SIGNATURE=$SIG

# ---- receiver ---------------------------------------------------------------------------------------
# shellcheck disable=SC2086
CONFIG_RELOAD_ADMIN_TOKEN=$TOKEN CWM_CONSOLE=false java $JAVA_OPTS -jar target/cwm.jar receiver \
  --webhooks "$OUT/webhooks.json" --connections "$OUT/connections.json" --host 127.0.0.1 --port "$PORT" \
  > "$OUT/receiver.log" 2>&1 &
RECEIVER=$!
trap 'stop $RECEIVER' EXIT
wait_port "$PORT"
log "receiver up with $ENTRIES webhooks"

reload() {  # reload -> "seconds_total http_code"
  curl -s -o /dev/null -w '%{time_total} %{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/admin/reload-config"
}
probe() { curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "http://127.0.0.1:$PORT/webhook/reload-probe"; }
now_ms() { date +%s%3N; }

# reloader LOGFILE: toggles the config every RELOAD_EVERY s until killed; one line per reload:
# "reload_ms live_ms code"
reloader() {
  local version=a next want
  while :; do
    sleep "$RELOAD_EVERY"
    if [ "$version" = a ]; then next=b; want=200; else next=a; want=404; fi
    cp "$OUT/webhooks-$next.json" "$OUT/webhooks.json.tmp" && mv "$OUT/webhooks.json.tmp" "$OUT/webhooks.json"
    local start answer seconds code live
    start=$(now_ms)
    answer=$(reload)
    seconds=${answer% *}; code=${answer#* }
    until [ "$(probe)" = "$want" ]; do :; done
    live=$(( $(now_ms) - start ))
    echo "$(awk -v s="$seconds" 'BEGIN{printf "%.0f", s*1000}') $live $code" >> "$1"
    version=$next
  done
}

run_wrk() {  # run_wrk NAME -> appends "name req/s p50 p99 non2xx" to $OUT/runs.txt
  local file=$OUT/wrk-$1-$2.txt
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post-hmac.lua "http://127.0.0.1:$PORT/webhook/bench" \
    > "$file"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p50=$(awk '$1=="50%" {print $2}' "$file")
  p99=$(awk '$1=="99%" {print $2}' "$file")
  errors=$(awk '/Non-2xx/ {print $NF}' "$file"); errors=${errors:-0}
  echo "$1 $rps $p50 $p99 $errors" >> "$OUT/runs.txt"
  log "$1 round $2: $rps req/s, p50 $p50, p99 $p99, non-2xx $errors"
}

log "warm-up ${WARMUP}s"
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/post-hmac.lua "http://127.0.0.1:$PORT/webhook/bench" > /dev/null
reload > /dev/null   # the reload path warmed up too
: > "$OUT/runs.txt"; : > "$OUT/reloads.txt"
for round in $(seq 1 "$ROUNDS"); do
  run_wrk steady "$round"
  reloader "$OUT/reloads.txt" &
  RELOADER=$!
  run_wrk reloading "$round"
  stop $RELOADER
done

# ---- report -------------------------------------------------------------------------------------------
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f\n", v}'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "-"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
{
  echo "# config reload under load ($TS): $ENTRIES webhooks, $ROUNDS rounds x ${DURATION}s, reload every ${RELOAD_EVERY}s"
  for kind in steady reloading; do
    rps=$(awk -v k=$kind '$1==k {print $2}' "$OUT/runs.txt" | median)
    p50=$(awk -v k=$kind '$1==k {print $3}' "$OUT/runs.txt" | to_ms | median)
    p99=$(awk -v k=$kind '$1==k {print $4}' "$OUT/runs.txt" | to_ms | median)
    errors=$(awk -v k=$kind '$1==k {s+=$5} END {print s+0}' "$OUT/runs.txt")
    echo "$kind: median $rps req/s, p50 ${p50} ms, p99 ${p99} ms (median of rounds), non-2xx $errors"
  done
  count=$(wc -l < "$OUT/reloads.txt")
  failed=$(awk '$3!=200' "$OUT/reloads.txt" | wc -l)
  echo "reloads: $count ($failed not 200); reload answer ms: median $(awk '{print $1}' "$OUT/reloads.txt" | median)," \
    "max $(awk '{print $1}' "$OUT/reloads.txt" | sort -n | tail -1); live ms: median" \
    "$(awk '{print $2}' "$OUT/reloads.txt" | median), max $(awk '{print $2}' "$OUT/reloads.txt" | sort -n | tail -1)"
  echo "runs (kind req/s p50 p99 non-2xx):"; cat "$OUT/runs.txt"
} | tee "$OUT/report.txt"
