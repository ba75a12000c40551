-- short.lua - wrk script: one- and two-character searches (the first
-- keystrokes of a live search), which FTS5 trigram cannot serve.
local terms = { "a", "e", "ma", "le", "du", "ro", "th", "an", "be", "qu" }
math.randomseed(42)
request = function()
	return wrk.format("GET", "/candidats?q=" .. terms[math.random(#terms)])
end
