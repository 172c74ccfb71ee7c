-- wrk script: each thread replays its own file of pre-signed requests ("path\tbody" per line),
-- so every request has its own nonce and MsgId (wrk threads would share math.random's seed).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local prefix = args[1]
  paths, bodies, n, wraps = {}, {}, 0, 0
  for line in io.lines(prefix .. "-" .. id .. ".txt") do
    local tab = string.find(line, "\t", 1, true)
    n = n + 1
    paths[n] = string.sub(line, 1, tab - 1)
    bodies[n] = string.sub(line, tab + 1)
  end
  i = 0
end

function request()
  i = i + 1
  if i > n then i = 1; wraps = wraps + 1 end
  return wrk.format("POST", paths[i], {["Content-Type"] = "text/xml"}, bodies[i])
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do wrapped = wrapped + thread:get("wraps") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, wrapped))
end
