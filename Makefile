# Certification Le Robert - administrator platform.
#
#   make run     install what is missing, build, migrate, load demo data, serve
#   make test    every test (unit, HTTP on SQLite and PostgreSQL, Chromium, sanitizers,
#                20 s of each fuzz target)
#   make         build $(B)/clr
#   make asan    build $(B)/asan/clr (AddressSanitizer + UndefinedBehaviorSanitizer)
#   make doc-images  the screenshots of the administrator's manual (data/doc/images/)
#   make fuzz    build the libFuzzer targets of fuzz/ (clang-14) and run each for
#                FUZZ_SECONDS (default 300) on its corpus; FUZZ_TARGETS picks some

CC      ?= gcc
B       ?= build
MAKEFLAGS += --no-print-directory
PKGS    := libmicrohttpd sqlite3 libpq libsodium libcurl xlsxwriter cairo pangocairo jansson libqrencode
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -D_GNU_SOURCE -Isrc -I$(B)/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring -lcsv -lpthread -lm

SRC      := $(sort $(wildcard src/*/*.c))
LIBSRC   := $(filter-out src/main.c,$(SRC))
ASSETS   := $(sort $(wildcard templates/*.html templates/*/*.html templates/*.txt templates/*/*.txt \
              static/* migrations/*.sql data/*.tsv data/doc/*.txt data/doc/images/*.png))
OBJ      := $(patsubst src/%.c,$(B)/obj/%.o,$(SRC) src/main.c) $(B)/obj/gen/embedded.o
LIBOBJ   := $(patsubst src/%.c,$(B)/obj/%.o,$(LIBSRC)) $(B)/obj/gen/embedded.o
ASAN_OBJ := $(patsubst $(B)/obj/%,$(B)/asan/obj/%,$(OBJ))
ASAN_LIBOBJ := $(patsubst $(B)/obj/%,$(B)/asan/obj/%,$(LIBOBJ))
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

.PHONY: all run test asan deps clean unit demo-db fuzz fuzz-build doc-images
all: $(B)/clr

deps:
	@scripts/deps.sh

$(B)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

$(B)/gen/embedded.c: $(B)/tools/embed $(ASSETS)
	@mkdir -p $(@D)
	$(B)/tools/embed $@ $(ASSETS)

$(B)/obj/gen/embedded.o: $(B)/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(B)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/clr: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/asan/obj/gen/embedded.o: $(B)/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(B)/asan/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(B)/asan/clr: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)

asan: $(B)/asan/clr $(B)/asan/unit

$(B)/unit: $(UNIT_SRC) $(LIBOBJ) $(wildcard tests/unit/*.h) $(wildcard src/*/*.h)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(LIBOBJ) $(LDLIBS)

$(B)/asan/unit: $(UNIT_SRC) $(ASAN_LIBOBJ) $(wildcard tests/unit/*.h) $(wildcard src/*/*.h)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(ASAN_LIBOBJ) $(LDLIBS)

$(B)/bench-index: bench/index.c $(LIBOBJ) $(wildcard src/*/*.h)
	$(CC) $(CFLAGS) -o $@ bench/index.c $(LIBOBJ) $(LDLIBS)

unit: $(B)/unit
	$(B)/unit

# libFuzzer targets (fuzz/README.md: one fuzz/<target>.c each, fuzz/corpus/<target>/
# its committed seeds).  clang-14 beside the gcc build: the project's objects are
# compiled again with coverage instrumentation and ASan + UBSan into $(B)/fuzz/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 300
FUZZ_ALL     := $(sort $(basename $(notdir $(wildcard fuzz/*.c))))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LIBOBJ  := $(patsubst $(B)/obj/%,$(B)/fuzz/obj/%,$(LIBOBJ))

$(B)/fuzz/obj/gen/embedded.o: $(B)/gen/embedded.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Wno-overlength-strings -c -o $@ $<

$(B)/fuzz/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(FUZZ_LIBOBJ) $(wildcard src/*/*.h)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Ifuzz -o $@ $< $(FUZZ_LIBOBJ) $(LDLIBS)

# fuzz/request.c includes src/http/server.c (its static parse_uri()...): not linked twice
$(B)/fuzz/request: fuzz/request.c $(wildcard fuzz/*.h) src/http/server.c $(FUZZ_LIBOBJ) $(wildcard src/*/*.h)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Ifuzz -o $@ $< \
		$(filter-out $(B)/fuzz/obj/http/server.o,$(FUZZ_LIBOBJ)) $(LDLIBS)

fuzz-build: $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@echo "fuzzing $(words $(FUZZ_TARGETS)) target(s), $(FUZZ_SECONDS) s each (logs: $(B)/fuzz/logs/)"
	@B=$(B) FUZZ_CC=$(FUZZ_CC) scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

node_modules/.installed: package.json
	npm install --no-audit --no-fund
	@touch $@

run: deps $(B)/clr
	@mkdir -p var
	$(B)/clr migrate --db sqlite:var/clr.db
	$(B)/clr demo --db sqlite:var/clr.db
	$(B)/clr serve --db sqlite:var/clr.db --port $${CLR_PORT:-8080}

# The fuzz targets are built when clang-14 and libFuzzer are there (tests/run
# says « skip » otherwise); one that fails to build fails its test.
test: deps $(B)/clr $(B)/unit $(B)/asan/clr $(B)/asan/unit node_modules/.installed
	@if FUZZ_CC=$(FUZZ_CC) scripts/fuzz.sh --check; then $(MAKE) fuzz-build || echo "make: the fuzz targets did not build"; fi
	@tests/run

# The screenshots of the administrator's manual (data/doc/images/, committed):
# the real screens in headless Chromium against `clr demo` data.  Run it when a
# screen changes, then rebuild and look at the manual's pages again.
doc-images: $(B)/clr node_modules/.installed
	node scripts/doc-screenshots.mjs --bin $(B)/clr --out data/doc/images
	$(MAKE) $(B)/clr

clean:
	rm -rf build
