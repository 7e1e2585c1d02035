-- KEYS[KEY0 + 1 ..] the channel's streams. Returns {in flight, delivered, expired, dead_lettered, then per
-- stream (in KEYS order) its queued entries: ready or waiting for a retry, not in flight}.
local in_flight = {}
local leases = redis.call('HVALS', K_INFLIGHT)
for _, raw in ipairs(leases) do
  local stream = cjson.decode(raw).stream
  in_flight[stream] = (in_flight[stream] or 0) + 1
end
local counters = redis.call('HMGET', K_STATS, 'delivered', 'expired', 'dead_lettered')
local reply = {#leases, tonumber(counters[1] or '0'), tonumber(counters[2] or '0'), tonumber(counters[3] or '0')}
for i = KEY0 + 1, #KEYS do
  reply[#reply + 1] = math.max(0, redis.call('XLEN', KEYS[i]) - (in_flight[KEYS[i]] or 0))
end
return reply
