-- Reads GCRA buckets without charging them: how long the next request would wait.
--
-- KEYS[1..n]            bucket keys, each holding its theoretical arrival time (TAT, microseconds)
-- ARGV[2i-1], ARGV[2i]  per bucket i: emission interval and capacity (burst * interval), in µs
--
-- Returns the longest wait in microseconds (0: every bucket would admit one more). Used for
-- failure throttles: look first, charge only when the attempt failed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local capacity = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local w = tat + interval - now - capacity
  if w > wait then wait = w end
end
return wait
