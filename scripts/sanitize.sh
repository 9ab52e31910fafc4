#!/usr/bin/env bash
# Builds capsim with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/ and runs
# the unit and end-to-end (CLI) tests under them; the validation tests (long simulations of
# closed forms) run in the Release build only. Any sanitizer report fails the test that hit it
# (-fno-sanitize-recover=all; leaks are reported at exit).
#
#   scripts/sanitize.sh [CTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Line tables only (-g1): enough for the sanitizers' stack traces with file and line, and a
# shorter build than RelWithDebInfo's full -g (CI builds this from scratch). -O2 stays: at -O1
# the longest golden run (daily-cycle) passed its 120 s limit under load.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPSIM_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
cmake --build build-asan -j "${CAPSIM_JOBS:-2}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The sanitized binary is several times slower: the golden runs' limit (120 s,
# tests/cli/golden_test.cpp) is multiplied by this (the longest golden, daily-cycle, took over
# 120 s under the sanitizers on a two-core machine).
export CAPSIM_TEST_TIMEOUT_FACTOR="${CAPSIM_TEST_TIMEOUT_FACTOR:-4}"
# The Chromium and notebook checks exercise the same binary as the CLI tests and are slow under
# the sanitizers; the validation tests are long simulations: Release only.
ctest --test-dir build-asan --output-on-failure -j2 -L 'unit_tests|cli_tests' "$@"
