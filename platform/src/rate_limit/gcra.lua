-- GCRA (generic cell rate algorithm) over several buckets at once, all or nothing: the request
-- is admitted only if every bucket has room, and then charged to every bucket.
--
-- KEYS[1..L]   lock keys (sign-in back-off): while one exists, refuse for its remaining TTL
-- KEYS[L+1..]  bucket keys, each holding its theoretical arrival time (TAT, microseconds)
-- ARGV[1]      L, the number of lock keys
-- ARGV[2i], ARGV[2i+1]  per bucket i: emission interval and capacity (burst * interval), in µs
--
-- Returns {admitted (1/0), remaining, reset_us, wait_us of each bucket...}: remaining is the
-- fewest requests any bucket still admits at once, reset_us the time until every bucket is
-- full again, and a bucket's wait_us how long it refuses (0 when it had room; for a lock key
-- refusal every wait is the lock's TTL). Time is the server's clock, the same for all callers.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local locks = tonumber(ARGV[1])
local buckets = #KEYS - locks

local locked = 0
for i = 1, locks do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 and ttl * 1000 > locked then locked = ttl * 1000 end
end
if locked > 0 then
  local out = {0, 0, locked}
  for i = 1, buckets do out[3 + i] = locked end
  return out
end

local refused = false
local tats, waits = {}, {}
local remaining, reset = -1, 0
for i = 1, buckets do
  local interval = tonumber(ARGV[2 * i])
  local capacity = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[locks + i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local wait = new_tat - now - capacity
  if wait > 0 then
    refused = true
    waits[i] = wait
  else
    waits[i] = 0
    local left = math.floor((capacity - (new_tat - now)) / interval)
    if remaining < 0 or left < remaining then remaining = left end
    if new_tat - now > reset then reset = new_tat - now end
  end
  tats[i] = new_tat
end

if refused then
  local out = {0, 0, 0}
  for i = 1, buckets do out[3 + i] = waits[i] end
  return out
end
for i = 1, buckets do
  local ttl_ms = math.ceil((tats[i] - now) / 1000)
  redis.call('SET', KEYS[locks + i], string.format('%.0f', tats[i]), 'PX', ttl_ms)
end
local out = {1, remaining, reset}
for i = 1, buckets do out[3 + i] = 0 end
return out
