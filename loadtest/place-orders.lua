-- wrk script used by bin/benchmark: places happy-path orders (one line of an unlimited SKU, customers in turn) and
-- prints one machine-readable line for bin/lib/benchmark.py at the end.
-- Requests carry the bearer token in ORDERFLOW_BENCH_TOKEN (an operator's, which may place orders for any customer).
--
-- Environment:
--   ORDERFLOW_BENCH_RATE     orders/s over all threads; unset or 0 = as fast as the connections allow
--   ORDERFLOW_BENCH_THREADS  wrk's -t (the rate is split evenly between the threads)
--   ORDERFLOW_BENCH_TOKEN    the bearer token sent with every request
--
-- The load generator shares the cores with what it measures, so it does as little per request as it can: the
-- requests are built once, in init(), and handed out in turn, and there is no response() callback (with one, wrk
-- copies every answer's headers and body into Lua). wrk counts the answers other than 2xx and 3xx; the service
-- counts them by status (orderflow_orders_rejected_total), which bin/benchmark prints beside.
--
-- Pacing keeps a fixed schedule per thread (one slot every threads/rate seconds): delay() hands each request the
-- next free slot, so the rate holds whatever the latency, as long as enough connections are free. wrk starts its
-- latency clock when the request is written, after the delay, so latencies are the service's answer times; a
-- request that waits for a free connection is not counted as late (no coordinated-omission correction). A thread
-- that falls more than 1 s behind its schedule restarts it from now rather than bursting (the achieved rate shows).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } orderflow_timespec;
  int clock_gettime(int clock, orderflow_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("orderflow_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local threads = {}
local skus = { "TSHIRT-RED-M", "MUG-LOGO", "HOODIE-GREY-L" }
-- Distinct requests per thread, handed out in turn: a thousand customers, each ordering again and again.
local distinct = 1000

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local token = os.getenv("ORDERFLOW_BENCH_TOKEN") or ""
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  requests = {}
  for i = 1, distinct do
    local body = string.format('{"customerId":"bench-%d-%d","items":[{"sku":"%s","quantity":1}]}',
      thread_number, i, skus[i % #skus + 1])
    requests[i] = wrk.format("POST", "/orders", headers, body)
  end
  counter = 0
  local rate = tonumber(os.getenv("ORDERFLOW_BENCH_RATE") or "0") or 0
  local nthreads = tonumber(os.getenv("ORDERFLOW_BENCH_THREADS") or "1") or 1
  interval_ms = rate > 0 and (1000 * nthreads / rate) or 0
  next_slot = nil
end

-- wrk calls delay() before every request only when the script defines it, so it is defined only when pacing.
if (tonumber(os.getenv("ORDERFLOW_BENCH_RATE") or "0") or 0) > 0 then
  function delay()
    local now = now_ms()
    if next_slot == nil or next_slot < now - 1000 then
      next_slot = now   -- first request, or more than 1 s behind: restart the schedule instead of bursting
    end
    next_slot = next_slot + interval_ms
    local wait = next_slot - interval_ms - now
    return wait > 0 and math.floor(wait) or 0
  end
end

function request()
  counter = counter % distinct + 1
  return requests[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK accepted=%d seconds=%.3f p50_us=%d p99_us=%d max_us=%d other=%s socket_errors=%d\n",
    summary.requests - e.status, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, e.status > 0 and ("non-2xx:" .. e.status) or "none", e.connect + e.read + e.write + e.timeout))
end
