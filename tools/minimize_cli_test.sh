#!/usr/bin/env bash
# End-to-end tests of `lifecheck minimize`, `triage` and `explain`: exit
# codes, messages, and that the outputs replay.
#
# usage: tools/minimize_cli_test.sh /path/to/lifecheck CORPUS_DIR
set -u
LC=$1
CORPUS=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lifecheck_min_cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1: $2"; failed=1; }

# A clean input: exit 2 and a clear message.
"$LC" minimize "$CORPUS/001-mkwrite-old-vs-writeback-fixed.trace" \
  >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -q "does not fail (verdict clean); nothing to minimise" "$TMP/err"; then
  pass "clean input exits 2"
else fail "clean input exits 2" "rc=$rc $(cat "$TMP/err")"; fi

# Binary input that decodes to a clean run: exit 2 naming the file.
printf '\x01\x07\x00garbage' >"$TMP/crash-1"
"$LC" minimize "$TMP/crash-1" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -q "crash-1: does not fail" "$TMP/err"; then
  pass "non-failing binary input exits 2"
else fail "non-failing binary input exits 2" "rc=$rc $(cat "$TMP/err")"; fi

# A diff_fuzzer crash file (binary trace): minimised to a text trace.
"$LC" minimize "$CORPUS/../diff_fuzzer/003-truncate-none-pinned.bin" \
  >"$TMP/bin.trace" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 0 ]] && grep -q "^# expect: I-DAX-1" "$TMP/bin.trace"; then
  pass "binary crash file minimised"
else fail "binary crash file" "rc=$rc $(cat "$TMP/err")"; fi

# A malformed text trace: FILE:LINE:COL.
printf 'lifecheck-trace v1\nthread A: frob\n' >"$TMP/bad.trace"
"$LC" minimize "$TMP/bad.trace" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 2 ]] && grep -q "bad.trace:2:11: unknown operation 'frob'" "$TMP/err"; then
  pass "malformed trace exits 2 with FILE:LINE:COL"
else fail "malformed trace" "rc=$rc $(cat "$TMP/err")"; fi

# stdout is a replayable trace with the same finding.
"$LC" minimize "$CORPUS/003-zap-without-ptl.trace" >"$TMP/min.trace" 2>"$TMP/err"
rc=$?
"$LC" run -q "$TMP/min.trace" >"$TMP/run" 2>&1
rrc=$?
if [[ $rc -eq 0 && $rrc -eq 1 ]] && grep -q "SUMMARY: lifecheck: I-DAX-1" "$TMP/run" &&
   grep -q "^# expect: I-DAX-1" "$TMP/min.trace" && grep -q "1-minimal" "$TMP/min.trace"; then
  pass "minimised stdout replays with the same ID"
else fail "minimised stdout" "rc=$rc run=$rrc $(cat "$TMP/run")"; fi

# -o and --save.
mkdir -p "$TMP/corpus"
"$LC" minimize -q -o "$TMP/o.trace" --save --corpus "$TMP/corpus" \
  "$CORPUS/003-zap-without-ptl.trace" >"$TMP/out" 2>"$TMP/err"
rc=$?
saved=$(ls "$TMP"/corpus/I-DAX-1-*.trace 2>/dev/null | head -1)
if [[ $rc -eq 0 && -n "$saved" ]] && cmp -s "$saved" "$TMP/o.trace" &&
   "$LC" regress "$TMP/corpus" >/dev/null; then
  pass "--save writes a passing corpus/regress trace"
else fail "--save" "rc=$rc saved=$saved $(cat "$TMP/err")"; fi

# triage: findings -> 1, empty dir -> 0, missing dir -> 2.
mkdir -p "$TMP/tri" "$TMP/empty"
cp "$CORPUS/003-zap-without-ptl.trace" "$CORPUS/000-double-discard.trace" "$TMP/tri/"
"$LC" triage -o "$TMP/tri-out" "$TMP/tri" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -eq 1 ]] && grep -q "2 groups" "$TMP/tri-out/report.md" &&
   tail -1 "$TMP/out" | grep -q "^SUMMARY: lifecheck triage: 2 inputs, 2 failing in 2 groups"; then
  pass "triage groups findings"
else fail "triage" "rc=$rc $(cat "$TMP/out" "$TMP/err")"; fi
# Every minimised trace it writes is announced by a replay line that works.
n=0
while read -r _ _ _ path; do
  n=$((n + 1))
  "$LC" run "$path" >/dev/null 2>&1
  [[ $? -eq 1 ]] || fail "triage replay line" "lifecheck run $path does not find"
done < <(grep "^  replay: lifecheck run " "$TMP/out")
[[ $n -eq 2 ]] && pass "triage announces each minimised trace" ||
  fail "triage replay lines" "$n replay lines: $(cat "$TMP/out")"
"$LC" triage "$TMP/empty" >"$TMP/out" 2>&1
[[ $? -eq 0 ]] && pass "triage of an empty dir exits 0" || fail "triage empty" "$(cat "$TMP/out")"
"$LC" triage "$TMP/nope" >"$TMP/out" 2>&1
[[ $? -eq 2 ]] && pass "triage of a missing dir exits 2" || fail "triage missing" "$(cat "$TMP/out")"

# explain needs an output.
"$LC" explain "$CORPUS/003-zap-without-ptl.trace" >"$TMP/out" 2>&1
[[ $? -eq 2 ]] && pass "explain without --svg/--html exits 2" || fail "explain usage" "$(cat "$TMP/out")"

exit $failed
