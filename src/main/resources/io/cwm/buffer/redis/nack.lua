-- ARGV[ARG0 + 1] message_id, + 2 '1' to retry, + 3 max_deliveries (<= 0: no limit), + 4 ..
-- redelivery delay (ms) after 1, 2, ... deliveries (the last one applies beyond).
-- Returns 'requeued', 'dead_lettered' or 'not_in_flight'.
local message_id = ARGV[ARG0 + 1]
local retry = ARGV[ARG0 + 2] == '1'
local max_deliveries = tonumber(ARGV[ARG0 + 3])
local raw = redis.call('HGET', K_INFLIGHT, message_id)
if not raw then
  return 'not_in_flight'
end
local lease = cjson.decode(raw)
local deliveries = deliveries_of(message_id)
local used_up = max_deliveries > 0 and deliveries >= max_deliveries
if retry and not used_up then
  local delays = #ARGV - (ARG0 + 3)
  local delay = tonumber(ARGV[ARG0 + 3 + math.max(1, math.min(deliveries, delays))])
  requeue(message_id, lease, NOW + delay)
  return 'requeued'
end
drop_lease(message_id, lease)
local fields = entry_fields(lease.stream, lease.entry_id)
if not fields then
  redis.call('HDEL', K_DELIVERIES, message_id) -- entry deleted behind our back
  next_of_key(lease.okey, message_id)
  return 'not_in_flight'
end
dead_letter(lease.stream, lease.entry_id, fields, retry and 'max_deliveries' or 'rejected', deliveries)
return 'dead_lettered'
