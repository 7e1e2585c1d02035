-- KEYS[KEY0 + 1] the owner's lease set. ARGV[ARG0 + 1] owner. Requeues every message leased to
-- the owner, leasable at once. Returns how many.
local owner = ARGV[ARG0 + 1]
local released = 0
for _, message_id in ipairs(redis.call('SMEMBERS', KEYS[KEY0 + 1])) do
  local raw = redis.call('HGET', K_INFLIGHT, message_id)
  if raw then
    local lease = cjson.decode(raw)
    if lease.owner == owner then
      requeue(message_id, lease, NOW)
      released = released + 1
    end
  end
end
redis.call('DEL', KEYS[KEY0 + 1])
return released
