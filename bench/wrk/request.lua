-- wrk script for bench/run.py: one request shape per run, chosen by BENCH_MODE, and a JSON summary line.
--   get     GET the URL's path with BENCH_AUTHORIZATION and BENCH_PASSWORD (X-Company-Password) headers
--   create  POST /leasey/properties: a new listing with a unique name per request
--   update  PUT /leasey/properties/{uuid}: cycles through BENCH_UUIDS (comma-separated), changes the rent
--   token   POST /travtus/oauth2/token: client credentials BENCH_CLIENT_ID / BENCH_CLIENT_SECRET
local mode = os.getenv("BENCH_MODE") or "get"
local authorization = os.getenv("BENCH_AUTHORIZATION")
local company = os.getenv("BENCH_COMPANY_ID") or "123"
local password = os.getenv("BENCH_PASSWORD")
local prefix = os.getenv("BENCH_PREFIX") or "/leasey"
local uuids = {}
for value in string.gmatch(os.getenv("BENCH_UUIDS") or "", "[^,]+") do uuids[#uuids + 1] = value end

-- setup() runs in the main Lua state; each thread gets its own number as a global in its own state.
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

local counter = 0
local headers = {}
if authorization then headers["Authorization"] = authorization end

function init(args)
  if mode == "get" and password then headers["X-Company-Password"] = password end
  if mode == "create" or mode == "update" then headers["Content-Type"] = "application/json" end
  if mode == "token" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
end

local function credentials()
  return '"company_id": ' .. company .. ', "password": "' .. password .. '"'
end

function request()
  counter = counter + 1
  if mode == "create" then
    local name = "Bench House " .. thread_number .. "-" .. counter
    local body = "{" .. credentials() .. ', "property": {"name": "' .. name .. '", "address": "' .. counter ..
      ' Bench Street", "city": "Toronto", "province_state": "ON", "country": "Canada", "bedrooms": 2, ' ..
      '"bathrooms": 1, "rent_amount": 2400, "features": [{"id": 1, "value": 1}, {"id": 4, "value": 1}]}}'
    return wrk.format("POST", prefix .. "/properties", headers, body)
  elseif mode == "update" then
    local uuid = uuids[(counter + thread_number) % #uuids + 1]
    local body = "{" .. credentials() .. ', "property": {"rent_amount": ' .. (2000 + counter % 500) ..
      ', "description": "Updated by the benchmark, pass ' .. counter .. '"}}'
    return wrk.format("PUT", prefix .. "/properties/" .. uuid, headers, body)
  elseif mode == "token" then
    local body = "grant_type=client_credentials&client_id=" .. os.getenv("BENCH_CLIENT_ID") ..
      "&client_secret=" .. os.getenv("BENCH_CLIENT_SECRET")
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers, nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
