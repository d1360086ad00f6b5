-- Shared by the wrk scripts: one machine-readable summary line for bench/run.
-- requests = every completed response; status = non-2xx/3xx answers among them.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
      "BENCH requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d " ..
      "timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
