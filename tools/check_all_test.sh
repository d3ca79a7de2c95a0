#!/usr/bin/env bash
# `lifecheck check --all` end to end: the mainline-only run with the explicit
# engine prints the table, exits 0 and writes report.md / report.html with the
# "No finding" sentence; a run over dax-truncate's variants (some buggy)
# embeds a counterexample picture (<svg>) and writes replayable traces; the
# z3 engine over umount's variants at its largest size proves every clean one
# (no inconclusive row) and finds the buggy one's race, replayed.
#   check_all_test.sh LIFECHECK
set -euo pipefail
lc="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$lc" check --all --mainline-only --engines explicit --budget 120 \
  --report "$tmp/main" >"$tmp/main.out" 2>"$tmp/main.err" ||
  fail "mainline-only run exited $? ($(tail -n 3 "$tmp/main.err"))"
grep -q "^scenario *size *policy *engine *verdict" "$tmp/main.out" || fail "no table on stdout"
grep -q '^\[1/[0-9]*\] ' "$tmp/main.err" || fail "no progress lines on stderr"
for f in report.md report.html; do [[ -s "$tmp/main/$f" ]] || fail "no $f"; done
grep -q "^| scenario | size | policy | engine | verdict | expected | time | cex length | result |" \
  "$tmp/main/report.md" || fail "report.md has no table"
grep -q '^No finding: ' "$tmp/main/report.md" || fail "report.md has no 'No finding' sentence"
grep -q '<table>' "$tmp/main/report.html" || fail "report.html has no table"
grep -q 'No finding: ' "$tmp/main/report.html" || fail "report.html has no 'No finding' sentence"
grep -q '| MISMATCH' "$tmp/main/report.md" && fail "mainline run has a MISMATCH"

"$lc" check --all --scenario dax-truncate --engines explicit --budget 120 \
  --report "$tmp/dax" >"$tmp/dax.out" 2>"$tmp/dax.err" ||
  fail "dax-truncate run exited $?"
grep -q '<svg' "$tmp/dax/report.html" || fail "report.html embeds no <svg>"
grep -q 'I-DAX-1' "$tmp/dax/report.md" || fail "no I-DAX-1 counterexample in report.md"
grep -q '^No finding' "$tmp/dax/report.md" && fail "'No finding' on a run with buggy variants"
n=0
for t in "$tmp/dax/cex/"*.trace; do
  [[ -e "$t" ]] || fail "no counterexample trace written"
  rc=0; "$lc" run "$t" >/dev/null 2>&1 || rc=$?
  [[ $rc == 1 ]] || fail "$t does not replay to a finding (exit $rc)"
  n=$((n + 1))
done
# z3: a proof per clean variant, Z3's own counterexample for the buggy one.
# Each run takes seconds; the budget is a wide margin, not a bound on them.
"$lc" check --all --scenario umount --engines z3 --budget 600 \
  --report "$tmp/z3" >"$tmp/z3.out" 2>"$tmp/z3.err" ||
  fail "z3 umount run exited $? ($(tail -n 3 "$tmp/z3.err"))"
grep -q "^SUMMARY: lifecheck: check --all 4 ok, 0 mismatch, 0 inconclusive" \
  "$tmp/z3.out" || fail "z3 umount run: not 4 ok ($(tail -n 1 "$tmp/z3.out"))"
[[ $(grep -c "^umount *3x1 .* z3 *proved *verified " "$tmp/z3.out") == 3 ]] ||
  fail "z3 umount run: the 3 clean variants are not all proved at 3x1"
grep -q "^umount *3x1 *dentry_pin=legacy_dget kill_sb=litter *z3 *I-REF-3 " \
  "$tmp/z3.out" || fail "z3 umount run: no I-REF-3 counterexample"
rc=0; "$lc" run "$tmp/z3/cex/"*.trace >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "z3's counterexample does not replay to a finding (exit $rc)"

"$lc" check --all --engines nosuch >/dev/null 2>&1 && fail "unknown engine accepted"
echo "PASS: check --all ($n counterexample traces replayed)"
