-- KEYS[KEY0 + 1] the webhook's stream. ARGV[ARG0 + 1] max_queue_size (<= 0: no limit), + 2 the
-- dead letter (DLQ member, exactly as stored), + 3 message_id, + 4 the envelope JSON to queue
-- (fresh expires_at, delivery_count 0), + 5 its expires_at, + 6 its ordering key ('' when none).
-- A replayed message of an ordered key goes behind the key's newer messages already read. Puts the dead letter back on its queue as
-- a new entry, leasable at once, with no deliveries counted. The dead_lettered counter is left
-- alone (it counts events). Returns 'gone' when it is no longer a dead letter (replayed or deleted
-- meanwhile), 'full' when the queue holds max_queue_size entries (nothing changed), else 'replayed'.
local stream = KEYS[KEY0 + 1]
local limit = tonumber(ARGV[ARG0 + 1])
if not redis.call('ZSCORE', K_DLQ, ARGV[ARG0 + 2]) then
  return 'gone'
end
if limit > 0 and redis.call('XLEN', stream) >= limit then
  return 'full'
end
redis.call('ZREM', K_DLQ, ARGV[ARG0 + 2])
if redis.call('EXISTS', stream) == 0 then
  redis.call('XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM')
end
if ARGV[ARG0 + 6] ~= '' then
  redis.call('XADD', stream, '*', 'message_id', ARGV[ARG0 + 3], 'data', ARGV[ARG0 + 4],
    'expires_at', ARGV[ARG0 + 5], 'ordering_key', ARGV[ARG0 + 6])
else
  redis.call('XADD', stream, '*', 'message_id', ARGV[ARG0 + 3], 'data', ARGV[ARG0 + 4],
    'expires_at', ARGV[ARG0 + 5])
end
redis.call('HDEL', K_DELIVERIES, ARGV[ARG0 + 3])
return 'replayed'
