# c2chain top-level entry points. `make demo` and `make test` work on a fresh Debian bookworm
# machine: they install what is missing with apt-get, configure, build, then run.
#
#   make demo    build (release) and run the demo: generate a case, scan, report, verify
#   make test    the demo (release build, -Werror), then build with ASan+UBSan (-Werror) and
#                run the whole suite (ctest)
#   make build   release build only, in build/
#   make bench   run the benchmarks in bench/ (needs the peers: nfdump, softflowd, ...)
#   make fuzz    build the libFuzzer targets with clang in build-fuzz/
#   make clean

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

# Debian packages: to build, to run the test suite (peers used as oracles), to benchmark.
BUILD_PKGS := build-essential cmake ninja-build pkg-config clang libjansson-dev libssl-dev publicsuffix \
              zlib1g-dev libmaxminddb-dev libcurl4-openssl-dev libpcap-dev
TEST_PKGS  := $(BUILD_PKGS) python3 publicsuffix mmdb-bin nfdump softflowd tshark chromium nodejs node-ajv gzip
BENCH_PKGS := $(TEST_PKGS) time valgrind

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: all deps test-deps bench-deps build build-asan demo test bench fuzz clean

all: build

deps:
	$(call install_missing,$(BUILD_PKGS))

test-deps:
	$(call install_missing,$(TEST_PKGS))

bench-deps:
	$(call install_missing,$(BENCH_PKGS))

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

build-asan: test-deps
	cmake -S . -B $(BUILD_ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DC2C_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j $(JOBS)

demo: build
	$(BUILD)/c2chain demo

test: demo build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -L 'unit|torture|golden|fuzz-replay|conformance'

bench: bench-deps build
	bash bench/run.sh $(BUILD)/c2chain

# The libFuzzer binaries only (the unit tests are built and run with gcc by `make test`).
fuzz: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DC2C_FUZZ=ON
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target \
	  $$(ls fuzz/fuzz_*.c | sed 's|fuzz/||; s|\.c$$||')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
