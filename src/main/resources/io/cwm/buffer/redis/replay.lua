-- KEYS[8] the webhook's stream. ARGV[5] max_queue_size (<= 0: no limit), ARGV[6] the dead letter
-- (DLQ member, exactly as stored), ARGV[7] message_id, ARGV[8] the envelope JSON to queue (fresh
-- expires_at, delivery_count 0), ARGV[9] its expires_at. Puts the dead letter back on its queue as
-- a new entry, leasable at once, with no deliveries counted. The dead_lettered counter is left
-- alone (it counts events). Returns 'gone' when it is no longer a dead letter (replayed or deleted
-- meanwhile), 'full' when the queue holds max_queue_size entries (nothing changed), else 'replayed'.
local stream = KEYS[8]
local limit = tonumber(ARGV[5])
if not redis.call('ZSCORE', K_DLQ, ARGV[6]) then
  return 'gone'
end
if limit > 0 and redis.call('XLEN', stream) >= limit then
  return 'full'
end
redis.call('ZREM', K_DLQ, ARGV[6])
if redis.call('EXISTS', stream) == 0 then
  redis.call('XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM')
end
redis.call('XADD', stream, '*', 'message_id', ARGV[7], 'data', ARGV[8], 'expires_at', ARGV[9])
redis.call('HDEL', K_DELIVERIES, ARGV[7])
return 'replayed'
