-- ARGV[5] message_id, ARGV[6] '1' to retry, ARGV[7] max_deliveries (<= 0: no limit),
-- ARGV[8..] redelivery delay (ms) after 1, 2, ... deliveries (the last one applies beyond).
-- Returns 'requeued', 'dead_lettered' or 'not_in_flight'.
local message_id = ARGV[5]
local retry = ARGV[6] == '1'
local max_deliveries = tonumber(ARGV[7])
local raw = redis.call('HGET', K_INFLIGHT, message_id)
if not raw then
  return 'not_in_flight'
end
local lease = cjson.decode(raw)
local deliveries = deliveries_of(message_id)
local used_up = max_deliveries > 0 and deliveries >= max_deliveries
if retry and not used_up then
  local delays = #ARGV - 7
  local delay = tonumber(ARGV[7 + math.max(1, math.min(deliveries, delays))])
  requeue(message_id, lease, NOW + delay)
  return 'requeued'
end
drop_lease(message_id, lease)
local fields = entry_fields(lease.stream, lease.entry_id)
if not fields then
  redis.call('HDEL', K_DELIVERIES, message_id) -- entry deleted behind our back
  return 'not_in_flight'
end
dead_letter(lease.stream, lease.entry_id, fields, retry and 'max_deliveries' or 'rejected', deliveries)
return 'dead_lettered'
