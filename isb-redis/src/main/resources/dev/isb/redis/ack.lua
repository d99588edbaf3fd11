-- Acks entries; under Interest and WorkQueue retention an acked entry is also removed (one group per
-- buffer, so acked by the group means acked by every group). An entry not pending is left alone.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2] '1' to remove acked entries; ARGV[3..] entry ids.
local removed = 0
for i = 3, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 and ARGV[2] == '1' then
    removed = removed + redis.call('XDEL', KEYS[1], ARGV[i])
  end
end
return removed
