#!/usr/bin/env bash
# deps.sh - install what the build and the test suite need, and nothing else.
#
# Idempotent: checks every Debian package with dpkg-query and installs only the
# missing ones, in a single apt-get call (apt-get update runs only then).
# Then runs npm install when a dependency of package.json is missing.
# Quiet: one line per action. Uses sudo when not root. Works without stdin (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deps: %s\n' "$*"; }

pkgs=(
	build-essential pkg-config
	libmicrohttpd-dev libsqlite3-dev libpq-dev libsodium-dev libcurl4-openssl-dev
	libjansson-dev libcsv-dev libunistring-dev libcairo2-dev libpango1.0-dev
	libxlsxwriter-dev fonts-dejavu-core
	libqrencode-dev       # the certificate's QR code (src/pdf/certificate.c)
	zbar-tools            # zbarimg: the tests decode that QR code back
	python3-openpyxl      # tests read the XLSX exports back (tests/lib/xlsx_read.py)
	poppler-utils         # pdftotext, pdfinfo, pdftoppm: the PDF tests read documents back
	postgresql            # server binaries, started by tests/lib/pg.sh
	python3-aiosmtpd      # SMTP sink for mail tests
	nginx                 # tests/http/lb.test.mjs: deploy/nginx/ in front of two clr serve
	openssl               # the self-signed certificate of that test
	chromium              # end-to-end tests (driven by playwright-core)
	wrk                   # bench/
	clang-14 libclang-rt-14-dev   # fuzz/: libFuzzer targets (libclang_rt.fuzzer is in libclang-rt-14-dev)
	sqlite3 ca-certificates tzdata   # tzdata: dates are shown in Europe/Paris time
)
# Node may come from outside Debian (nodesource, nvm...): only ask apt for it
# when no node/npm is on PATH, or the Debian packages would conflict.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { say "missing packages (${missing[*]}) and no sudo: install them as root"; exit 1; }
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	say "apt-get update"
	"${sudo[@]}" apt-get update -qq >/dev/null
	say "apt-get install ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" </dev/null >/dev/null
else
	say "Debian packages: all ${#pkgs[@]} present"
fi

# npm ls fails when a dependency of package.json is missing or does not match it.
if [ ! -d node_modules ] || ! npm ls --depth=0 >/dev/null 2>&1; then
	say "npm install"
	npm install --no-audit --no-fund --loglevel=error >/dev/null
	touch node_modules/.installed
else
	say "node modules: present"
fi
