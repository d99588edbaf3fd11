-- The part of a read that must be atomic, without blocking: claim entries idle longer than ackWait
-- from any consumer of the group (redelivery, with delivery counts), replay this consumer's own pending
-- entries once after a restart, and count the group's pending entries (for maxAckPending). New entries
-- themselves are read by the caller with a plain XREADGROUP: returning them through Lua would double
-- their cost on the server.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2] consumer; ARGV[3] max; ARGV[4] ackWait (ms); ARGV[5] where
-- the replay of this consumer's own pending entries stands ('0' at the start, '' once done); ARGV[6]
-- MINID for maxAge ('' none); ARGV[7] where the last claim scan of the pending list stopped ('0-0' at
-- the start).
-- Returns {replay cursor ('' when done), claim cursor, the group's pending count after this step, then
-- per entry: id, delivery count, its field/value pairs as a nested array, and 'c' (claimed) or 'b'
-- (replayed)}.
local key, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])
local ackWait = tonumber(ARGV[4])
local backlog = ARGV[5]
if ARGV[6] ~= '' then
  redis.call('XTRIM', key, 'MINID', ARGV[6])
end
local out = {'', '0-0', 0}
local taken = 0
local claimedIds = {}
local function deliveries(id)
  local p = redis.call('XPENDING', key, group, id, id, 1)
  if p[1] then return p[1][4] end
  return 1
end
-- Redelivery: one step of a scan of the pending list that resumes where the last read left it.
local claimed = redis.call('XAUTOCLAIM', key, group, consumer, ackWait, ARGV[7], 'COUNT', max)
out[2] = claimed[1]
for _, entry in ipairs(claimed[2]) do
  if entry and entry[1] then
    claimedIds[entry[1]] = true
    out[#out + 1] = entry[1]
    out[#out + 1] = deliveries(entry[1])
    out[#out + 1] = entry[2] or {}
    out[#out + 1] = 'c'
    taken = taken + 1
  end
end
-- Entries trimmed away while pending (Limits retention) can never be delivered: forget them.
if claimed[3] then
  for _, gone in ipairs(claimed[3]) do
    redis.call('XACK', key, group, gone)
  end
end
if backlog ~= '' and taken >= max then
  out[1] = backlog -- no room left in this read: the replay goes on next time
elseif backlog ~= '' then
  local wanted = max - taken
  local own = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', wanted, 'STREAMS', key, backlog)
  local entries = own and own[1] and own[1][2] or {}
  for _, entry in ipairs(entries) do
    out[1] = entry[1]
    if not entry[2] then
      redis.call('XACK', key, group, entry[1])
    elseif not claimedIds[entry[1]] then
      out[#out + 1] = entry[1]
      out[#out + 1] = deliveries(entry[1])
      out[#out + 1] = entry[2]
      out[#out + 1] = 'b'
      taken = taken + 1
    end
  end
  -- A short answer means the replay reached the end of this consumer's own pending entries; beyond
  -- that cursor, the list now holds entries this reader takes with '>' and already holds.
  if #entries < wanted then out[1] = '' end
end
out[3] = redis.call('XPENDING', key, group)[1]
return out
