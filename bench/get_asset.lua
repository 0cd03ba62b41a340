-- wrk script: GetAsset over Connect JSON with API-key auth (one asset, same request every time).
-- bench/run sets BENCH_API_KEY and BENCH_ASSET_ID and passes the full RPC URL to wrk.
local key = assert(os.getenv("BENCH_API_KEY"), "BENCH_API_KEY not set")
local asset = assert(os.getenv("BENCH_ASSET_ID"), "BENCH_ASSET_ID not set")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Connect-Protocol-Version"] = "1"
wrk.headers["Authorization"] = "Bearer " .. key
wrk.body = '{"id":"' .. asset .. '"}'

-- One machine-readable line for bench/run (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "errors_status=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end
