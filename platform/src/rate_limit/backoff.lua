-- Sign-in failures with exponential back-off, for one or more subjects (an account, an
-- address) at once.
--
-- Per subject i (KEYS[2i-1] failure counter, KEYS[2i] lock key) and ARGV[4i-3..4i]:
--   free failures, base lock (ms), longest lock (ms), how long failures are remembered (ms).
-- Each call counts one failure; past the free ones the subject is locked for
-- base * 2^(failures - free - 1), at most the longest lock.
-- Returns the longest lock set now, in ms (0: none).
local longest = 0
for i = 1, #KEYS / 2 do
  local free = tonumber(ARGV[4 * i - 3])
  local base = tonumber(ARGV[4 * i - 2])
  local max = tonumber(ARGV[4 * i - 1])
  local memory = tonumber(ARGV[4 * i])
  local failures = redis.call('INCR', KEYS[2 * i - 1])
  redis.call('PEXPIRE', KEYS[2 * i - 1], memory)
  if failures > free then
    local exponent = math.min(failures - free - 1, 40)
    local lock = math.min(base * 2 ^ exponent, max)
    lock = math.floor(lock)
    if lock > 0 then
      redis.call('SET', KEYS[2 * i], '1', 'PX', lock)
      if lock > longest then longest = lock end
    end
  end
end
return longest
