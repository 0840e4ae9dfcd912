#!/usr/bin/env bash
# README's test command: installs what is missing, then builds and runs every test in the four
# builds CI needs, and ends with one summary line ("N passed, M failed").
#   1. release build, -Werror, epoll backend       -> unit + integration tests
#   2. ASan+UBSan build, -Werror, io_uring backend -> unit + integration tests
#   3. ASan+UBSan build, -Werror, epoll backend    -> unit + integration tests (the relay reads
#      and writes differently on each backend, and epoll is the default)
#   4. clang libFuzzer build                        -> each fuzzer for a bounded time (fuzz_seconds)
# Also checks formatting, and runs clang-tidy (.clang-tidy) on the release build's files, at low
# priority beside the tests (they mostly wait). Set
# PGROUTE_TEST_FAST=1 to run build 1 only (local iteration).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

bash .ci/install-deps >/tmp/pgroute-install-deps.log 2>&1 || {
  cat /tmp/pgroute-install-deps.log
  echo "0 passed, 1 failed"
  exit 1
}
echo "dependencies: ok (log in /tmp/pgroute-install-deps.log)"

passed=0
failed=0
record() { # record NAME EXIT_CODE
  if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

# Counts ctest's own results so the final line reflects every test case, not just stages.
run_ctest() { # run_ctest BUILD_DIR NAME [ctest args...]
  local dir=$1 name=$2
  shift 2
  local log=$dir/ctest.log
  # Two at a time: most tests wait rather than compute. The ones that start a Patroni cluster
  # run alone (RUN_SERIAL).
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j"$jobs" "$@") 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local total fails
  total=$(grep -oE 'tests failed out of [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  fails=$(grep -oE '[0-9]+ tests failed out of' "$log" | grep -oE '^[0-9]+' || echo 0)
  if [[ -z $total || $total -eq 0 ]]; then
    echo "FAIL $name: ctest ran no test"
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  [[ $status -eq 0 ]] || echo "FAIL $name: ctest exited $status"
  [[ $status -eq 0 || $fails -gt 0 ]] || failed=$((failed + 1))
}

# The two sanitizer builds compile the backend-independent code (codec, topology, config, auth
# and their tests) with the same flags: ccache compiles it once. The cache lives in the build
# tree, so each clean clone starts cold, as CI does; paths are hashed relative to the clone.
export CCACHE_DIR=${CCACHE_DIR:-$root/build-ci/ccache} CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Line tables are all a sanitizer report or a crash needs; full debug info doubles compile time.
debug_flags=(-DCMAKE_CXX_FLAGS_DEBUG=-g1 "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

build() { # build DIR CMAKE_ARGS...   (BUILD_TARGETS="a b" limits what is built)
  local dir=$1
  shift
  local targets=()
  for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
  cmake -S "$root" -B "$dir" -DPGROUTE_WERROR=ON "${launcher[@]}" "${debug_flags[@]}" "$@" \
    >"$dir.configure.log" 2>&1 &&
    cmake --build "$dir" -j"$jobs" "${targets[@]}" >"$dir.build.log" 2>&1
  local status=$?
  [[ $status -eq 0 ]] || tail -50 "$dir.configure.log" "$dir.build.log"
  return $status
}

mkdir -p build-ci
files=$(git ls-files '*.h' '*.cpp')
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files >/dev/null 2>&1
record "clang-format" $?

tidy_pid=
if build build-ci/release -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  record "build release (epoll)" 0
  # .clang-tidy: one naming convention, the bugprone and performance checks, on every file the
  # release build compiles. It is CPU work and the test runs mostly wait (for Patroni, for
  # timeouts), so it runs beside them at the lowest priority: it takes the idle cycles, and the
  # tests and builds keep the cores whenever they want them. Asio recognises clang's coroutines
  # only when told.
  nice -n 19 run-clang-tidy -p build-ci/release -j"$jobs" -quiet -extra-arg=-DASIO_HAS_CO_AWAIT=1 \
    -extra-arg=-DASIO_HAS_STD_COROUTINE=1 "^$root/(protocol|health|proxy|tests/(unit|integration|support)|bench)/" \
    >build-ci/clang-tidy.log 2>&1 &
  tidy_pid=$!
  run_ctest build-ci/release "release (epoll)"
else
  record "build release (epoll)" 1
fi

if [[ ${PGROUTE_TEST_FAST:-0} != 1 ]]; then
  for backend in io_uring epoll; do
    uring=OFF
    [[ $backend == io_uring ]] && uring=ON
    if build "build-ci/sanitize-$backend" -DCMAKE_BUILD_TYPE=Debug -DPGROUTE_SANITIZE=ON \
      -DPGROUTE_IO_URING=$uring -DPGROUTE_BUILD_BENCH=OFF; then
      record "build asan+ubsan ($backend)" 0
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_ctest "build-ci/sanitize-$backend" "asan+ubsan ($backend)"
    else
      record "build asan+ubsan ($backend)" 1
    fi
  done

  # Only the fuzz targets (pgroute_fuzzers, every one tests/fuzz declares): the rest of the tree
  # is covered by the two builds above. Each target is one process on one core, so they run side
  # by side.
  if BUILD_TARGETS="pgroute_fuzzers" CC=clang CXX=clang++ build build-ci/fuzz -DCMAKE_BUILD_TYPE=Debug -DPGROUTE_FUZZ=ON \
    -DPGROUTE_BUILD_BENCH=OFF; then
    record "build fuzz (clang)" 0
    run_ctest build-ci/fuzz "fuzz" -L fuzz
  else
    record "build fuzz (clang)" 1
  fi
fi

if [[ -n $tidy_pid ]]; then
  wait "$tidy_pid"
  status=$?
  [[ $status -eq 0 ]] || sed 's/\x1b\[[0-9;]*m//g' build-ci/clang-tidy.log | grep -E '(error|warning):' | sort -u | head -100
  record "clang-tidy" $status
fi

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
