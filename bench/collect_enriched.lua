-- wrk script: POST /v1/api/collect as bench/collect.lua, but each request from one of a pool of
-- distinct user agents (User-Agent header) and client addresses (X-Forwarded-For, read by a
-- server with --trust-proxy), so the enriched server does its geo look-up and user-agent parse
-- per request as it would for real traffic. Sent unchanged to the server without enrichment,
-- so the two runs differ only in the server's work.
-- Env: BENCH_KEY, BENCH_RUN, BENCH_AGENTS (file, one per line), BENCH_IPS (file).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup, init: tid, prefix, n, run
local key = os.getenv("BENCH_KEY") or "none"

local function lines(path)
  local t = {}
  for line in io.lines(path) do t[#t + 1] = line end
  return t
end

local agents, ips
function init_thread(args)
  agents = lines(os.getenv("BENCH_AGENTS"))
  ips = lines(os.getenv("BENCH_IPS"))
end

function request()
  n = n + 1
  local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
    ["User-Agent"] = agents[(n * 7 + tid) % #agents + 1],
    ["X-Forwarded-For"] = ips[(n * 13 + tid) % #ips + 1],
  }
  local body = '{"event_name":"page_view","event_id":"' .. prefix .. n ..
      '","page_url":"https://shop.example/checkout",' ..
      '"params":{"step":"shipping","cart_value":129.9}}'
  return wrk.format("POST", "/v1/api/collect", headers, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
