# Certification Le Robert - administrator platform.
#
#   make run     install what is missing, build, migrate, load demo data, serve
#   make test    every test (unit, HTTP on SQLite and PostgreSQL, Chromium, sanitizers)
#   make         build build/clr
#   make asan    build build/asan/clr (AddressSanitizer + UndefinedBehaviorSanitizer)

CC      ?= gcc
MAKEFLAGS += --no-print-directory
PKGS    := libmicrohttpd sqlite3 libpq libsodium libcurl
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -D_GNU_SOURCE -Isrc -Ibuild/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

SRC      := $(sort $(wildcard src/*/*.c))
LIBSRC   := $(filter-out src/main.c,$(SRC))
ASSETS   := $(sort $(wildcard templates/*.html templates/*/*.html templates/*.txt templates/*/*.txt \
              static/* migrations/*.sql))
OBJ      := $(patsubst src/%.c,build/obj/%.o,$(SRC) src/main.c) build/obj/gen/embedded.o
LIBOBJ   := $(patsubst src/%.c,build/obj/%.o,$(LIBSRC)) build/obj/gen/embedded.o
ASAN_OBJ := $(patsubst build/obj/%,build/asan/obj/%,$(OBJ))
ASAN_LIBOBJ := $(patsubst build/obj/%,build/asan/obj/%,$(LIBOBJ))
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

.PHONY: all run test asan deps clean unit demo-db
all: build/clr

deps:
	@scripts/deps.sh

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

build/gen/embedded.c: build/tools/embed $(ASSETS)
	@mkdir -p $(@D)
	build/tools/embed $@ $(ASSETS)

build/obj/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

build/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

build/clr: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/asan/obj/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

build/asan/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

build/asan/clr: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)

asan: build/asan/clr build/asan/unit

build/unit: $(UNIT_SRC) $(LIBOBJ) tests/unit/test.h
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(LIBOBJ) $(LDLIBS)

build/asan/unit: $(UNIT_SRC) $(ASAN_LIBOBJ) tests/unit/test.h
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(ASAN_LIBOBJ) $(LDLIBS)

unit: build/unit
	build/unit

node_modules/.installed: package.json
	npm install --no-audit --no-fund
	@touch $@

run: deps build/clr
	@mkdir -p var
	build/clr migrate --db sqlite:var/clr.db
	build/clr demo --db sqlite:var/clr.db
	build/clr serve --db sqlite:var/clr.db --port $${CLR_PORT:-8080}

test: deps build/clr build/unit build/asan/clr build/asan/unit node_modules/.installed
	@tests/run

clean:
	rm -rf build
