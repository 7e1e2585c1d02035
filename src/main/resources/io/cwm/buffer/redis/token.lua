-- KEYS[KEY0 + 1] the channel's token hash (RedisKeys.channel). ARGV[ARG0 + 1 .. ARG0 + 5] the
-- fields current, previous, previous_expires_at, config, rotated_at as the caller read them
-- ('' = absent), ARGV[ARG0 + 6 .. ARG0 + 10] their new values ('' = remove). Compare-and-set:
-- the new state is decided in Java (TokenState, so the rules exist once) from the values read,
-- and written only if the hash still holds them.
-- Returns 1 when written, 0 when the hash changed since it was read (read again and retry).
local key = KEYS[KEY0 + 1]
local FIELDS = {'current', 'previous', 'previous_expires_at', 'config', 'rotated_at'}
local stored = redis.call('HMGET', key, unpack(FIELDS))
for i, _ in ipairs(FIELDS) do
  if (stored[i] or '') ~= ARGV[ARG0 + i] then
    return 0
  end
end
for i, field in ipairs(FIELDS) do
  local value = ARGV[ARG0 + 5 + i]
  if value == '' then
    redis.call('HDEL', key, field)
  else
    redis.call('HSET', key, field, value)
  end
end
return 1
