-- ARGV[ARG0 + 1] message_id. Returns 1 when the message was in flight (now removed), else 0.
local message_id = ARGV[ARG0 + 1]
local raw = redis.call('HGET', K_INFLIGHT, message_id)
if not raw then
  return 0
end
local lease = cjson.decode(raw)
drop_lease(message_id, lease)
settle(lease.stream, lease.entry_id, message_id)
next_of_key(lease.okey, message_id)
redis.call('HINCRBY', K_STATS, 'delivered', 1)
return 1
