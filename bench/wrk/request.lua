-- wrk script for bench/run.py: one request shape per run, chosen by BENCH_MODE, and a JSON summary line.
--   get     GET the URL's path with BENCH_AUTHORIZATION and BENCH_PASSWORD (X-Company-Password) headers
--   create  POST /leasey/properties: a new listing with a unique name per request
--   update  PUT /leasey/properties/{uuid}: cycles through BENCH_UUIDS (comma-separated), changes the rent
--   token   POST /travtus/oauth2/token: client credentials BENCH_CLIENT_ID / BENCH_CLIENT_SECRET
--   mixed   nine in ten: a report GET (properties, showings, leads) of BENCH_COMPANY_ID or BENCH_COMPANY_ID_2 in
--           turn; one in ten: an update as above
local mode = os.getenv("BENCH_MODE") or "get"
local authorization = os.getenv("BENCH_AUTHORIZATION")
local company = os.getenv("BENCH_COMPANY_ID") or "123"
local password = os.getenv("BENCH_PASSWORD")
local company_2 = os.getenv("BENCH_COMPANY_ID_2")
local password_2 = os.getenv("BENCH_PASSWORD_2")
local reports = {"properties", "showings", "leads"}
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
  if mode == "create" or mode == "update" or mode == "mixed" then headers["Content-Type"] = "application/json" end
  if mode == "token" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
end

local function credentials()
  return '"company_id": ' .. company .. ', "password": "' .. password .. '"'
end

local function update()
  local uuid = uuids[(counter + thread_number) % #uuids + 1]
  local body = "{" .. credentials() .. ', "property": {"rent_amount": ' .. (2000 + counter % 500) ..
    ', "description": "Updated by the benchmark, pass ' .. counter .. '"}}'
  return wrk.format("PUT", prefix .. "/properties/" .. uuid, headers, body)
end

function request()
  counter = counter + 1
  if mode == "mixed" then
    if counter % 10 == 0 then return update() end
    local which = (counter + thread_number) % 6
    local cid, pass = company, password
    if which >= 3 then cid, pass = company_2, password_2 end
    local read_headers = {["Authorization"] = authorization, ["X-Company-Password"] = pass}
    return wrk.format("GET", prefix .. "/reports/" .. reports[which % 3 + 1] .. "?company_id=" .. cid, read_headers, nil)
  end
  if mode == "create" then
    local name = "Bench House " .. thread_number .. "-" .. counter
    local body = "{" .. credentials() .. ', "property": {"name": "' .. name .. '", "address": "' .. counter ..
      ' Bench Street", "city": "Toronto", "province_state": "ON", "country": "Canada", "bedrooms": 2, ' ..
      '"bathrooms": 1, "rent_amount": 2400, "features": [{"id": 1, "value": 1}, {"id": 4, "value": 1}]}}'
    return wrk.format("POST", prefix .. "/properties", headers, body)
  elseif mode == "update" then
    return update()
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
