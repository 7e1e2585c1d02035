-- ARGV[5] batch size. Requeues (leasable at once) up to a batch of messages whose lease deadline
-- is before now. Returns how many.
local reclaimed = 0
local expired = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[5]))
for _, message_id in ipairs(expired) do
  local raw = redis.call('HGET', K_INFLIGHT, message_id)
  if raw then
    requeue(message_id, cjson.decode(raw), NOW)
    reclaimed = reclaimed + 1
  else
    redis.call('ZREM', K_LEASES, message_id)
  end
end
return reclaimed
