#!/usr/bin/env bash
# Builds and runs the whole test suite: the release build's unit, integration and
# property tests; the same tests under ASan+UBSan; the SPSC/priority ring tests under
# TSan; and a short run of every fuzzer.
# Usage: scripts/test.sh            (everything, as CI runs it)
#        FUZZ_SECONDS=60 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-20}
start=$(date +%s)
stage() { printf '\n=== %s (%ds elapsed)\n' "$1" $(( $(date +%s) - start )); }

stage "release: configure and build"
cmake --preset release
cmake --build --preset release -j "$jobs"
stage "release: tests"
ctest --preset release -j "$jobs" --timeout 600

stage "asan: configure and build (ASan + UBSan)"
cmake --preset asan
cmake --build --preset asan -j "$jobs"
stage "asan: tests"
ctest --preset asan -j "$jobs" --timeout 900

stage "tsan: configure and build the cross-thread ring tests (ThreadSanitizer)"
cmake --preset tsan
cmake --build --preset tsan -j "$jobs"
stage "tsan: ring tests"
ctest --preset tsan -j "$jobs" --timeout 600

stage "fuzz: configure and build (clang, libFuzzer)"
cmake --preset fuzz
cmake --build --preset fuzz -j "$jobs"
stage "fuzz: ${fuzz_seconds}s per target"
scripts/fuzz-smoke.sh build/fuzz "$fuzz_seconds"

stage "all tests passed"
