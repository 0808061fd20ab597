-- wrk script for http_latency.py: every request is a PUT of a JSON body with a bearer
-- token, both from the environment (BENCH_BODY, BENCH_TOKEN). "{n}" in the body becomes
-- 1..BENCH_NAMES in turn, so that a long run spreads its sets over that many exercises
-- (a run stores thousands of sets in one workout; a real exercise has a handful).
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

local template = os.getenv("BENCH_BODY")
local names = tonumber(os.getenv("BENCH_NAMES") or "1")
local counter = 0

request = function()
   counter = counter + 1
   local body = template:gsub("{n}", tostring(counter % names + 1))
   return wrk.format(nil, nil, nil, body)
end
