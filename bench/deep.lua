-- deep.lua - wrk script: random pages of the big organisation's list
-- (pages 1..2000 of 50, i.e. up to the last one), sorted by name.
math.randomseed(42)
request = function()
	return wrk.format("GET", "/candidats?page=" .. math.random(2000))
end
