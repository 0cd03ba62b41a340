-- wrk script for bench/soak: a mix of what a server sees, round robin per connection.
-- Reads (GetAsset, ListProducts), writes (UpdateProduct, which also writes an outbox event for
-- the workers), scans (StocktakeScan, each with its own client scan id), unauthenticated calls
-- (an unknown API key: 401) and health checks (/health/live).
-- bench/soak sets SOAK_API_KEY, SOAK_ASSET_ID, SOAK_ASSET_CODE, SOAK_PRODUCT_ID, SOAK_STOCKTAKE_ID.
local key = assert(os.getenv("SOAK_API_KEY"), "SOAK_API_KEY not set")
local asset = assert(os.getenv("SOAK_ASSET_ID"), "SOAK_ASSET_ID not set")
local code = assert(os.getenv("SOAK_ASSET_CODE"), "SOAK_ASSET_CODE not set")
local product = assert(os.getenv("SOAK_PRODUCT_ID"), "SOAK_PRODUCT_ID not set")
local stocktake = assert(os.getenv("SOAK_STOCKTAKE_ID"), "SOAK_STOCKTAKE_ID not set")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  table.insert(threads, thread)
end

local n = 0
local thread_tag

function init(args)
  thread_tag = tostring(thread_no) .. "-" .. tostring(os.time())
end

local function rpc(path, body, bearer)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Connect-Protocol-Version"] = "1",
    ["Authorization"] = "Bearer " .. bearer,
  }, body)
end

-- A key of the right shape for no tenant: authentication looks it up and answers 401.
local bogus = "ek_00000000000000000000000000000000_" .. string.rep("x", 40)

function request()
  n = n + 1
  local kind = n % 8
  if kind == 0 or kind == 1 then
    return rpc("/eventkit.v1.InventoryService/GetAsset", '{"id":"' .. asset .. '"}', key)
  elseif kind == 2 then
    return rpc("/eventkit.v1.InventoryService/ListProducts", '{"page":{"pageSize":20}}', key)
  elseif kind == 3 then
    return rpc("/eventkit.v1.InventoryService/UpdateProduct",
      '{"product":{"id":"' .. product .. '","description":"soak ' .. n .. '"},"updateMask":"description"}', key)
  elseif kind == 4 then
    return rpc("/eventkit.v1.ScanningService/StocktakeScan",
      '{"clientScanId":"soak-' .. thread_tag .. '-' .. n .. '","stocktakeId":"' .. stocktake ..
      '","code":"' .. code .. '"}', key)
  elseif kind == 5 then
    return rpc("/eventkit.v1.InventoryService/ListProducts", '{}', bogus)
  else
    return wrk.format("GET", "/health/live")
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d rps=%.1f p99_us=%d errors_connect=%d errors_read=%d " ..
    "errors_write=%d errors_timeout=%d status_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout, e.status))
end
