-- search.lua - wrk script: the list page of the big organisation searched
-- with realistic substrings (parts of last names, first names with and
-- without accents, e-mail domains and fragments), one at random per request.
-- Terms shorter than three characters are left out: FTS5 trigram needs 3
-- (shorter ones fall back to LIKE, see docs/PERFORMANCE.md, « Short terms »).
-- With SEARCH_LIVE=1 in the environment, each request is the one the search
-- box sends as one types (static/app.js): the same URL with partiel=1, which
-- answers the results alone (bench/run.sh, case « live »).
local terms = {
	"mart", "dubo", "lefe", "lef%C3%A8vre", "helene", "h%C3%A9l%C3%A8ne", "jean", "nguy", "mercier",
	"dupont", "garc", "francois", "fran%C3%A7ois", "zoe", "chlo", "theo", "th%C3%A9o", "le+goff", "diallo",
	"gmail", "orange.fr", "wanadoo", "laposte", "rousseau", "bonnet", "roux", "ois", "anne-so", "marie",
	"mbapp", "n%27guess", "chateau", "boeuf", "lae", "quer", "jezeq", "saint-m", "leveque", "camille",
	"benoit", "noel", "mathi", "sebast", "clem", "ines", "ma%C3%ABlle", "raphael", "yasm", "gaet", "leg",
}
local suffix = os.getenv("SEARCH_LIVE") == "1" and "&partiel=1" or ""
math.randomseed(42)
request = function()
	return wrk.format("GET", "/candidats?q=" .. terms[math.random(#terms)] .. suffix)
end
