-- wrk script used by bin/list-benchmark: a paced stream of GET /orders requests of several kinds, each timed, and
-- one sample per answer ("kind status microseconds") written at the end for bin/lib/list-benchmark.py.
--
-- Environment:
--   ORDERFLOW_LIST_RATE          requests/s over all threads (required: the lists are always paced)
--   ORDERFLOW_LIST_THREADS       wrk's -t, which must equal its -c (one connection per thread: see below)
--   ORDERFLOW_LIST_TOKENS        file of "customerId token" lines (customers' own bearer tokens)
--   ORDERFLOW_BENCH_TOKEN        an operator's bearer token, for the operator's queries
--   ORDERFLOW_LIST_PLACED_AFTER  the RFC 3339 time of the placedAfter= filter
--   ORDERFLOW_LIST_SAMPLES       where done() writes the samples
--   ORDERFLOW_LIST_SEED          seeds each thread's choices (the thread number is added)
--
-- Kinds, drawn at random per request: "first" (a customer's first page, GET /orders?limit=20) 55 %, "next" (the
-- page after one of those first pages or filtered pages, from its Link header, with the same customer's token) 20 %,
-- "shipped" (status=SHIPPED) 10 %, "recent" (placedAfter=) 10 %, "open" (an operator's unfinished orders, oldest
-- first) 2.5 %, "customer" (an operator's customerId= list) 2.5 %. A "next" with no page to go on from yet is a
-- "first".
--
-- One connection per thread, so that each answer belongs to the thread's last request: its time is measured here
-- (from request(), when wrk writes it, to response()) and its kind known. Pacing keeps a fixed schedule per thread,
-- as loadtest/place-orders.lua does; a thread that falls more than 1 s behind restarts its schedule rather than
-- bursting (the achieved rate shows), and a slow answer delays that thread's next request instead of being counted
-- as a queue (no coordinated-omission correction).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } orderflow_list_timespec;
  int clock_gettime(int clock, orderflow_list_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("orderflow_list_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1e6 + tonumber(now_ts.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local OPEN_QUERY = "/orders?status=PENDING,RESERVED,PAID,CONFIRMED&sort=oldest&limit=20"
local NEXT_QUEUE_MAX = 200

function init(args)
  tokens, customers = {}, {}
  local path = os.getenv("ORDERFLOW_LIST_TOKENS") or error("ORDERFLOW_LIST_TOKENS is not set")
  for line in io.lines(path) do
    local customer, token = line:match("^(%S+)%s+(%S+)$")
    if customer then
      tokens[customer] = "Bearer " .. token
      table.insert(customers, customer)
    end
  end
  if #customers == 0 then error("no tokens in " .. path) end
  operator = "Bearer " .. (os.getenv("ORDERFLOW_BENCH_TOKEN") or error("ORDERFLOW_BENCH_TOKEN is not set"))
  placed_after = os.getenv("ORDERFLOW_LIST_PLACED_AFTER") or error("ORDERFLOW_LIST_PLACED_AFTER is not set")
  math.randomseed((tonumber(os.getenv("ORDERFLOW_LIST_SEED") or "1") or 1) * 1000 + thread_number)
  local rate = tonumber(os.getenv("ORDERFLOW_LIST_RATE") or "0") or 0
  if rate <= 0 then error("ORDERFLOW_LIST_RATE must be above 0") end
  local nthreads = tonumber(os.getenv("ORDERFLOW_LIST_THREADS") or "1") or 1
  interval_ms = 1000 * nthreads / rate
  next_slot = nil
  pages = {}          -- pages to go on from: { path, customer }, at most NEXT_QUEUE_MAX, newest last
  samples = {}        -- "kind status us", one per answer
  sent_kind, sent_customer, sent_at = nil, nil, nil
end

function delay()
  local now = now_us() / 1000
  if next_slot == nil or next_slot < now - 1000 then
    next_slot = now   -- first request, or more than 1 s behind: restart the schedule instead of bursting
  end
  next_slot = next_slot + interval_ms
  local wait = next_slot - interval_ms - now
  return wait > 0 and math.floor(wait) or 0
end

local function get(path, authorization)
  return wrk.format("GET", path, { ["Authorization"] = authorization })
end

local function random_customer()
  return customers[math.random(#customers)]
end

function request()
  local r = math.random()
  local kind, customer, path, authorization
  if r < 0.20 and #pages > 0 then
    local page = table.remove(pages, math.random(#pages))
    kind, customer, path = "next", page[2], page[1]
  elseif r < 0.75 then
    kind, customer, path = "first", random_customer(), "/orders?limit=20"
  elseif r < 0.85 then
    kind, customer, path = "shipped", random_customer(), "/orders?status=SHIPPED&limit=20"
  elseif r < 0.95 then
    kind, customer = "recent", random_customer()
    path = "/orders?placedAfter=" .. placed_after .. "&limit=20"
  elseif r < 0.975 then
    kind, path, authorization = "open", OPEN_QUERY, operator
  else
    kind, path, authorization = "customer", "/orders?customerId=" .. random_customer() .. "&limit=20", operator
  end
  sent_kind, sent_customer, sent_at = kind, customer, now_us()
  return get(path, authorization or tokens[customer])
end

function response(status, headers, body)
  local took = now_us() - (sent_at or now_us())
  table.insert(samples, string.format("%s %d %d", sent_kind or "?", status, took))
  -- A customer's page with more to come: its Link header names the next page (the same query, with the cursor).
  if status == 200 and sent_customer and sent_kind ~= "next" then
    local link = headers["Link"] or headers["link"]
    local path = link and link:match("^<([^>]+)>")
    if path then
      if #pages >= NEXT_QUEUE_MAX then table.remove(pages, 1) end
      table.insert(pages, { path, sent_customer })
    end
  end
  sent_kind, sent_customer, sent_at = nil, nil, nil
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("ORDERFLOW_LIST_SAMPLES") or "list-samples.txt", "w"))
  for _, thread in ipairs(threads) do
    for _, sample in ipairs(thread:get("samples") or {}) do
      out:write(sample, "\n")
    end
  end
  out:close()
  local e = summary.errors
  io.write(string.format(
    "LIST requests=%d seconds=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
