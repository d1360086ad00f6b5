-- wrk script: POST /v1/api/collect with a unique event_id on every request (a repeated id
-- would be deduplicated and make the run meaningless). Also used against nginx, so both
-- targets receive byte-for-byte the same kind of request.
-- Env: BENCH_KEY (API key), BENCH_RUN (unique per run), BENCH_PATH (default the collect path).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local key = os.getenv("BENCH_KEY") or "none"
local path = os.getenv("BENCH_PATH") or "/v1/api/collect"

local headers = {
  ["Authorization"] = "Bearer " .. key,
  ["Content-Type"] = "application/json",
}

function request()
  n = n + 1
  local body = '{"event_name":"page_view","event_id":"' .. prefix .. n ..
      '","page_url":"https://shop.example/checkout","user_agent":"bench/1",' ..
      '"params":{"step":"shipping","cart_value":129.9}}'
  return wrk.format("POST", path, headers, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
