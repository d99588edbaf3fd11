-- The counts of one buffer: {stream length, group pending (delivered, not acked), entries not yet
-- delivered to the group}; {-1} when the stream is missing, {-2, stream length} when only its group is.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2] MINID that removes entries older than maxAge ('' none).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {-1}
end
if ARGV[2] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
end
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do
    info[g[i]] = g[i + 1]
  end
  if info['name'] == ARGV[1] then
    local lag = info['lag']
    if not lag then
      -- Redis cannot tell after deletions: count what comes after the group's last delivered entry.
      lag = #redis.call('XRANGE', KEYS[1], '(' .. info['last-delivered-id'], '+')
    end
    return {redis.call('XLEN', KEYS[1]), info['pending'], lag}
  end
end
return {-2, redis.call('XLEN', KEYS[1])}
