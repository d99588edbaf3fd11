-- Deletes every key of a buffer: stream (with its group), settings, de-dup buckets and their index.
-- KEYS[1] the stream; KEYS[2] the settings hash; KEYS[3] the de-dup index.
for _, bucket in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  redis.call('DEL', bucket)
end
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
