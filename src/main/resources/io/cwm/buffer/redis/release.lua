-- KEYS[KEY0 + 1] the owner's lease set. ARGV[ARG0 + 1] owner, ARGV[ARG0 + 2 ..] message ids whose
-- delivery is given back (not counted: their session broke with several in flight). Requeues
-- every message leased to the owner, leasable at once. Returns how many.
local owner = ARGV[ARG0 + 1]
for i = ARG0 + 2, #ARGV do
  local raw = redis.call('HGET', K_INFLIGHT, ARGV[i])
  if raw and cjson.decode(raw).owner == owner and tonumber(redis.call('HGET', K_DELIVERIES, ARGV[i]) or '0') > 0 then
    redis.call('HINCRBY', K_DELIVERIES, ARGV[i], -1)
  end
end
return requeue_held(KEYS[KEY0 + 1], 'owner', owner)
