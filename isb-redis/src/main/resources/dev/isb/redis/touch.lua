-- Keep-alive and nak for entries this consumer holds: resets their idle time to ARGV[3] ms (0 keeps them
-- for another ackWait; ackWait - delay makes them claimable after delay). Entries now held by another
-- consumer, or no longer pending, are left alone and returned.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2] consumer; ARGV[3] idle (ms); ARGV[4..] entry ids.
local lost = {}
for i = 4, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
