-- syndetect Redis index: SADD or SREM (ARGV[1]) of member ARGV[i + 1] to/from set
-- KEYS[i], for every i: thousands of set updates as one command of a MULTI/EXEC
-- transaction.
local command = ARGV[1]
for i, key in ipairs(KEYS) do
  redis.call(command, key, ARGV[i + 1])
end
return #KEYS
