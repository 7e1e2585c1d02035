-- Prelude of every RedisBuffer script (prepended by LuaScript). Calling convention:
-- KEYS[1..9] the channel's keys (RedisKeys.channelKeys), KEYS[KEY0 + 1 ..] script-specific (streams,
-- owner set); ARGV[1] now (Unix ms, from the Java clock), ARGV[2] now as ISO-8601 (failed_at),
-- ARGV[3] prefix of the per-owner lease sets, ARGV[4] consumer group, ARGV[5] prefix of the
-- per-process lease sets, ARGV[6] prefix of the liveness keys, ARGV[7] this receiver process's id,
-- ARGV[8] prefix of the per-key lists of messages parked behind their ordering key's head;
-- ARGV[ARG0 + 1 ..] script-specific.
local K_INFLIGHT, K_RETRY, K_DELIVERIES, K_STATS, K_DLQ, K_LEASES, K_SEQ, K_HOLDERS, K_HEADS =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local KEY0, ARG0 = 9, 8
local NOW = tonumber(ARGV[1])
local FAILED_AT = ARGV[2]
local OWNER_PREFIX = ARGV[3]
local GROUP = ARGV[4]
local HELD_PREFIX = ARGV[5]
local ALIVE_PREFIX = ARGV[6]
local PROCESS = ARGV[7]
local PARKED_PREFIX = ARGV[8]

-- Error texts of the DLQ member ("Permanent failure" for a reject is also what Python receivers
-- write and read).
local ERRORS = {
  rejected = 'Permanent failure',
  max_deliveries = 'Maximum deliveries reached',
  expired = 'Message expired',
  malformed = 'Malformed stream entry',
}

local function fields_of(list)
  local fields = {}
  for i = 1, #list, 2 do
    fields[list[i]] = list[i + 1]
  end
  return fields
end

-- Stream keys end in ':{webhook_id}'; webhook ids cannot contain ':'.
local function webhook_of(stream)
  return string.match(stream, ':([^:]*)$')
end

local function entry_fields(stream, entry_id)
  local entries = redis.call('XRANGE', stream, entry_id, entry_id)
  if #entries == 0 then
    return nil
  end
  return fields_of(entries[1][2])
end

local function deliveries_of(message_id)
  return tonumber(redis.call('HGET', K_DELIVERIES, message_id) or '0')
end

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- ISO-8601 with a numeric offset or 'Z', fraction optional, to Unix ms; nil when absent or
-- without an offset (such a message never expires, as in Envelope.expiredAt).
local function parse_time(text)
  if not text or text == '' then return nil end
  local y, mo, d, h, mi, s, rest =
    string.match(text, '^(%d%d%d%d)-(%d%d)-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$')
  if not y then return nil end
  local millis = 0
  local fraction, zone = string.match(rest, '^[.,](%d+)(.*)$')
  if fraction then
    millis = math.floor(tonumber('0.' .. fraction) * 1000)
    rest = zone
  end
  local offset
  if rest == 'Z' or rest == 'z' then
    offset = 0
  else
    local sign, oh, om = string.match(rest, '^([+-])(%d%d):?(%d%d)$')
    if not sign then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * 60
    if sign == '-' then offset = -offset end
  end
  local seconds = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400
    + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s) - offset
  return seconds * 1000 + millis
end

-- Forgets the lease of a message (in-flight hash, deadline index, owner set, its process's set;
-- leases written before processes were recorded have none).
local function drop_lease(message_id, lease)
  redis.call('HDEL', K_INFLIGHT, message_id)
  redis.call('ZREM', K_LEASES, message_id)
  redis.call('SREM', OWNER_PREFIX .. lease.owner, message_id)
  if lease.process then
    redis.call('SREM', HELD_PREFIX .. lease.process, message_id)
  end
end

-- Ordering (a stream entry with an ordering_key field): K_HEADS maps each key to the one message of
-- the key that is out (in flight, or in K_RETRY: waiting for a redelivery or a lease); the key's
-- newer messages wait in the list PARKED_PREFIX .. key ({message_id, stream, entry_id, okey}, in
-- the order they were read), read from the stream but neither leased nor counted. When the head
-- is settled (acked or dead-lettered) the next parked message becomes the head, leasable at once.
local function key_of(okey)
  if okey and okey ~= '' then return okey end
  return nil
end

-- Whether the message may be leased now: it is its key's head (or becomes it); otherwise it is
-- parked behind the head and false is answered.
local function take_key(okey, message_id, stream, entry_id)
  okey = key_of(okey)
  if not okey then return true end
  local head = redis.call('HGET', K_HEADS, okey)
  if not head then
    redis.call('HSET', K_HEADS, okey, message_id)
    return true
  end
  if head == message_id then return true end
  redis.call('RPUSH', PARKED_PREFIX .. okey,
    cjson.encode({message_id = message_id, stream = stream, entry_id = entry_id, okey = okey}))
  return false
end

-- The key's head `message_id` is settled: the next parked message of the key becomes its head.
local function next_of_key(okey, message_id)
  okey = key_of(okey)
  if not okey or redis.call('HGET', K_HEADS, okey) ~= message_id then return end
  local parked = redis.call('LPOP', PARKED_PREFIX .. okey)
  if parked then
    redis.call('HSET', K_HEADS, okey, cjson.decode(parked).message_id)
    redis.call('ZADD', K_RETRY, NOW, parked)
  else
    redis.call('HDEL', K_HEADS, okey)
  end
end

-- Removes the stream entry for good: acked in the group, deleted, delivery count forgotten.
local function settle(stream, entry_id, message_id)
  redis.call('XACK', stream, GROUP, entry_id)
  redis.call('XDEL', stream, entry_id)
  if message_id then
    redis.call('HDEL', K_DELIVERIES, message_id)
  end
end

-- Moves a stream entry to the channel DLQ in the member shape every peer (including Python
-- receivers) reads (plus reason, webhook_id, delivery_count), score = failure time in Unix
-- seconds, and settles it.
local function dead_letter(stream, entry_id, fields, reason, deliveries)
  local member = cjson.encode({
    stream_id = entry_id,
    data = {message_id = fields.message_id or '', data = fields.data or '', expires_at = fields.expires_at or ''},
    error = ERRORS[reason],
    failed_at = FAILED_AT,
    reason = reason,
    webhook_id = webhook_of(stream),
    delivery_count = deliveries,
  })
  redis.call('ZADD', K_DLQ, NOW / 1000, member)
  settle(stream, entry_id, fields.message_id)
  next_of_key(fields.ordering_key, fields.message_id)
  redis.call('HINCRBY', K_STATS, reason == 'expired' and 'expired' or 'dead_lettered', 1)
end

-- Puts a leased message back for a later lease, leasable from not_before (Unix ms) on.
local function requeue(message_id, lease, not_before)
  drop_lease(message_id, lease)
  redis.call('ZADD', K_RETRY, not_before,
    cjson.encode({message_id = message_id, stream = lease.stream, entry_id = lease.entry_id, okey = lease.okey}))
end

-- Requeues (leasable at once) every message of the lease set `held` whose lease has `field` equal
-- to `value` (its owner session, or its receiver process), then deletes the set. Returns how many.
local function requeue_held(held, field, value)
  local count = 0
  for _, message_id in ipairs(redis.call('SMEMBERS', held)) do
    local raw = redis.call('HGET', K_INFLIGHT, message_id)
    if raw then
      local lease = cjson.decode(raw)
      if lease[field] == value then
        requeue(message_id, lease, NOW)
        count = count + 1
      end
    end
  end
  redis.call('DEL', held)
  return count
end
