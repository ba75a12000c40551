-- results.lua - wrk script for bench/results.sh: POST /api/v1/results with
-- the API key of $KEY, one activation code of the file $CODES per request
-- (one code a line), each thread starting at its own offset and cycling,
-- with the score bench/results_client.py gave it: once every code has its
-- result, every request is the same result again (200 « unchanged »).
-- done() prints the statuses each thread saw.
local codes = {}
local key = os.getenv("KEY")
local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	for line in io.lines(os.getenv("CODES")) do
		codes[#codes + 1] = line
	end
	n = #codes
	i = (id * 7919) % n -- each thread its own start
	statuses = {}
	wrk.method = "POST"
	wrk.path = "/api/v1/results"
	wrk.headers["Authorization"] = "Bearer " .. key
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	i = i % n + 1
	local score = ((i - 1) * 37) % 1001 -- results_client.py numbers the codes from 0
	return wrk.format(nil, nil, nil,
		string.format('{"code":"%s","score":%d,"duration_s":%d}', codes[i], score, 5400 + (i - 1) % 900))
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	for _, t in ipairs(threads) do
		local s = t:get("statuses")
		local parts = {}
		for k, v in pairs(s) do
			parts[#parts + 1] = k .. "=" .. v
		end
		table.sort(parts)
		io.write("statuses: " .. table.concat(parts, " ") .. "\n")
	end
end
