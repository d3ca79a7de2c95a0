#!/usr/bin/env bash
# `lifecheck check --all` end to end: the mainline-only run with the explicit
# engine prints the table, exits 0 and writes report.md / report.html with the
# "No finding" sentence; a run over dax-truncate's variants (some buggy)
# embeds a counterexample picture (<svg>) and writes replayable traces.
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
"$lc" check --all --engines nosuch >/dev/null 2>&1 && fail "unknown engine accepted"
echo "PASS: check --all ($n counterexample traces replayed)"
