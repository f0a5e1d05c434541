-- syndetect Redis index: one round trip for a check's band keys.
-- KEYS: band-key sets; ARGV[1]: cap. Returns (1-based key position, paragraph id)
-- pairs, at most ARGV[1] paragraphs (the smallest ids) per key.
local out, n, cap = {}, 0, tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', key)
  if #members > 0 then
    for j = 1, #members do members[j] = tonumber(members[j]) end
    if #members > cap then table.sort(members) end
    for j = 1, math.min(#members, cap) do
      out[n + 1] = i
      out[n + 2] = members[j]
      n = n + 2
    end
  end
end
return out
