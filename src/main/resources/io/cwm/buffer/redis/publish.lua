-- KEYS[8] the webhook's stream. ARGV[5] max_queue_size (<= 0: no limit), ARGV[6] envelope JSON
-- up to (without) the sequence field, ARGV[7] its tail after the sequence, ARGV[8] message_id,
-- ARGV[9] expires_at ('' when none). Returns -1 when the queue is full, else {sequence, entry id}.
local stream = KEYS[8]
local limit = tonumber(ARGV[5])
if limit > 0 and redis.call('XLEN', stream) >= limit then
  return -1
end
if redis.call('EXISTS', stream) == 0 then
  redis.call('XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM')
end
local sequence = redis.call('INCR', K_SEQ)
local data = ARGV[6] .. ',"sequence":' .. sequence .. ARGV[7]
local entry_id = redis.call('XADD', stream, '*', 'message_id', ARGV[8], 'data', data, 'expires_at', ARGV[9])
return {sequence, entry_id}
