-- KEYS[KEY0 + 1] the webhook's stream. ARGV[ARG0 + 1] max_queue_size (<= 0: no limit), + 2
-- envelope JSON up to (without) the sequence field, + 3 its tail after the sequence, + 4
-- message_id, + 5 expires_at ('' when none), + 6 ordering key ('' when none: an entry field only
-- when set). Returns -1 when the queue is full, else {sequence, entry id}.
local stream = KEYS[KEY0 + 1]
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
return {sequence, entry_id}
