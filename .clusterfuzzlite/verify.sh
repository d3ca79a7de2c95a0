#!/usr/bin/env bash
# Checks .clusterfuzzlite/build.sh the way ClusterFuzzLite / OSS-Fuzz call it
# (there, inside the Docker image; here, with Debian's clang and AFL++), for
# two engines:
#   libfuzzer: CC=clang-14 CXX=clang++-14, CFLAGS/CXXFLAGS as OSS-Fuzz's
#              address build sets them (-fsanitize=address,fuzzer-no-link,
#              -stdlib=libc++, which build.sh drops), LIB_FUZZING_ENGINE=
#              -fsanitize=fuzzer; each $OUT fuzzer runs 1000 inputs over its
#              unzipped seed corpus with its .options dict and max_len.
#   afl:       CC=afl-clang-fast CXX=afl-clang-fast++, LIB_FUZZING_ENGINE=
#              AFL++'s driver archive (libAFLDriver.a); each $OUT fuzzer runs
#              every seed file by hand, then afl-fuzz -V 5 on the seeds.
# Exit 0 only if both builds succeed and every fuzzer runs clean.
#   .clusterfuzzlite/verify.sh [libfuzzer|afl]...   (default: both)
#   LIFECHECK_OSSFUZZ_DIR  scratch dir (default: build/oss-fuzz)
# Two full builds of the harness: several minutes on 2 cores; opt-in, not
# part of ci/test.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
scratch="${LIFECHECK_OSSFUZZ_DIR:-${root}/build/oss-fuzz}"
engines=("$@")
[[ ${#engines[@]} -gt 0 ]] || engines=(libfuzzer afl)
fuzzers=(diff_fuzzer sched_fuzzer parser_fuzzer)

check_out() {  # check_out OUT: the files OSS-Fuzz expects
  local f
  for f in "${fuzzers[@]}"; do
    for x in "$1/$f" "$1/${f}_seed_corpus.zip" "$1/$f.options"; do
      [[ -s "$x" ]] || { echo "verify: missing $x" >&2; return 1; }
    done
    [[ -x "$1/$f" ]] || { echo "verify: $1/$f not executable" >&2; return 1; }
  done
}

unzip_seeds() {  # unzip_seeds ZIP DIR
  rm -rf "$2" && mkdir -p "$2"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}

check_pin() {  # check_pin FUZZER RACE: mainline by default, and it can fail
  local race="$2"
  "$1" "${race}" >/dev/null 2>&1 ||
    { echo "verify: $1 is not pinned to mainline by default" >&2; return 1; }
  # In a subshell: the expected abort is not reported by this shell.
  if (cd "${scratch}" && LIFECHECK_CONFIG=free "$1" "${race}"; exit $?) \
      >"${scratch}/race.log" 2>&1 ||
      ! grep -q 'SUMMARY: lifecheck: I-DAX-1' "${scratch}/race.log"; then
    echo "verify: $1 does not find the seed race with LIFECHECK_CONFIG=free" >&2
    return 1
  fi
  echo "verify: $1: mainline by default; finds I-DAX-1 with LIFECHECK_CONFIG=free"
}

run_libfuzzer() {
  local out="${scratch}/libfuzzer/out" t0 f
  rm -rf "${scratch}/libfuzzer" && mkdir -p "${out}"
  t0=${SECONDS}
  CC=clang-14 CXX=clang++-14 \
  CFLAGS="-O1 -gline-tables-only -fsanitize=address,fuzzer-no-link" \
  CXXFLAGS="-O1 -gline-tables-only -fsanitize=address,fuzzer-no-link -stdlib=libc++" \
  LIB_FUZZING_ENGINE="-fsanitize=fuzzer" \
  OUT="${out}" WORK="${scratch}/libfuzzer" \
    .clusterfuzzlite/build.sh
  echo "verify: libfuzzer build: $((SECONDS - t0)) s"
  check_out "${out}"
  check_pin "${out}/diff_fuzzer" "${root}/corpus/diff_fuzzer/003-truncate-none-pinned.bin"
  check_pin "${out}/sched_fuzzer" "${root}/corpus/sched_fuzzer/003-zap-without-ptl.bin"
  for f in "${fuzzers[@]}"; do
    unzip_seeds "${out}/${f}_seed_corpus.zip" "${scratch}/libfuzzer/seeds-$f"
    mkdir -p "${scratch}/libfuzzer/new-$f"
    # As ClusterFuzz runs it: from $OUT, options file honoured by hand.
    local dict=()
    [[ -f "${out}/$f.dict" ]] && dict=(-dict="$f.dict")
    (cd "${out}" && ./"$f" -runs=1000 -seed=1 "${dict[@]}" -max_len=512 \
        "${scratch}/libfuzzer/new-$f" "${scratch}/libfuzzer/seeds-$f") \
      >"${scratch}/libfuzzer/$f.log" 2>&1 ||
      { tail -n 30 "${scratch}/libfuzzer/$f.log"; echo "verify: libfuzzer $f FAILED"; return 1; }
    echo "verify: libfuzzer $f: $(grep -E '^Done [0-9]+ runs' "${scratch}/libfuzzer/$f.log")"
  done
}

run_afl() {
  local out="${scratch}/afl/out" t0 f s d driver
  driver=""
  for d in /usr/lib/afl/libAFLDriver.a /usr/local/lib/afl/libAFLDriver.a; do
    [[ -f "$d" ]] && { driver="$d"; break; }
  done
  [[ -n "${driver}" ]] || { echo "verify: no libAFLDriver.a (dpkg -L afl++)" >&2; return 1; }
  rm -rf "${scratch}/afl" && mkdir -p "${out}"
  t0=${SECONDS}
  CC=afl-clang-fast CXX=afl-clang-fast++ \
  CFLAGS="-O1 -gline-tables-only" CXXFLAGS="-O1 -gline-tables-only" \
  LIB_FUZZING_ENGINE="${driver}" \
  OUT="${out}" WORK="${scratch}/afl" \
    .clusterfuzzlite/build.sh
  echo "verify: afl build: $((SECONDS - t0)) s"
  check_out "${out}"
  check_pin "${out}/diff_fuzzer" "${root}/corpus/diff_fuzzer/003-truncate-none-pinned.bin"
  check_pin "${out}/sched_fuzzer" "${root}/corpus/sched_fuzzer/003-zap-without-ptl.bin"
  for f in "${fuzzers[@]}"; do
    unzip_seeds "${out}/${f}_seed_corpus.zip" "${scratch}/afl/seeds-$f"
    for s in "${scratch}/afl/seeds-$f"/*; do
      "${out}/$f" "$s" >/dev/null 2>&1 ||
        { echo "verify: afl $f fails on seed $s" >&2; return 1; }
    done
    rm -rf "${scratch}/afl/findings-$f"
    local dict=""
    [[ -f "${out}/$f.dict" ]] && dict=1
    AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      afl-fuzz -V 5 ${dict:+-x "${out}/$f.dict"} -i "${scratch}/afl/seeds-$f" \
        -o "${scratch}/afl/findings-$f" -- "${out}/$f" \
      >"${scratch}/afl/$f.log" 2>&1 ||
      { tail -n 30 "${scratch}/afl/$f.log"; echo "verify: afl-fuzz $f FAILED"; return 1; }
    local stats="${scratch}/afl/findings-$f/default/fuzzer_stats"
    local crashes execs
    crashes="$(sed -n 's/^saved_crashes *: *//p' "${stats}")"
    execs="$(sed -n 's/^execs_done *: *//p' "${stats}")"
    echo "verify: afl $f: ${execs} execs in 5 s, ${crashes} crashes"
    [[ "${crashes}" == 0 ]] || { echo "verify: afl $f crashed" >&2; return 1; }
  done
}

for e in "${engines[@]}"; do
  case "$e" in
    libfuzzer) run_libfuzzer ;;
    afl) run_afl ;;
    *) echo "verify: unknown engine '$e' (libfuzzer, afl)" >&2; exit 2 ;;
  esac
done
echo "verify: OK (${engines[*]})"
