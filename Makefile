# SPDX-License-Identifier: MIT
# The two commands a new user needs:
#   make serve   install what is missing, build, and serve Venus guests on /tmp/.virgl_test
#                (wire 0, Mesa <= 23.0) and /tmp/.virgl_test_wire1 (wire 1, Mesa >= 23.1)
#   make check   install, build (guest drivers included, cached), run every test
#   make bench   (after make check) run the benchmarks on lavapipe, rewrite docs/BENCHMARKS.md
#   make fuzz    build the libFuzzer targets (clang) and fuzz each for FUZZ_TIME seconds
.PHONY: serve check build bench fuzz

# SOCKET=PATH[:W] serves one socket instead of the two defaults.
SOCKET ?=
SERVE_ARGS ?=
FUZZ_TIME ?= 60
FUZZ_TARGETS ?= all

serve:
	@scripts/install-deps serve
	@scripts/build
	@exec build/pearvisor-gpu serve $(if $(SOCKET),--socket $(SOCKET)) $(SERVE_ARGS)

check:
	@scripts/check

build:
	@scripts/build

bench:
	@scripts/install-deps check
	@scripts/build-guest-mesa 22.3.6 build/guest
	@scripts/build
	@bench/run --docs $(BENCH_ARGS)

fuzz:
	@scripts/install-deps check
	@scripts/build
	@tests/fuzz/build
	@tests/fuzz/run --time $(FUZZ_TIME) $(FUZZ_TARGETS)
