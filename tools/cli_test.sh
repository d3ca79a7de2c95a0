#!/usr/bin/env bash
# End-to-end tests of the lifecheck CLI: exit codes (0 ok, 1 finding, 2 bad
# usage or input) and FILE:LINE:COL messages for malformed traces.
#
# usage: tools/cli_test.sh /path/to/lifecheck
set -u

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 /path/to/lifecheck" >&2
  exit 2
fi
LC=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lifecheck_cli_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
OUT=$TMP/stdout
ERR=$TMP/stderr

pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL  $1: $2"
  echo "  --- stdout:"; sed 's/^/  | /' "$OUT" | head -20
  echo "  --- stderr:"; sed 's/^/  | /' "$ERR" | head -20
}

# check NAME WANT_EXIT [REGEX_STDOUT|-] [REGEX_STDERR|-] -- CMD...
# Runs CMD, then asserts its exit code and that stdout/stderr match the
# extended regexes ('-' skips a check). Exit codes >= 128 (signals, sanitizer
# aborts) always fail: bad input must never crash.
check() {
  local name=$1 want=$2 re_out=$3 re_err=$4
  shift 5
  "$@" >"$OUT" 2>"$ERR"
  local rc=$?
  if [[ $rc -ge 128 || $rc -ne $want ]]; then
    fail "$name" "exit $rc, want $want"
  elif [[ $re_out != - ]] && ! grep -Eq -- "$re_out" "$OUT"; then
    fail "$name" "stdout does not match /$re_out/"
  elif [[ $re_err != - ]] && ! grep -Eq -- "$re_err" "$ERR"; then
    fail "$name" "stderr does not match /$re_err/"
  else
    pass "$name"
  fi
}

# Escapes a path for use inside an extended regex.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

write() { cat >"$TMP/$1"; }

# ---- traces ----
write clean.trace <<'EOF'
lifecheck-trace v1
# expect: clean
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0 file=1 index=0
EOF

write finding.trace <<'EOF'
lifecheck-trace v1
# expect: I-DAX-1
config fs=dax files=1 pages=1 spare=1 ptes=1 pins=1
policy dax_truncate=none
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread T: truncate file=1 size=0
EOF

write bad_keyword.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
frobnicate A: fault pte=0 file=1 index=0
EOF

write unknown_thread.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0 file=1 index=0
schedule: A B
EOF

write no_header.trace <<'EOF'
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0 file=1 index=0
EOF

write truncated.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0
EOF
printf 'lifecheck-trace v1\nconfig fs=disk files=1 pages=1 ptes=1\nthread A: fau' \
  >"$TMP/truncated_mid_token.trace"

# A schedule entry for a thread that has finished: an error found by replay.
write finished_thread.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0 file=1 index=0
schedule: A A
EOF

head -c 4096 /dev/urandom >"$TMP/garbage.trace" 2>/dev/null ||
  printf '\x00\xff\x01lifecheck\x80' >"$TMP/garbage.trace"
: >"$TMP/empty.trace"

T=$(re "$TMP")

# ---- usage ----
check "no args -> 2" 2 - "usage: lifecheck" -- "$LC"
check "--help -> 0" 0 "usage: lifecheck" - -- "$LC" --help
check "help -> 0" 0 "^  run " - -- "$LC" help
check "help run -> 0" 0 "usage: lifecheck run" - -- "$LC" help run
check "run --help -> 0" 0 "usage: lifecheck run" - -- "$LC" run --help
check "regress --help -> 0" 0 "usage: lifecheck regress" - -- "$LC" regress --help
check "unknown command -> 2" 2 - "unknown command 'frob'" -- "$LC" frob
check "unknown flag -> 2" 2 - "unknown option '--frob'" -- "$LC" run --frob "$TMP/clean.trace"
check "run without files -> 2" 2 - "no trace file" -- "$LC" run
check "help unknown -> 2" 2 - "unknown command" -- "$LC" help frob
check "list-ops -> 0" 0 "^truncate +file=<file> size=<size> " - -- "$LC" list-ops
check "list-policies -> 0" 0 "dax_truncate +wait\|ebusy\|sequester\|none" - -- "$LC" list-policies
check "list-invariants -> 0" 0 "I-DAX-1" - -- "$LC" list-invariants
check "list-ops extra arg -> 2" 2 - "unexpected argument" -- "$LC" list-ops x

# ---- run ----
check "clean trace -> 0" 0 "^lifecheck: clean \([0-9]+ steps\)$" - -- "$LC" run "$TMP/clean.trace"
check "clean trace --quiet" 0 "^lifecheck: clean \([0-9]+ steps\)$" - -- "$LC" run --quiet "$TMP/clean.trace"
check "finding -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 truncate in thread T at step [0-9]+$" - \
  -- "$LC" run "$TMP/finding.trace"
if [[ $(head -1 "$OUT") == "lifecheck: finding I-DAX-1: "* ]] &&
   [[ $(tail -1 "$OUT") == "SUMMARY: lifecheck: I-DAX-1 "* ]] &&
   grep -qx "replay: lifecheck run $TMP/finding.trace" "$OUT"; then
  pass "finding report shape (ID first, replay, SUMMARY last)"
else
  fail "finding report shape (ID first, replay, SUMMARY last)" "see stdout"
fi
check "finding --quiet prints SUMMARY" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" run -q "$TMP/finding.trace"
check "clean + finding -> 1" 1 "==> .*finding.trace <==" - \
  -- "$LC" run "$TMP/clean.trace" "$TMP/finding.trace"

# ---- run --diff (spec vs impl) ----
write interleaved.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
thread A: fault pte=0 file=1 index=0
thread A: write_fault pte=0
thread B: writeback file=1 index=0
schedule: A A B
EOF
# The judge comes from the trace itself: `judge: diff` copies.
for f in clean finding interleaved; do
  sed '/^config /a judge: diff' "$TMP/$f.trace" >"$TMP/diff-$f.trace"
done
check "judge diff clean -> 0" 0 "^lifecheck: clean \(spec and impl, 1 calls\)$" - \
  -- "$LC" run "$TMP/diff-clean.trace"
check "judge diff finding -> 1" 1 \
  "^SUMMARY: lifecheck: I-DAX-1 truncate in thread T at call 3$" - \
  -- "$LC" run "$TMP/diff-finding.trace"
if [[ $(head -1 "$OUT") == "lifecheck: finding I-DAX-1: "* ]] &&
   grep -qx "replay: lifecheck run $TMP/diff-finding.trace" "$OUT"; then
  pass "judge diff report shape"
else
  fail "judge diff report shape" "see stdout"
fi
check "judge diff interleaved -> 2" 2 - "diff-interleaved.trace:7:[0-9]+: .*call-atomic" \
  -- "$LC" run "$TMP/diff-interleaved.trace"
check "bad input dominates -> 2" 2 - "^$T/bad_keyword.trace:3:1: " \
  -- "$LC" run "$TMP/finding.trace" "$TMP/bad_keyword.trace"

check "bad keyword -> 2" 2 - "^$T/bad_keyword.trace:3:1: .*frobnicate" \
  -- "$LC" run "$TMP/bad_keyword.trace"
check "unknown thread in schedule -> 2" 2 - "^$T/unknown_thread.trace:4:13: .*'B'" \
  -- "$LC" run "$TMP/unknown_thread.trace"
check "missing header -> 2" 2 - "^$T/no_header.trace:1:1: .*header" \
  -- "$LC" run "$TMP/no_header.trace"
check "truncated line -> 2" 2 - "^$T/truncated.trace:3:[0-9]+: .*missing argument" \
  -- "$LC" run "$TMP/truncated.trace"
check "truncated mid-token -> 2" 2 - "^$T/truncated_mid_token.trace:3:[0-9]+: " \
  -- "$LC" run "$TMP/truncated_mid_token.trace"
check "schedule names finished thread -> 2" 2 - \
  "^$T/finished_thread.trace:4:13: schedule entry 2 names thread A which is finished" \
  -- "$LC" run "$TMP/finished_thread.trace"
check "binary garbage -> 2" 2 - "^$T/garbage.trace:[0-9]+:[0-9]+: " \
  -- "$LC" run "$TMP/garbage.trace"
check "empty file -> 2" 2 - "^$T/empty.trace:[0-9]+:[0-9]+: " -- "$LC" run "$TMP/empty.trace"
check "nonexistent file -> 2" 2 - "$T/nope.trace" -- "$LC" run "$TMP/nope.trace"
check "directory as trace -> 2" 2 - "$T" -- "$LC" run "$TMP"

# ---- print ----
check "print -> 0" 0 "^lifecheck-trace v1$" - -- "$LC" print "$TMP/finding.trace"
cp "$OUT" "$TMP/printed.trace"
check "print is a fixed point" 0 - - -- "$LC" print "$TMP/printed.trace"
if cmp -s "$OUT" "$TMP/printed.trace"; then pass "print round trip"; else
  fail "print round trip" "second print differs"; fi
check "print bad -> 2" 2 - "^$T/bad_keyword.trace:3:1: " -- "$LC" print "$TMP/bad_keyword.trace"

# ---- regress ----
mkdir -p "$TMP/reg/ok/sub" "$TMP/reg/bad" "$TMP/reg/empty"
cp "$TMP/clean.trace" "$TMP/reg/ok/a.trace"
cp "$TMP/finding.trace" "$TMP/reg/ok/sub/b.trace"
echo "not a trace" >"$TMP/reg/ok/notes.txt"
check "regress all pass -> 0" 0 "^regress: 2 passed, 0 failed$" - -- "$LC" regress "$TMP/reg/ok"
if grep -Eq "^PASS  $T/reg/ok/sub/b.trace  \(expect I-DAX-1, judge spec got I-DAX-1; diff I-DAX-1\)$" "$OUT"; then
  pass "regress PASS line"; else fail "regress PASS line" "no PASS line for b.trace"; fi
sed 's/# expect: I-DAX-1/# expect: clean/' "$TMP/finding.trace" >"$TMP/reg/bad/wrong.trace"
grep -v '^# expect' "$TMP/clean.trace" >"$TMP/reg/bad/noexpect.trace"
cp "$TMP/bad_keyword.trace" "$TMP/reg/bad/broken.trace"
check "regress failures -> 1" 1 "^regress: 2 passed, 3 failed$" - \
  -- "$LC" regress "$TMP/reg/ok" "$TMP/reg/bad"
if grep -Eq "^FAIL  $T/reg/bad/wrong.trace  \(expect clean, judge spec got I-DAX-1\)$" "$OUT" &&
   grep -Eq "^FAIL  $T/reg/bad/noexpect.trace  \(no expect header\)$" "$OUT" &&
   grep -Eq "^FAIL  $T/reg/bad/broken.trace  \(.*:3:1: " "$OUT"; then
  pass "regress FAIL lines"; else fail "regress FAIL lines" "see stdout"; fi
check "regress nonexistent dir -> 2" 2 - "nope" -- "$LC" regress "$TMP/nope"
check "regress empty dir -> 2" 2 - "no \*\.trace files" -- "$LC" regress "$TMP/reg/empty"
check "regress no args -> 2" 2 - "usage: lifecheck regress" -- "$LC" regress

# ---- check ----
check "check no problem -> 2" 2 - "give exactly one of --scenario NAME or a trace FILE" \
  -- "$LC" check
check "check unknown scenario -> 2" 2 - "unknown scenario 'nope'; scenarios: dax-truncate, mkwrite" \
  -- "$LC" check --scenario nope
check "check unknown knob -> 2" 2 - "unknown policy knob 'bogus'; knobs: dentry_pin" \
  -- "$LC" check --scenario dax-truncate --policy bogus=1
check "check unknown value -> 2" 2 - "unknown value 'maybe' for policy knob dax_truncate; values: wait, ebusy, sequester, none" \
  -- "$LC" check --scenario dax-truncate --policy dax_truncate=maybe
check "check policy without = -> 2" 2 - "--policy wants knob=value" \
  -- "$LC" check --scenario dax-truncate --policy dax_truncate
check "check pinners out of range -> 2" 2 - "--pinners 2 is out of range for lease" \
  -- "$LC" check --scenario lease --pinners 2
check "check bad pages -> 2" 2 - "--pages wants an integer in 1..3, got 'x'" \
  -- "$LC" check --scenario dax-truncate --pages x
check "check unknown engine -> 2" 2 - "unknown engine 'nope'; engines: .*explicit" \
  -- "$LC" check --scenario dax-truncate --engine nope
check "check bfs and dfs -> 2" 2 - "exclude each other" \
  -- "$LC" check --scenario dax-truncate --bfs --dfs
check "check scenario and file -> 2" 2 - "exactly one" \
  -- "$LC" check --scenario dax-truncate "$TMP/clean.trace"
check "check sizes with a file -> 2" 2 - "size a --scenario only" \
  -- "$LC" check --pages 2 "$TMP/clean.trace"
check "check bad trace -> 2" 2 - "^$T/bad_keyword.trace:3:1: " \
  -- "$LC" check "$TMP/bad_keyword.trace"
check "check list scenarios -> 0" 0 "^evict: " - -- "$LC" check --list-scenarios
check "check mainline verified -> 0" 0 "^SUMMARY: lifecheck: verified dax-truncate" - \
  -- "$LC" check --scenario dax-truncate --pages 2 --pinners 2
check "check buggy -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" check --scenario dax-truncate --policy dax_truncate=none -o "$TMP/cex.trace"
if grep -q "^replay: lifecheck run $TMP/cex.trace$" "$OUT" &&
   grep -q "^# expect: I-DAX-1$" "$TMP/cex.trace"; then
  pass "check writes a replayable counterexample"; else
  fail "check writes a replayable counterexample" "no replay line or no trace"; fi
check "check counterexample replays -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" run "$TMP/cex.trace"
check "check a trace's calls -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" check --dfs -q -o "$TMP/cex2.trace" "$TMP/finding.trace"
check "check budget -> 3" 3 "^SUMMARY: lifecheck: unknown" - \
  -- "$LC" check --scenario dax-truncate --pages 3 --pinners 3 --max-states 10

# ---- a planted impl fault: the crash file's manifest carries it, so the
# artefact alone replays, with no LIFECHECK_* variable and no flag
write fault.trace <<'EOF'
lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1 pins=1
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread A: unpin pin=0
EOF
mkdir -p "$TMP/fz/crashes"
printf 'lifecheck-fuzz-manifest v1\nharness: diff_fuzzer\npin: free\nfault: unpin_drops_one\n' \
  >"$TMP/fz/lifecheck-fuzz.manifest"
check "encode fault trace -> 0" 0 - - \
  -- "$LC" encode -o "$TMP/fz/crashes/crash-fault" "$TMP/fault.trace"
check "run a crash file under its manifest -> 1" 1 "^SUMMARY: lifecheck: DIFF-STATE unpin " - \
  -- env -u LIFECHECK_FAULT -u LIFECHECK_CONFIG "$LC" run "$TMP/fz/crashes/crash-fault"
check "decode under the manifest -> 0" 0 - - \
  -- "$LC" decode -o "$TMP/fault-dec.trace" "$TMP/fz/crashes/crash-fault"
if grep -q "^# expect: DIFF-STATE$" "$TMP/fault-dec.trace" &&
   grep -q "^judge: diff$" "$TMP/fault-dec.trace" &&
   grep -q "^fault: unpin_drops_one$" "$TMP/fault-dec.trace"; then
  pass "decode writes the judge and the fault"; else
  fail "decode writes the judge and the fault" "$(cat "$TMP/fault-dec.trace")"; fi
check "run the decoded trace -> 1" 1 \
  "^replay: lifecheck run $(re "$TMP/fault-dec.trace")$" - \
  -- "$LC" run "$TMP/fault-dec.trace"
check "decoded trace: DIFF-STATE summary -> 1" 1 "^SUMMARY: lifecheck: DIFF-STATE unpin " - \
  -- "$LC" run "$TMP/fault-dec.trace"
cp "$TMP/fz/crashes/crash-fault" "$TMP/crash-no-manifest"
check "the same bytes without a manifest are clean -> 0" 0 "^lifecheck: clean \(spec and impl, 3 calls\)" - \
  -- "$LC" run "$TMP/crash-no-manifest"
check "decode --fault for bytes with no manifest -> 0" 0 "^# expect: DIFF-STATE$" - \
  -- "$LC" decode --fault unpin_drops_one "$TMP/crash-no-manifest"
check "decode --fault unknown -> 2" 2 - "unknown fault 'nope' \(known: unpin_drops_one" \
  -- "$LC" decode --fault nope "$TMP/crash-no-manifest"
printf 'lifecheck-fuzz-manifest v1\nharness: diff_fuzzer\nfault: nope\n' \
  >"$TMP/fz/lifecheck-fuzz.manifest"
check "malformed manifest -> 2" 2 - "lifecheck-fuzz.manifest:3:8: unknown fault 'nope'" \
  -- "$LC" run "$TMP/fz/crashes/crash-fault"

# ---- explore: the found run is a self-describing trace `run` replays
SEEDS="$(dirname "$0")/../corpus/sched"
check "explore finds a seed race -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" explore --strategy dfs -o "$TMP/zap.impl.trace" "$SEEDS/003-zap-without-ptl.trace"
if grep -q "^replay: lifecheck run $TMP/zap.impl.trace$" "$OUT" &&
   grep -q "^judge: sched$" "$TMP/zap.impl.trace" &&
   grep -q "^impl-schedule: " "$TMP/zap.impl.trace"; then
  pass "explore writes a replayable impl-schedule"; else
  fail "explore writes a replayable impl-schedule" "no replay line or no impl-schedule"; fi
check "explore replay reproduces -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" explore --strategy replay "$TMP/zap.impl.trace"
check "run replays the found run -> 1" 1 "^SUMMARY: lifecheck: I-DAX-1 " - \
  -- "$LC" run "$TMP/zap.impl.trace"
check "explore fixed policy clean -> 0" 0 "^SUMMARY: lifecheck: clean " - \
  -- "$LC" explore --strategy dfs "$SEEDS/003-zap-without-ptl-fixed.trace"
check "explore bad strategy -> 2" 2 - "--strategy is random" \
  -- "$LC" explore --strategy foo "$SEEDS/003-zap-without-ptl.trace"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
