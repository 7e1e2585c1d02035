-- ARGV[ARG0 + 1] batch size. Requeues (leasable at once) up to a batch of messages whose lease
-- deadline is before now, then every message leased by a receiver process whose liveness key
-- (ALIVE_PREFIX .. process, refreshed every few seconds by that process) has expired: it was
-- killed, its leases would otherwise wait for their whole ack timeout. The requeue is the same as
-- for an expired lease: the lease already counted as a delivery, the next lease counts again.
-- Atomic, so of two receivers reclaiming at once one requeues and the other finds nothing.
-- Returns {expired leases requeued, leases of dead processes requeued}.
local reclaimed = 0
local expired = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[ARG0 + 1]))
for _, message_id in ipairs(expired) do
  local raw = redis.call('HGET', K_INFLIGHT, message_id)
  if raw then
    requeue(message_id, cjson.decode(raw), NOW)
    reclaimed = reclaimed + 1
  else
    redis.call('ZREM', K_LEASES, message_id)
  end
end
local orphaned = 0
for _, holder in ipairs(redis.call('SMEMBERS', K_HOLDERS)) do
  if redis.call('EXISTS', ALIVE_PREFIX .. holder) == 0 then
    orphaned = orphaned + requeue_held(HELD_PREFIX .. holder, 'process', holder)
    redis.call('SREM', K_HOLDERS, holder)
  end
end
return {reclaimed, orphaned}
