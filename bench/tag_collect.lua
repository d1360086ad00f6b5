-- wrk script: POST /v1/t/collect as tag.js sends it from a page (TAG.md §3): text/plain (what
-- navigator.sendBeacon sends), an allowed Origin, the tag id in the body, no key; a unique
-- event_id on every request. The event is collect.lua's, so the two rows compare the paths.
-- Env: BENCH_RUN (unique per run), BENCH_TAG (a tag allowing BENCH_ORIGIN).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local tag = os.getenv("BENCH_TAG") or "bench-tag"
local origin = os.getenv("BENCH_ORIGIN") or "https://shop.example"

local headers = {
  ["Origin"] = origin,
  ["Content-Type"] = "text/plain;charset=UTF-8",
}

function request()
  n = n + 1
  local body = '{"tag_id":"' .. tag .. '","event_name":"page_view","event_id":"' .. prefix .. n ..
      '","page_url":"https://shop.example/checkout","user_agent":"bench/1",' ..
      '"params":{"step":"shipping","cart_value":129.9}}'
  return wrk.format("POST", "/v1/t/collect", headers, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
