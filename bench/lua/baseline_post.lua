-- The baseline's insert: a small form with a new email address in every request.
local common = require("common")
local count = 0
local tag = "run"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

setup = common.setup
done = common.done

function init(args)
  tag = args[1] or tag
end

function request()
  count = count + 1
  local body = common.form({
    { "email", string.format("b-%s-%d-%d@load.bench.example", tag, id, count) },
    { "name", string.format("Personne Fictive %d", count) },
  })
  return wrk.format("POST", "/sign", headers, body)
end
