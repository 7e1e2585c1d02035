-- KEYS[KEY0 + 1] the owner's lease set, KEYS[KEY0 + 2 ..] the channel's streams (in this call's
-- rotation order). ARGV[ARG0 + 1] owner, + 2 max messages, + 3 lease deadline (Unix ms), + 4
-- max_deliveries (<= 0: no limit), + 5 consumer name. Due requeued messages come first (by due
-- time), then new entries, read round-robin in shares over the streams (each stream in its own
-- order). Expired messages and messages whose deliveries are used up are dead-lettered on the way.
-- Each lease records the receiver process holding it (PROCESS, in the process's lease set and the
-- channel's holders), so reclaim.lua can requeue the leases of a process that died.
-- Returns {message_id, data, deliveries, ...} of the messages leased.
local OWNER_SET = KEYS[KEY0 + 1]
local OWNER = ARGV[ARG0 + 1]
local MAX = tonumber(ARGV[ARG0 + 2])
local DEADLINE = tonumber(ARGV[ARG0 + 3])
local MAX_DELIVERIES = tonumber(ARGV[ARG0 + 4])
local CONSUMER = ARGV[ARG0 + 5]
local HELD_SET = HELD_PREFIX .. PROCESS
local leased = {}
local taken = 0

local function offer(stream, entry_id, fields)
  local message_id = fields.message_id
  if not message_id or not fields.data then
    dead_letter(stream, entry_id, fields, 'malformed', 0)
    return
  end
  local deliveries = deliveries_of(message_id)
  local expires = parse_time(fields.expires_at)
  if expires and expires <= NOW then
    dead_letter(stream, entry_id, fields, 'expired', deliveries)
    return
  end
  if MAX_DELIVERIES > 0 and deliveries >= MAX_DELIVERIES then
    dead_letter(stream, entry_id, fields, 'max_deliveries', deliveries)
    return
  end
  if not take_key(fields.ordering_key, message_id, stream, entry_id) then
    return
  end
  deliveries = redis.call('HINCRBY', K_DELIVERIES, message_id, 1)
  redis.call('HSET', K_INFLIGHT, message_id, cjson.encode({
    stream = stream, entry_id = entry_id, owner = OWNER, process = PROCESS, deadline = DEADLINE,
    deliveries = deliveries, okey = key_of(fields.ordering_key)}))
  redis.call('ZADD', K_LEASES, DEADLINE, message_id)
  redis.call('SADD', OWNER_SET, message_id)
  redis.call('SADD', HELD_SET, message_id)
  leased[#leased + 1] = message_id
  leased[#leased + 1] = fields.data
  leased[#leased + 1] = deliveries
  taken = taken + 1
end

-- New entries of one stream for the group; a stream without the group gets it (from 0).
local function read_new(stream, count)
  local reply = redis.pcall('XREADGROUP', 'GROUP', GROUP, CONSUMER, 'COUNT', count, 'STREAMS', stream, '>')
  if type(reply) == 'table' and reply.err then
    if not string.find(reply.err, 'NOGROUP', 1, true) or redis.call('EXISTS', stream) == 0 then
      return {}
    end
    redis.call('XGROUP', 'CREATE', stream, GROUP, '0')
    reply = redis.call('XREADGROUP', 'GROUP', GROUP, CONSUMER, 'COUNT', count, 'STREAMS', stream, '>')
  end
  if not reply then
    return {}
  end
  return reply[1][2]
end

while taken < MAX do
  local due = redis.call('ZRANGEBYSCORE', K_RETRY, '-inf', ARGV[1], 'LIMIT', 0, MAX - taken)
  if #due == 0 then break end
  for _, member in ipairs(due) do
    redis.call('ZREM', K_RETRY, member)
    local ref = cjson.decode(member)
    local fields = entry_fields(ref.stream, ref.entry_id)
    if fields then
      offer(ref.stream, ref.entry_id, fields)
    else
      redis.call('HDEL', K_DELIVERIES, ref.message_id) -- entry deleted behind our back
      next_of_key(ref.okey, ref.message_id)
    end
  end
end

-- Entries parked behind their key's head are read but not leased: a budget of reads keeps one
-- call short when a key has a long backlog (the next lease goes on).
local budget = math.max(4 * MAX, 256)
local active = {}
for i = KEY0 + 2, #KEYS do
  active[#active + 1] = KEYS[i]
end
while taken < MAX and #active > 0 and budget > 0 do
  local share = math.ceil((MAX - taken) / #active)
  local still_active = {}
  for _, stream in ipairs(active) do
    local want = math.min(share, MAX - taken, budget)
    if want > 0 then
      local entries = read_new(stream, want)
      budget = budget - #entries
      for _, entry in ipairs(entries) do
        offer(stream, entry[1], fields_of(entry[2]))
      end
      if #entries == want then
        still_active[#still_active + 1] = stream
      end
    end
  end
  active = still_active
end
if taken > 0 then
  redis.call('SADD', K_HOLDERS, PROCESS)
end
return leased
