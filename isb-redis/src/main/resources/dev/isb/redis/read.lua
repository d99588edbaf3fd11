-- Delivers up to ARGV[3] entries of one buffer to a consumer of its group, without blocking:
-- first entries idle longer than ackWait (from any consumer: redelivery), then, while the reader
-- replays its backlog, this consumer's own pending entries, then new entries while the group holds
-- fewer than maxAckPending.
-- KEYS[1] the stream. ARGV[1] group; ARGV[2] consumer; ARGV[3] max; ARGV[4] ackWait (ms);
-- ARGV[5] maxAckPending; ARGV[6] where this consumer's replay of its own pending entries stands ('0' at
-- the start, '' once done); ARGV[7] MINID for maxAge ('' none).
-- Returns {the replay cursor to pass next time ('' when done), then per entry: id, delivery count, and
-- its field/value pairs as a nested array}.
local key, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])
local ackWait = tonumber(ARGV[4])
local maxAckPending = tonumber(ARGV[5])
local backlog = ARGV[6]
if ARGV[7] ~= '' then
  redis.call('XTRIM', key, 'MINID', ARGV[7])
end
local out = {''}
local taken = 0
local claimedIds = {}
local function deliveries(id)
  local p = redis.call('XPENDING', key, group, id, id, 1)
  if p[1] then return p[1][4] end
  return 1
end
-- Redelivery: claim what has been idle for ackWait, walking the whole pending list if need be.
local cursor = '0-0'
repeat
  local claimed = redis.call('XAUTOCLAIM', key, group, consumer, ackWait, cursor, 'COUNT', max - taken)
  cursor = claimed[1]
  for _, entry in ipairs(claimed[2]) do
    if entry and entry[1] then
      claimedIds[entry[1]] = true
      out[#out + 1] = entry[1]
      out[#out + 1] = deliveries(entry[1])
      out[#out + 1] = entry[2] or {}
      taken = taken + 1
    end
  end
  -- Entries trimmed away while pending (Limits retention) can never be delivered: forget them.
  if claimed[3] then
    for _, gone in ipairs(claimed[3]) do
      redis.call('XACK', key, group, gone)
    end
  end
until cursor == '0-0' or taken >= max
if backlog ~= '' and taken < max then
  local own = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - taken, 'STREAMS', key, backlog)
  local entries = own and own[1] and own[1][2] or {}
  for _, entry in ipairs(entries) do
    out[1] = entry[1]
    if not entry[2] then
      redis.call('XACK', key, group, entry[1])
    elseif not claimedIds[entry[1]] then
      out[#out + 1] = entry[1]
      out[#out + 1] = deliveries(entry[1])
      out[#out + 1] = entry[2]
      taken = taken + 1
    end
  end
end
if taken < max then
  local pending = redis.call('XPENDING', key, group)[1]
  local room = math.min(max - taken, maxAckPending - pending)
  if room > 0 then
    local new = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', room, 'STREAMS', key, '>')
    if new and new[1] then
      for _, entry in ipairs(new[1][2]) do
        out[#out + 1] = entry[1]
        out[#out + 1] = 1
        out[#out + 1] = entry[2]
      end
    end
  end
end
return out
