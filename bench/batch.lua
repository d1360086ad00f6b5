-- wrk script: POST /v1/api/collect/batch with BENCH_BATCH (default 100) events per request,
-- every one with a unique event_id.
-- Env: BENCH_KEY, BENCH_RUN, BENCH_BATCH.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local key = os.getenv("BENCH_KEY") or "none"
local size = tonumber(os.getenv("BENCH_BATCH") or "100")

local headers = {
  ["Authorization"] = "Bearer " .. key,
  ["Content-Type"] = "application/json",
}

-- The same events as collect.lua, joined with one table.concat per request (wrk shares the
-- machine's cores with the server: its own CPU per request matters).
local head = '{"event_name":"page_view","event_id":"'
local tail = '","page_url":"https://shop.example/checkout","user_agent":"bench/1",' ..
    '"params":{"step":"shipping","cart_value":129.9}}'
local parts = {}

function request()
  local k = 1
  parts[k] = '{"events":['
  for i = 1, size do
    n = n + 1
    parts[k + 1] = (i == 1) and head or ("," .. head)
    parts[k + 2] = prefix
    parts[k + 3] = n
    parts[k + 4] = tail
    k = k + 4
  end
  parts[k + 1] = ']}'
  return wrk.format("POST", "/v1/api/collect/batch", headers, table.concat(parts, "", 1, k + 1))
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
