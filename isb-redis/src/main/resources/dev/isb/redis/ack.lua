-- Acks entries and removes them from the stream (Interest and WorkQueue retention: one group per buffer,
-- so acked by the group means acked by every group). An entry that was not pending is left alone.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2..] entry ids.
local removed = 0
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    removed = removed + redis.call('XDEL', KEYS[1], ARGV[i])
  end
end
return removed
