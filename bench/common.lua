-- Shared by the wrk scripts (loaded with dofile at their top): wrk's setup numbers its threads
-- (`tid`, 1..T), and init gives each thread a `prefix` (BENCH_RUN-tid-) and a counter `n`, so
-- the ids a script builds from them never repeat within a run or across runs. A script that
-- needs more in its threads' init defines init_thread(args); one that needs none of it
-- defines its own init after the dofile.
run = os.getenv("BENCH_RUN") or tostring(os.time())

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = run .. "-" .. tostring(tid) .. "-"
  n = 0
  if init_thread then init_thread(args) end
end
