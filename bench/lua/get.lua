-- GET requests cycling through the paths listed in a file (args[1]), one per line; each
-- thread starts at a different place in the list.
local common = require("common")
local requests = {}
local index = 0

setup = common.setup
done = common.done

function init(args)
  for _, path in ipairs(common.lines(args[1])) do
    table.insert(requests, wrk.format("GET", path))
  end
  math.randomseed(id * 7919)
  index = math.random(#requests) - 1
end

function request()
  index = index % #requests + 1
  return requests[index]
end
