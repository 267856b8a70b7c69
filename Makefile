# liveview-c: `make run` serves the examples, `make test` runs every test.
# CMake + Ninja do the building; this file only strings the steps together.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
BUILD_TSAN ?= build-tsan
CMAKE_FLAGS ?=
FUZZ_RUNS  ?= 200000
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all build run test test-unit test-asan test-tsan fuzz fuzz-build fuzz-long fuzz-merge soak bench deps deps-test install uninstall clean

all: build

build:
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD)

deps:
	scripts/deps.sh run

deps-test:
	scripts/deps.sh test

run: deps build
	./$(BUILD)/bin/liveview-examples

# Every test: unit, protocol and browser tests on the normal build, then a
# 2-minute soak, the unit and protocol tests again under ASan+UBSan, the
# threading tests under TSan, then a bounded fuzz run. The tests' TMPDIR is a
# fresh folder, so that no upload directory outliving its server goes
# unnoticed.
test: deps-test build
	rm -rf $(BUILD)/test-tmp && mkdir -p $(BUILD)/test-tmp
	cd $(BUILD) && TMPDIR=$(abspath $(BUILD))/test-tmp ctest --output-on-failure
	scripts/check-upload-dirs.sh $(BUILD)/test-tmp
	$(MAKE) soak MINUTES=2 SOAK_INTERVAL=20
	$(MAKE) test-asan
	$(MAKE) test-tsan
	$(MAKE) fuzz

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

test-asan:
	@test -f $(BUILD_ASAN)/build.ninja || cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLV_SANITIZE=ON -DLV_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD_ASAN)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -L 'unit|protocol'

# The tests labelled `thread` (threads of their own against the library)
# under ThreadSanitizer; only they and the library are built. halt_on_error
# makes a race fail the test. No suppressions: libuv, jansson and OpenSSL are
# not instrumented, and what crosses threads goes through our own mutexes and
# atomics, which TSan sees.
test-tsan:
	@test -f $(BUILD_TSAN)/build.ninja || cmake -S . -B $(BUILD_TSAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLV_TSAN=ON -DLV_BENCH=OFF -DLV_NODE_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD_TSAN) --target lv_thread_tests
	cd $(BUILD_TSAN) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
		ctest --output-on-failure -L thread

# Each libFuzzer target runs FUZZ_RUNS inputs, starting from its seed corpus
# (tests/fuzz/corpus/<target>/, written by tests/fuzz/make_corpus.py). The
# seeds are copied into $(BUILD_FUZZ)/corpus/ afresh, so what a run finds goes
# to the copy, never into the repository (docs/testing.md, "Fuzzing").
# fuzz_channel plays a whole connection per input (a join and up to 64
# frames), about 1/5 the speed of the others: it runs FUZZ_RUNS/10 inputs.
fuzz: fuzz-build
	@for f in $(BUILD_FUZZ)/bin/fuzz_*; do \
		t=$${f##*/fuzz_}; c=$(BUILD_FUZZ)/corpus/$$t; rm -rf $$c; mkdir -p $$c; \
		if [ -d tests/fuzz/corpus/$$t ]; then cp tests/fuzz/corpus/$$t/* $$c/; fi; \
		runs=$(FUZZ_RUNS); if [ $$t = channel ]; then runs=$$(( runs / 10 )); fi; \
		echo "fuzz: $$f ($$runs runs, $$(ls $$c | wc -l) seeds)"; \
		$$f -runs=$$runs -seed=1 $$c > $(BUILD_FUZZ)/fuzz.log 2>&1 || { cat $(BUILD_FUZZ)/fuzz.log; exit 1; }; \
		tail -n 1 $(BUILD_FUZZ)/fuzz.log; \
	done

fuzz-build:
	@test -f $(BUILD_FUZZ)/build.ninja || CC=clang cmake -S . -B $(BUILD_FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLV_FUZZ=ON -DLV_WERROR=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD_FUZZ)

# Each target for FUZZ_MINUTES (default 10) of wall time, from the seeds plus
# whatever earlier long runs found ($(BUILD_FUZZ)/corpus-long/<target>/, kept
# between runs). A crash stops it and leaves crash-* in $(BUILD_FUZZ)/. To keep
# the gains, `make fuzz-merge` adds to tests/fuzz/corpus/ the inputs of
# corpus-long that reach new coverage (libFuzzer's -merge=1), for review.
FUZZ_MINUTES ?= 10
fuzz-long: fuzz-build
	@for f in $(BUILD_FUZZ)/bin/fuzz_*; do \
		t=$${f##*/fuzz_}; c=$(BUILD_FUZZ)/corpus-long/$$t; mkdir -p $$c; \
		if [ -d tests/fuzz/corpus/$$t ]; then cp -n tests/fuzz/corpus/$$t/* $$c/; fi; \
		echo "fuzz-long: $$f ($(FUZZ_MINUTES) min)"; \
		( cd $(BUILD_FUZZ) && ./bin/fuzz_$$t -max_total_time=$$(( $(FUZZ_MINUTES) * 60 )) -print_final_stats=1 corpus-long/$$t ) \
			> $(BUILD_FUZZ)/fuzz-long-$$t.log 2>&1 || { tail -n 60 $(BUILD_FUZZ)/fuzz-long-$$t.log; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' $(BUILD_FUZZ)/fuzz-long-$$t.log | tr '\n' ' '; echo; \
	done

fuzz-merge: fuzz-build
	@for f in $(BUILD_FUZZ)/bin/fuzz_*; do \
		t=$${f##*/fuzz_}; c=$(BUILD_FUZZ)/corpus-long/$$t; [ -d $$c ] || continue; mkdir -p tests/fuzz/corpus/$$t; \
		$$f -merge=1 tests/fuzz/corpus/$$t $$c > $(BUILD_FUZZ)/fuzz-merge.log 2>&1 || { cat $(BUILD_FUZZ)/fuzz-merge.log; exit 1; }; \
		echo "fuzz-merge: $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs, $$(du -sk tests/fuzz/corpus/$$t | cut -f1) KiB"; \
	done

# Installs the headers, libliveview.a, libliveview.so*, liveview.pc and the
# CMake package under $(DESTDIR)$(PREFIX) (docs/install.md). The list of
# installed files (DESTDIR included: CMake's manifest leaves it out) is kept
# for `make uninstall`.
install:
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) --target liveview_static liveview_shared
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"
	sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt > $(BUILD)/installed-files.txt
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	@test -f $(BUILD)/installed-files.txt || { echo "uninstall: no $(BUILD)/installed-files.txt (nothing installed by make install)"; exit 1; }
	xargs -d '\n' rm -fv < $(BUILD)/installed-files.txt
	rm -f $(BUILD)/installed-files.txt

# The micro-benchmarks, then server CPU per event under the C load client
# (bench/load.sh, docs/performance.md; LV_WORKERS and BENCH_* pass through),
# then the bare epoll echo floor at the same connections and pipelining (bench/floor.sh).
# The micro-benchmarks, then the suite of issue #12 (bench/suite.sh: one
# table, build/bench/results.json; about 5 minutes). bench/load.sh and
# bench/floor.sh run on their own for more connection counts.
bench: build
	@for b in bench_render bench_templates; do echo "== $$b"; $(BUILD)/bin/$$b; done
	@bench/peers/liveviewjs/install.sh
	@echo "== bench/suite.sh"; LV_BENCH_SERVER_BIN=$(BUILD)/bin/bench_server LV_LOAD_BIN=$(BUILD)/bin/liveview-load \
	    LV_BENCH_VIEWS_BIN=$(BUILD)/bin/bench_views FLOOR_SERVER_BIN=$(BUILD)/bin/floor_echo_server \
	    FLOOR_CLIENT_BIN=$(BUILD)/bin/floor_echo_client BENCH_DIR=$(BUILD)/bench bench/suite.sh

# The soak (bench/soak.mjs, docs/testing.md "Soak"): mixed traffic at
# SOAK_RATE operations/s over SOAK_VIEWS joined views for MINUTES, a report
# every SOAK_INTERVAL seconds; fails on any error, RSS drift over 1 % between
# the 2nd and the last interval, or descriptors not flat. `make soak
# MINUTES=60` is the long run; `make test` runs 2 minutes.
MINUTES       ?= 60
SOAK_VIEWS    ?= 5000
SOAK_INTERVAL ?= 60
SOAK_RATE     ?= 200
# Its thousands of sockets all come from 127.0.0.1: the per-address and total
# connection caps (docs/limits.md) are turned off for it.
soak: build
	ulimit -n "$$(ulimit -Hn)" && LV_MAX_CONNECTIONS=0 LV_MAX_CONNECTIONS_PER_ADDRESS=0 node bench/soak.mjs --bin $(BUILD)/bin/liveview-examples --views $(SOAK_VIEWS) \
		--minutes $(MINUTES) --interval $(SOAK_INTERVAL) --rate $(SOAK_RATE)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_TSAN)
