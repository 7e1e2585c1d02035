# Shell helpers shared by the issue-16 benchmarks (raw-body.sh, dedup.sh, ordering.sh): sourced,
# not run. Needs REDIS_URL and RABBITMQ_URL set by the caller.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# stop PID: ends a process started by the script (no error when it is gone)
stop() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }

# wait_port PORT: until an HTTP server answers there (30 s), else exit 1
wait_port() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.2
  done
  log "port $1 did not open"; exit 1
}

# buffer_env BUFFER: sets the array BUFFER_ENV to the variables that select that buffer
buffer_env() {
  case "$1" in
    redis) BUFFER_ENV=(WEBHOOK_CONNECT_BUFFER=redis WEBHOOK_CONNECT_REDIS_URL="$REDIS_URL") ;;
    rabbitmq) BUFFER_ENV=(WEBHOOK_CONNECT_BUFFER=rabbitmq WEBHOOK_CONNECT_RABBITMQ_URL="$RABBITMQ_URL") ;;
    *) BUFFER_ENV=(WEBHOOK_CONNECT_BUFFER=embedded) ;;
  esac
}

# flush_redis PATTERN: deletes the Redis keys matching PATTERN (the bench channels' streams, state, records)
flush_redis() {
  command -v redis-cli >/dev/null || return 0
  redis-cli -u "$REDIS_URL" --scan --pattern "$1" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
}

# rabbitmq_queues delete|purge REGEX: deletes or purges the broker's queues whose names match REGEX
rabbitmq_queues() {
  command -v rabbitmqctl >/dev/null || return 0
  local queue
  for queue in $(rabbitmqctl -q list_queues name 2>/dev/null | grep -E "$2" || true); do
    rabbitmqctl -q "${1}_queue" "$queue" >/dev/null 2>&1 || true
  done
}
