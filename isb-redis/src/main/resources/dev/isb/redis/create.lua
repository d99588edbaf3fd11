-- Creates a buffer if it does not exist: the stream with its group at the start, and its settings.
-- An existing buffer, its group and its settings are left as they are.
-- KEYS[1] the stream; KEYS[2] the settings hash. ARGV[1] group; ARGV[2..] settings field/value pairs.
local found = false
if redis.call('EXISTS', KEYS[1]) == 1 then
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    for i = 1, #g, 2 do
      if g[i] == 'name' and g[i + 1] == ARGV[1] then found = true end
    end
  end
end
if not found then
  redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local fields = {}
  for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[2], unpack(fields))
end
return 1
