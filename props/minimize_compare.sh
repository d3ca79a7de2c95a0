#!/usr/bin/env bash
# Minimiser comparison on ONE crash file (docs/performance.md ("Minimiser")):
# lifecheck minimize vs libFuzzer -minimize_crash vs afl-tmin.
#
# The crash file is bench_minimize --encode: corpus/regress/
# 003-truncate-none-pinned.trace (root cause: fault, pin, truncate; I-DAX-1)
# padded to 128 calls, the most the binary form holds (kMaxDecodedCalls).
#
# usage: props/minimize_compare.sh [BUILD_DEFAULT] [BUILD_FUZZ] [BUILD_AFL]
#   defaults: build/default build/fuzz-nosan build/afl; a missing fuzzer
#   build is skipped with a note. Needs python3 for timing.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEF=${1:-$ROOT/build/default}
FUZZ=${2:-$ROOT/build/fuzz-nosan}
AFL=${3:-$ROOT/build/afl}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/lifecheck_min_cmp.XXXXXX")
CRASH=$OUT/crash-dax128.bin
LC=$DEF/lifecheck

"$DEF/props/bench_minimize" --calls 128 --encode "$CRASH" \
  "$ROOT/corpus/regress/003-truncate-none-pinned.trace" | sed -n '1,5p'
echo
echo "== lifecheck minimize (spec oracle)"
"$LC" minimize -q -o "$OUT/lc.trace" "$CRASH" | tail -1
"$LC" run -q "$OUT/lc.trace"

verdict_of() {  # the finding the minimised crash file decodes to
  "$LC" decode "$1" 2>/dev/null | sed -n 's/^# expect: //p'
}
calls_of() { "$LC" decode "$1" 2>/dev/null | grep -c '^thread '; }

if [[ -x "$FUZZ/diff_fuzzer" ]]; then
  echo
  echo "== libFuzzer -minimize_crash=1 -runs=100000 -seed=1"
  start=$(date +%s.%N)
  LIFECHECK_FUZZ_STATS=1 "$FUZZ/diff_fuzzer" -minimize_crash=1 -runs=100000 \
    -seed=1 -max_total_time=120 -exact_artifact_path="$OUT/lf.bin" "$CRASH" \
    >"$OUT/lf.log" 2>&1
  end=$(date +%s.%N)
  steps=$(grep -c 'CRASH_MIN: executing' "$OUT/lf.log")
  crashes=$(grep -c 'SUMMARY: lifecheck:' "$OUT/lf.log")
  python3 -c "print('wall %.2f s' % ($end - $start))"
  echo "subprocess runs: $steps; crashing inputs found: $crashes; the last step" \
       "runs all 100000 inputs to conclude"
  echo "IDs along the way: $(grep -o 'SUMMARY: lifecheck: [A-Z0-9-]*' "$OUT/lf.log" |
        awk '{print $3}' | uniq | tr '\n' ' ')"
  echo "result: $(stat -c %s "$OUT/lf.bin") bytes, $(calls_of "$OUT/lf.bin") calls," \
       "verdict $(verdict_of "$OUT/lf.bin")"
else
  echo "(no $FUZZ/diff_fuzzer: cmake --preset fuzz-nosan && cmake --build $FUZZ --target diff_fuzzer)"
fi

if [[ -x "$AFL/afl_diff_fuzzer" ]] && command -v afl-tmin >/dev/null; then
  echo
  echo "== afl-tmin (crash mode)"
  start=$(date +%s.%N)
  AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 afl-tmin -i "$CRASH" -o "$OUT/tmin.bin" \
    -- "$AFL/afl_diff_fuzzer" @@ >"$OUT/tmin.log" 2>&1
  end=$(date +%s.%N)
  python3 -c "print('wall %.2f s' % ($end - $start))"
  grep -E 'execs|Done|Finished|crash' "$OUT/tmin.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -4
  echo "result: $(stat -c %s "$OUT/tmin.bin") bytes, $(calls_of "$OUT/tmin.bin") calls," \
       "verdict $(verdict_of "$OUT/tmin.bin")"
else
  echo "(no $AFL/afl_diff_fuzzer or afl-tmin: cmake --preset afl && cmake --build $AFL --target afl_diff_fuzzer)"
fi
echo
echo "outputs in $OUT"
