#!/usr/bin/env bash
# pg.sh - a throw-away PostgreSQL server for the test suite.
#
#   tests/lib/pg.sh start DIR   initdb into DIR/data, start on a free port on
#                               127.0.0.1 (socket in DIR), create database
#                               clr_test, print its URL on stdout:
#                               postgresql://postgres@127.0.0.1:PORT/clr_test
#   tests/lib/pg.sh restart DIR restart it in place (pg_ctl restart -m fast: the
#                               sessions are terminated, the port stays the same)
#   tests/lib/pg.sh stop DIR    stop it (fast shutdown); DIR is left to the caller.
#
# PostgreSQL refuses to run as root: as root the binaries run as the `postgres`
# user (created by the Debian package) and DIR is chowned to it. Diagnostics go
# to stderr and DIR/log; stdout carries only the URL.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		[ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
	fi
	# Debian keeps server binaries out of PATH; take the newest version.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	die "no PostgreSQL server binaries (initdb) found; run scripts/deps.sh"
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	# Ask the kernel for a free port (bind to port 0), fall back to a random one.
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	elif command -v node >/dev/null 2>&1; then
		node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
	else
		echo $((20000 + RANDOM % 20000))
	fi
}

start() {
	local dir=$1 bin port i
	bin=$(bindir)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
		chown -R postgres: "$dir"
		# the postgres user must be able to reach DIR
		local p=$dir
		while [ "$p" != / ]; do p=$(dirname "$p"); [ -x "$p" ] || chmod o+x "$p"; done
	fi
	as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
		|| as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	for i in 1 2 3 4 5; do
		port=$(free_port)
		if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 -s \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >&2; then
			break
		fi
		port=
		tail -5 "$dir/log" >&2 || true
	done
	[ -n "$port" ] || die "could not start PostgreSQL"
	echo "$port" >"$dir/port"
	for i in $(seq 1 100); do
		"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
		sleep 0.1
	done
	"$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c 'CREATE DATABASE clr_test' >&2 || die "CREATE DATABASE failed"
	echo "postgresql://postgres@127.0.0.1:$port/clr_test"
}

stop() {
	local dir=$1 bin
	bin=$(bindir)
	[ -d "$dir/data" ] || return 0
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop >&2 || true
}

restart() {
	local dir=$1 bin
	bin=$(bindir)
	[ -d "$dir/data" ] || die "no cluster in $dir"
	# -l: the restarted postmaster logs to the file, not to our stdout
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -m fast -w -t 60 -s restart >&2
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: pg.sh start DIR"; start "$2" ;;
restart) [ $# -eq 2 ] || die "usage: pg.sh restart DIR"; restart "$2" ;;
stop) [ $# -eq 2 ] || die "usage: pg.sh stop DIR"; stop "$2" ;;
*) die "usage: pg.sh start|restart|stop DIR" ;;
esac
