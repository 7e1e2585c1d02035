#!/usr/bin/env bash
# Embedded-buffer soak (issue 14, parts 4 and 5): one receiver on the embedded buffer relays at a
# fixed rate (RelayBench relay: POST -> buffer -> WebSocket connector -> ack) for SOAK_SECONDS,
# while the store's file size and live data (gauge cwm_buffer_store_bytes) are sampled every
# SAMPLE_SECONDS. The report gives the latency of the whole run, the largest file, and the largest
# file-to-live ratio once the store holds a megabyte or more (below that MVStore's fixed chunk
# overhead dominates any ratio). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SOAK_SECONDS=${SOAK_SECONDS:-600}
RATE=${RATE:-2500}                # webhooks/s; about half of (b) full speed on this 2-core box
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
PORT=${PORT:-19321}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}
TOKEN=soak-admin-token
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
TS=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS/soak-$TS.txt
DATA=$(mktemp -d)
PID=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

[ -f target/cwm.jar ] || mvn -q -B package -DskipTests
# shellcheck disable=SC2086
WEBHOOK_CONNECT_ADMIN_TOKEN=$TOKEN java $JAVA_OPTS -jar target/cwm.jar receiver --webhooks bench/relay-webhooks.json \
  --host 127.0.0.1 --port "$PORT" --data-dir "$DATA" > "$RESULTS/soak-receiver-$TS.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done

gauge() {  # gauge KIND -> bytes
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" \
    | awk -v kind="$1" '$1 == "cwm_buffer_store_bytes{kind=\"" kind "\"}" {printf "%d", $2}'
}

{
  echo "cwm embedded soak $TS: $RATE webhooks/s for $SOAK_SECONDS s; JAVA_OPTS $JAVA_OPTS; $(nproc) cores"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"

WARMUP_SECONDS=10 java -cp target/cwm.jar bench/RelayBench.java relay "$PORT" "$SOAK_SECONDS" "$RATE" \
  > "$RESULTS/soak-client-$TS.log" 2>&1 &
CLIENT=$!
SAMPLES=$RESULTS/soak-samples-$TS.tsv
printf 'seconds\tfile_bytes\tlive_bytes\trss_kb\n' > "$SAMPLES"
START=$SECONDS
while kill -0 "$CLIENT" 2>/dev/null; do
  sleep "$SAMPLE_SECONDS"
  kill -0 "$PID" 2>/dev/null || { log "receiver died"; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$((SECONDS - START))" "$(gauge file)" "$(gauge live)" \
    "$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")" >> "$SAMPLES"
done
wait "$CLIENT" || true
LINE=$(grep '^relay:' "$RESULTS/soak-client-$TS.log" | tail -1)
jcmd "$PID" GC.run >/dev/null
LIVE_HEAP=$(jcmd "$PID" GC.heap_info | sed -nE 's/.*total [0-9]+K, used ([0-9]+)K.*/\1 kB/p' | head -1)
{
  echo "$LINE"
  awk -F'\t' 'NR > 1 {
      if ($2 > maxfile) maxfile = $2
      if ($3 >= 1048576 && $2 / $3 > maxratio) maxratio = $2 / $3
      if ($4 > maxrss) maxrss = $4
      last = $0
    }
    END {
      printf "store file: largest %.1f MB; largest file/live ratio (live >= 1 MB) %.2f; receiver RSS largest %d kB\n",
        maxfile / 1048576, maxratio, maxrss
      split(last, f, "\t"); printf "at the end: file %.1f MB, live %.1f MB\n", f[2] / 1048576, f[3] / 1048576
    }' "$SAMPLES"
  echo "receiver live heap after a full GC at the end: $LIVE_HEAP; samples in $SAMPLES"
} | tee -a "$REPORT"
