-- wrk script: GET /v1/click with a signed click URL whose bid is unique per request (the URLs
-- are signed beforehand by tools.py click-urls: wrk has no HMAC). Thread t takes lines
-- t, t+T, t+2T ... of the file, so no URL is followed twice in a run.
-- Env: BENCH_CLICK_URLS (the file), BENCH_THREADS (wrk -t).
local file = os.getenv("BENCH_CLICK_URLS")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local paths, n, count
function init(args)
  paths, n, count = {}, 0, 0
  local i = 0
  for line in io.lines(file) do
    i = i + 1
    if (i - tid) % nthreads == 0 then
      count = count + 1
      paths[count] = line
    end
  end
end

local headers = {["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench/1"}

function request()
  n = n + 1
  if n > count then n = 1 end  -- ran out: repeats (still a new click id each time)
  return wrk.format("GET", paths[n], headers)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
