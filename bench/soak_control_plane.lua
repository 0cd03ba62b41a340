-- wrk script for bench/soak at the control plane: health checks and an unauthenticated call to
-- an operator service (401), alternately; /metrics is never read.
local n = 0
function request()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", "/health/live")
  end
  return wrk.format("POST", "/controlplane.v1.OperatorTenantService/ListTenants", {
    ["Content-Type"] = "application/json",
    ["Connect-Protocol-Version"] = "1",
    ["Authorization"] = "Bearer ekop_not_a_token",
  }, "{}")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d rps=%.1f p99_us=%d errors_connect=%d errors_read=%d " ..
    "errors_write=%d errors_timeout=%d status_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout, e.status))
end
