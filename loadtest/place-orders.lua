-- wrk script used by bin/benchmark: places happy-path orders (one line of an unlimited SKU, a new customer each),
-- counts the answers by status, keeps the ids of accepted orders, and at the end writes those ids to the file
-- named by ORDERFLOW_BENCH_IDS and prints the figures. Requests carry the bearer token in ORDERFLOW_BENCH_TOKEN (an
-- operator's, which may place orders for any customer).

local threads = {}
local skus = { "TSHIRT-RED-M", "MUG-LOGO", "HOODIE-GREY-L" }

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("ORDERFLOW_BENCH_TOKEN") or ""
  counter = 0
  statuses = {}
  ids = {}
end

function request()
  counter = counter + 1
  local body = string.format('{"customerId":"bench-%d-%d","items":[{"sku":"%s","quantity":1}]}',
    thread_number, counter, skus[counter % #skus + 1])
  return wrk.format("POST", "/orders",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 202 then
    ids[#ids + 1] = body:match('"orderId":"([^"]+)"')
  end
end

function done(summary, latency, requests)
  local accepted, refused = 0, {}
  local file = assert(io.open(os.getenv("ORDERFLOW_BENCH_IDS") or "accepted-order-ids.txt", "w"))
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      if code == 202 then accepted = accepted + n else refused[#refused + 1] = code .. ": " .. n end
    end
    for _, id in ipairs(thread:get("ids")) do file:write(id, "\n") end
  end
  file:close()
  local seconds = summary.duration / 1e6
  io.write(string.format("accepted:      %d orders in %.1f s = %.0f orders/s\n", accepted, seconds, accepted / seconds))
  io.write(string.format("accept latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (every answer)\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("other answers: %s; socket errors: %d\n",
    #refused > 0 and table.concat(refused, ", ") or "none",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
