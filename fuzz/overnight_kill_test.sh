#!/usr/bin/env bash
# ci/fuzz-overnight survives SIGKILL: run it, kill -9 its whole process group
# mid-run, run it again on the same --out, and check that every corpus entry
# and crash file of the killed run is still there (same name, same bytes).
# Runs unpinned so that crashes appear within seconds.
#   usage: fuzz/overnight_kill_test.sh DIFF_FUZZER LIFECHECK
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export LIBFUZZER_DIFF_BIN="$1" LIFECHECK="$2"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

snapshot() {  # name + hash of every corpus entry and crash file
  (cd "$out" && find diff/corpus crashes -type f ! -name '.*' -print0 |
     sort -z | xargs -0 -r sha1sum | LC_ALL=C sort)
}

setsid "$root/ci/fuzz-overnight" --time 30s --jobs 1 --harness diff --out "$out" \
  >"$out.log1" 2>&1 &
pid=$!
sleep 12
kill -9 -- -"$pid"
wait "$pid" 2>/dev/null || true
before="$(snapshot)"
n_corpus=$(echo "$before" | grep -c ' diff/corpus/' || true)
n_crash=$(echo "$before" | grep -c ' crashes/' || true)
echo "killed run: $n_corpus corpus entries, $n_crash crash files"
[[ $n_crash -gt 0 ]] || { echo "FAIL: no crash collected before the kill"; exit 1; }

"$root/ci/fuzz-overnight" --time 5s --jobs 1 --harness diff --out "$out" >"$out.log2" 2>&1
after="$(snapshot)"
missing="$(LC_ALL=C comm -23 <(echo "$before") <(echo "$after"))"
if [[ -n "$missing" ]]; then
  echo "FAIL: lost after restart:"; echo "$missing"; exit 1
fi
grep -q '^  replay: lifecheck run ' "$out/report.md" ||
  { echo "FAIL: report has no finding"; cat "$out/report.md"; exit 1; }
echo "OK: nothing lost; report $(grep -c '^group ' "$out/report.md") findings"
rm -f "$out.log1" "$out.log2"
