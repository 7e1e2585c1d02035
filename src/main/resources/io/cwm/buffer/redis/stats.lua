-- KEYS[8..] the channel's streams. Returns {stream entries, in flight, delivered, expired, dead_lettered}.
local entries = 0
for i = 8, #KEYS do
  entries = entries + redis.call('XLEN', KEYS[i])
end
local counters = redis.call('HMGET', K_STATS, 'delivered', 'expired', 'dead_lettered')
return {entries, redis.call('HLEN', K_INFLIGHT),
  tonumber(counters[1] or '0'), tonumber(counters[2] or '0'), tonumber(counters[3] or '0')}
