-- wrk script: GET /v1/click with a signed click URL whose bid is unique per request (the URLs
-- are signed beforehand by tools.py click-urls: wrk has no HMAC). Thread t of T follows the
-- t-th of T equal blocks of the file, so no URL is followed twice in a run.
-- Every line has the same length (tools.py pads the bid), and each thread reads its block in
-- chunks of CHUNK lines as it goes: loading a million URLs in init cost wrk seconds of CPU
-- (and a table of a million strings made every Lua GC cycle walk them all), and wrk runs
-- thread 1 while thread 2 is still in init, which skews the count of a timed run.
-- Env: BENCH_CLICK_URLS (the file), BENCH_THREADS (wrk -t).
local file = os.getenv("BENCH_CLICK_URLS")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
local CHUNK = 1024

dofile(os.getenv("BENCH_DIR") .. "/common.lua")  -- setup: tid (init is this file's own)

local head = "GET "
local tail  -- the rest of the request: what wrk.format would write for these headers
local f, width, first, last, chunk, pos, left
function init(args)
  f = assert(io.open(file, "rb"))
  width = #f:read("*l") + 1  -- one line and its newline
  local lines = math.floor(f:seek("end") / width)
  local per = math.floor(lines / nthreads)
  first, last = (tid - 1) * per, tid * per  -- this thread's lines [first, last)
  pos, left = first, 0
  tail = " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
      "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) bench/1\r\n\r\n"
end

local at = 0
function request()
  if left == 0 then  -- the next chunk of this thread's block (from its start when used up)
    if pos >= last then pos = first end  -- ran out: repeats (still a new click id each time)
    local n = math.min(CHUNK, last - pos)
    f:seek("set", pos * width)
    chunk = f:read(n * width)
    pos, left, at = pos + n, n, 1
  end
  left = left - 1
  local start = at
  at = at + width
  return head .. chunk:sub(start, start + width - 2) .. tail
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
