-- Shared by the wrk scripts: numbering threads, reading files, encoding forms, the report.
local common = {}

local threads = {}
local next_id = 1

-- Runs in wrk's main thread once per thread: gives each thread an id (a global there).
function common.setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function common.lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

function common.split(line, separator)
  local parts = {}
  local start = 1
  while true do
    local at = string.find(line, separator, start, true)
    if not at then
      table.insert(parts, string.sub(line, start))
      return parts
    end
    table.insert(parts, string.sub(line, start, at - 1))
    start = at + #separator
  end
end

function common.urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function common.form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    table.insert(parts, common.urlencode(pair[1]) .. "=" .. common.urlencode(pair[2]))
  end
  return table.concat(parts, "&")
end

-- One JSON line the runner reads back: throughput, latency percentiles (ms) and errors.
function common.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, ' ..
    '"bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return common
