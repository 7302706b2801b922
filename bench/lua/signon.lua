-- Sign-on POSTs as a browser sends them. The runner GETs the form once per wrk thread, like
-- a browser, and writes one line per thread to args[1]: lang, slug, the session cookie, the
-- CSRF token and the form's signed start time. Every request then signs with a new email
-- address (args[2] tags the run), alternating the organization and the individual forms.
local common = require("common")
local count = 0
local tag = "run"
local session

setup = common.setup
done = common.done

local PROVINCES = { "ON", "QC", "BC", "AB", "MB", "NS", "NB", "SK", "NL", "PE", "YT", "NT", "NU" }
local ORG_TYPES = { "drug_user_group", "harm_reduction", "health_medical", "community", "legal_human_rights" }
local DISPLAY_MODES = { "full_name", "first_initial", "descriptor", "counted_only" }

function init(args)
  local lines = common.lines(args[1])
  local parts = common.split(lines[(id - 1) % #lines + 1], "\t")
  session = {
    lang = parts[1],
    slug = parts[2],
    headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = parts[3],
    },
    csrf = parts[4],
    started = parts[5],
  }
  tag = args[2] or tag
end

function request()
  count = count + 1
  local email = string.format("s-%s-%d-%d@load.bench.example", tag, id, count)
  local province = PROVINCES[count % #PROVINCES + 1]
  local common_fields = {
    { "csrf_token", session.csrf },
    { "started", session.started },
    { "homepage", "" },
    { "email", email },
    { "province", province },
    { "city", "Trois-Rivières" },
  }
  local fields, form
  if count % 2 == 0 then
    form = "organization"
    fields = {
      { "org_name", string.format("Collectif fictif de l'Île %d-%d", id, count) },
      { "org_name_fr", "" },
      { "org_type", ORG_TYPES[count % #ORG_TYPES + 1] },
      { "website", string.format("collectif-%d-%d.example", id, count) },
      { "about", "Un organisme imaginaire, pour mesurer la charge." },
      { "name", "Marie-Ève Tremblay" },
      { "title", "Coordonnatrice" },
      { "authorized", "y" },
      { "consent_public", "y" },
    }
  else
    form = "individual"
    local mode = DISPLAY_MODES[count % #DISPLAY_MODES + 1]
    fields = {
      { "name", string.format("Étienne Fictif %d", count) },
      { "title", "" },
      { "display_mode", mode },
      { "descriptor", mode == "descriptor" and "Pair aidant" or "" },
      { "consent_public", mode ~= "counted_only" and "y" or "" },
    }
  end
  for _, pair in ipairs(fields) do
    table.insert(common_fields, pair)
  end
  local path = string.format("/%s/p/%s/sign/%s", session.lang, session.slug, form)
  return wrk.format("POST", path, session.headers, common.form(common_fields))
end
