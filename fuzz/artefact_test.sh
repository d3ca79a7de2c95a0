#!/usr/bin/env bash
# A finding's artefact alone replays, minimises, draws and triages to the
# same signature (docs/fuzzing.md "Artefacts"): the fuzzers run with the
# variables that steer them, everything after runs with none and no flag.
#
#   1. diff_fuzzer pinned to mainline with a planted impl fault
#      (unpin_drops_one) finds DIFF-STATE; its crash file has a decoded
#      sidecar and its directory a manifest;
#   2. sched_fuzzer on the zap-without-PTL seed finds I-DAX-1 on the impl.
# For each: `lifecheck run CRASH` (with and without the sidecar), `triage`
# (whose replay line works and names at most 6 calls), `minimize` and
# `explain` reach the same ID.
#
#   usage: fuzz/artefact_test.sh DIFF_FUZZER SCHED_FUZZER LIFECHECK SRC_DIR
set -uo pipefail
diff_fz=$1 sched_fz=$2 lc=$3 src=$4
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# No LIFECHECK_* variable in the shell that replays.
clean() { env -u LIFECHECK_CONFIG -u LIFECHECK_FAULT -u LIFECHECK_FIND "$@"; }

# expect_id ID LOG CMD...: CMD exits 1 and its SUMMARY line names ID.
expect_id() {
  local id=$1 log=$2
  shift 2
  clean "$@" >"$log" 2>&1
  local rc=$?
  [[ $rc == 1 ]] || { cat "$log"; fail "'$*' exited $rc, want 1"; }
  grep -q "SUMMARY: lifecheck: $id " "$log" ||
    { cat "$log"; fail "'$*' does not report $id"; }
  echo "ok: $id from: $*"
}

# check_artefact ID CRASH: the whole path after a finding.
check_artefact() {
  local id=$1 crash=$2 dir
  dir="$(dirname "$crash")"
  [[ -f "$crash.trace" ]] || fail "no decoded trace beside $crash"
  [[ -f "$dir/lifecheck-fuzz.manifest" ]] || fail "no manifest in $dir"
  expect_id "$id" "$tmp/run.log" "$lc" run "$crash"
  expect_id "$id" "$tmp/side.log" "$lc" run "$crash.trace"
  # Without the sidecar the manifest decodes it the same way.
  mv "$crash.trace" "$tmp/sidecar.bak"
  expect_id "$id" "$tmp/manifest.log" "$lc" run "$crash"
  mv "$tmp/sidecar.bak" "$crash.trace"
  clean "$lc" triage -o "$tmp/tri-$id" "$dir" >"$tmp/tri.log" 2>&1
  [[ $? == 1 ]] || { cat "$tmp/tri.log"; fail "triage of $dir found nothing"; }
  local min
  min="$(sed -n 's/^  replay: lifecheck run //p' "$tmp/tri.log" | head -1)"
  [[ -n "$min" ]] || { cat "$tmp/tri.log"; fail "triage printed no replay line"; }
  expect_id "$id" "$tmp/min.log" "$lc" run "$min"
  local calls
  calls=$(grep -c '^thread ' "$min")
  ((calls <= 6)) || { cat "$min"; fail "the triaged trace has $calls calls"; }
  echo "ok: triage's trace has $calls calls"
  clean "$lc" minimize -q -o "$tmp/min-$id.trace" "$crash" >"$tmp/mz.log" 2>&1 ||
    { cat "$tmp/mz.log"; fail "minimize $crash"; }
  expect_id "$id" "$tmp/mzrun.log" "$lc" run "$tmp/min-$id.trace"
  clean "$lc" explain --svg "$tmp/$id.svg" "$crash" >/dev/null 2>&1
  [[ $? == 1 && -s "$tmp/$id.svg" ]] || fail "explain $crash"
  grep -q "$id" "$tmp/$id.svg" || fail "the picture does not name $id"
  echo "ok: explain drew $id"
}

# 1. diff_fuzzer, pinned, with a planted fault.
mkdir -p "$tmp/diff/corpus" "$tmp/diff/art"
LIFECHECK_CONFIG=mainline LIFECHECK_FAULT=unpin_drops_one \
  LIFECHECK_FIND=DIFF-STATE "$diff_fz" -seed=1 -runs=500000 \
  -max_total_time=150 -artifact_prefix="$tmp/diff/art/" \
  "$tmp/diff/corpus" "$src/corpus/diff_fuzzer" >"$tmp/diff.log" 2>&1
crash="$(find "$tmp/diff/art" -name 'crash-*' ! -name '*.trace' | head -1)"
[[ -n "$crash" ]] || { tail -20 "$tmp/diff.log"; fail "diff_fuzzer found nothing"; }
grep -q '^judge: diff$' "$crash.trace" &&
  grep -q '^fault: unpin_drops_one$' "$crash.trace" ||
  { cat "$crash.trace"; fail "the sidecar does not say how it is judged"; }
check_artefact DIFF-STATE "$crash"

# 2. sched_fuzzer: the impl's race under the controlled scheduler.
# (A corpus directory, not a file: libFuzzer saves artefacts when it
# fuzzes, not when it reproduces the files it is given.)
mkdir -p "$tmp/sched/art" "$tmp/sched/seed"
cp "$src/corpus/sched_fuzzer/003-zap-without-ptl.bin" "$tmp/sched/seed/"
"$sched_fz" -runs=10 -artifact_prefix="$tmp/sched/art/" "$tmp/sched/seed" \
  >"$tmp/sched.log" 2>&1
crash="$(find "$tmp/sched/art" -name 'crash-*' ! -name '*.trace' | head -1)"
[[ -n "$crash" ]] || { tail -20 "$tmp/sched.log"; fail "sched_fuzzer found nothing"; }
grep -q '^judge: sched$' "$crash.trace" ||
  { cat "$crash.trace"; fail "the sidecar does not say judge sched"; }
check_artefact I-DAX-1 "$crash"
echo "artefact_test: OK"
