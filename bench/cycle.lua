-- wrk script: every request carries the next value of one header taken from a file (a member's
-- session cookie or API token), so that each request comes from another member.
--
--   wrk -s bench/cycle.lua URL -- FILE HEADER THREADS [METHOD] [BODY ROUND]
--
-- Each wrk thread starts at its own slice of the file, so two threads do not send the same member
-- at the same moment. BODY (JSON) may hold a %s, replaced by a position kind that alternates on
-- each pass over the file and each round: a member who comes round again changes their position
-- instead of sending the same one (which would change nothing and cost less).

local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
end

function init(args)
  values = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      values[#values + 1] = line
    end
  end
  if #values == 0 then
    error("no values in " .. args[1])
  end
  header = args[2]
  local threads = tonumber(args[3]) or 1
  method = args[4] or "GET"
  body = args[5]
  round = tonumber(args[6]) or 0
  -- Abstain first: few seeded positions are abstentions, so most first posts are real changes.
  kinds = { "abstain", "consent" }
  start = math.floor(id * #values / threads)
  sent = 0
end

function request()
  local n = start + sent
  sent = sent + 1
  local headers = {}
  headers[header] = values[n % #values + 1]
  local payload = nil
  if body then
    local pass = math.floor(n / #values)
    headers["Content-Type"] = "application/json"
    payload = string.format(body, kinds[(pass + round) % 2 + 1])
  end
  return wrk.format(method, nil, headers, payload)
end
