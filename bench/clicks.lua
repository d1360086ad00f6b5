-- wrk script: POST /v1/api/clicks with BENCH_BATCH (default 100) clicks per request, each
-- with a unique click_id and a landing URL (so every answer carries signed landing URLs).
-- Env: BENCH_CLICKS_KEY (a key with the clicks scope), BENCH_RUN, BENCH_BATCH.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local key = os.getenv("BENCH_CLICKS_KEY") or "none"
local size = tonumber(os.getenv("BENCH_BATCH") or "100")

local headers = {
  ["Authorization"] = "Bearer " .. key,
  ["Content-Type"] = "application/json",
}

local head = '{"partner_id":"bench","click_id":"c-'
local tail = '","bid_id":"bid-1","campaign_id":"cmp-1","tag_id":"pub-1",' ..
    '"landing_url":"https://shop.example/landing?utm_source=thrad"}'
local parts = {}

function request()
  local k = 1
  parts[k] = '{"clicks":['
  for i = 1, size do
    n = n + 1
    parts[k + 1] = (i == 1) and head or ("," .. head)
    parts[k + 2] = prefix
    parts[k + 3] = n
    parts[k + 4] = tail
    k = k + 4
  end
  parts[k + 1] = ']}'
  return wrk.format("POST", "/v1/api/clicks", headers, table.concat(parts, "", 1, k + 1))
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
