-- Writes a batch into one buffer, exactly once per message id inside the duplicates window.
-- KEYS[1] the stream; KEYS[2] the current de-dup bucket; KEYS[3] the previous one; KEYS[4] the bucket index;
-- KEYS[5] the buffer's settings hash, whose absence means the buffer was deleted (or never created).
-- ARGV[1] how many messages; ARGV[2] de-dup bucket ttl (ms); ARGV[3] '1' under Limits retention (trim the
-- oldest), '0' otherwise (refuse when full); ARGV[4] maxMsgs (-1: none); ARGV[5] MINID for maxAge ('' none);
-- then per message: kind ('0' DATA, '1' WMB), de-dup key, header bytes, payload bytes.
-- Returns per message: 'W' and the new entry id, 'D' and the first copy's id, or 'F' (no room) and '';
-- or only 'N' when the buffer does not exist (XADD would silently create a stream no group reads).
if redis.call('EXISTS', KEYS[5]) == 0 then
  return {'N'}
end
local n = tonumber(ARGV[1])
local limits = ARGV[3] == '1'
local maxMsgs = tonumber(ARGV[4])
-- Look every DATA id up in both buckets at once.
local ids = {}
for i = 0, n - 1 do
  if ARGV[6 + i * 4] == '0' then ids[#ids + 1] = ARGV[7 + i * 4] end
end
local seen = {}
if #ids > 0 then
  for _, bucket in ipairs({KEYS[3], KEYS[2]}) do
    for start = 1, #ids, 1000 do
      local chunk = {unpack(ids, start, math.min(#ids, start + 999))}
      local found = redis.call('HMGET', bucket, unpack(chunk))
      for j, id in ipairs(chunk) do
        if found[j] then seen[id] = found[j] end
      end
    end
  end
end
local out = {}
local remember = {}
local length = (not limits and maxMsgs > 0) and redis.call('XLEN', KEYS[1]) or 0
for i = 0, n - 1 do
  local base = 6 + i * 4
  local data = ARGV[base] == '0'
  local dedup = ARGV[base + 1]
  if data and seen[dedup] then
    out[#out + 1] = 'D'
    out[#out + 1] = seen[dedup]
  elseif (not limits) and maxMsgs > 0 and length >= maxMsgs then
    out[#out + 1] = 'F'
    out[#out + 1] = ''
  else
    local id = redis.call('XADD', KEYS[1], '*', ARGV[base + 2], ARGV[base + 3])
    length = length + 1
    if data then
      seen[dedup] = id
      remember[#remember + 1] = dedup
      remember[#remember + 1] = id
    end
    out[#out + 1] = 'W'
    out[#out + 1] = id
  end
end
if #remember > 0 then
  for start = 1, #remember, 1000 do
    redis.call('HSET', KEYS[2], unpack(remember, start, math.min(#remember, start + 999)))
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[4], KEYS[2])
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
elseif next(seen) then
  -- Duplicates and no new DATA entry: still write something, so that the caller's WAIT (which waits
  -- for this connection's last write) also covers first copies that another connection wrote.
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
-- Limits: trim once for the batch (the script is atomic, so no reader sees the stream longer).
if limits and maxMsgs > 0 then
  redis.call('XTRIM', KEYS[1], 'MAXLEN', '=', maxMsgs)
end
if ARGV[5] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[5])
end
return out
