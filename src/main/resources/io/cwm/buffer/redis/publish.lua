-- KEYS[KEY0 + 1] the webhook's stream, KEYS[KEY0 + 2] (only when deduplicating) the dedup record of
-- the message's key. ARGV[ARG0 + 1] max_queue_size (<= 0: no limit), + 2 envelope JSON up to
-- (without) the sequence field, + 3 its tail after the sequence, + 4 message_id, + 5 expires_at
-- ('' when none), + 6 ordering key ('' when none: an entry field only when set), + 7 the dedup
-- window in ms (only with the record key). Returns -1 when the queue is full, {-2, first
-- message_id} for a duplicate (nothing written), else {sequence, entry id}.
-- The record is written with the message in this one script: both or neither.
local stream = KEYS[KEY0 + 1]
local record = KEYS[KEY0 + 2]
if record then
  local first = redis.call('GET', record)
  if first then
    return {-2, first}
  end
end
local limit = tonumber(ARGV[ARG0 + 1])
if limit > 0 and redis.call('XLEN', stream) >= limit then
  return -1
end
if redis.call('EXISTS', stream) == 0 then
  redis.call('XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM')
end
local sequence = redis.call('INCR', K_SEQ)
local data = ARGV[ARG0 + 2] .. ',"sequence":' .. sequence .. ARGV[ARG0 + 3]
local entry_id
if ARGV[ARG0 + 6] ~= '' then
  entry_id = redis.call('XADD', stream, '*', 'message_id', ARGV[ARG0 + 4], 'data', data,
    'expires_at', ARGV[ARG0 + 5], 'ordering_key', ARGV[ARG0 + 6])
else
  entry_id = redis.call('XADD', stream, '*', 'message_id', ARGV[ARG0 + 4], 'data', data,
    'expires_at', ARGV[ARG0 + 5])
end
if record then
  redis.call('SET', record, ARGV[ARG0 + 4], 'PX', ARGV[ARG0 + 7])
end
return {sequence, entry_id}
