-- wrk script: POST /v1/api/conversion over a pool of pre-registered clicks
-- (clk_bench_1 .. clk_bench_<BENCH_CLICKS>), with a unique Idempotency-Key on every request.
-- Env: BENCH_KEY, BENCH_RUN, BENCH_CLICKS.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local key = os.getenv("BENCH_KEY") or "none"
local clicks = tonumber(os.getenv("BENCH_CLICKS") or "64")

function request()
  n = n + 1
  local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "idem-" .. prefix .. n,
  }
  local body = '{"click_id":"clk_bench_' .. (n % clicks + 1) ..
      '","conversion_time":"2026-02-19T18:00:00Z","conversion_value":49.99,' ..
      '"currency":"usd","order_id":"order-' .. prefix .. n .. '"}'
  return wrk.format("POST", "/v1/api/conversion", headers, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
