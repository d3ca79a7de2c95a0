#!/usr/bin/env bash
# The test of the property tests: a property made false on purpose must fail
# with rapidcheck's reproduce string and a dumped text trace whose replay
# command reproduces the finding, and the reproduce string must fail again
# on the same shrunk case.
#   falsify_test.sh PROPS_SPEC_TEST PROPS_MODEL_TEST LIFECHECK
# Falsifications (LIFECHECK_PROPS_FALSIFY):
#   spec   SpecProps.MainlineCleanCallByCall on every knob value: a buggy
#          policy violates an invariant -> `lifecheck run FILE` finds it;
#   model  ModelProps.ImplRefinesSpecOnEveryOp expecting no finding at all
#          -> `lifecheck run FILE` (its `judge: diff` line) finds it.
set -uo pipefail
spec_test="$1" model_test="$2" lifecheck="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# check NAME BINARY FILTER RC_PARAMS REPLAY_CMD...
check() {
  local name="$1" bin="$2" filter="$3" params="$4"
  shift 4
  local out="$tmp/$name.out"
  echo "== $name: $bin --gtest_filter=$filter (RC_PARAMS=$params)"
  if LIFECHECK_PROPS_FALSIFY="$name" TMPDIR="$tmp" RC_PARAMS="$params" \
      "$bin" --gtest_filter="$filter" >"$out" 2>&1; then
    cat "$out"; fail "$name: the falsified property passed"
  fi
  local repro path
  repro="$(grep -o 'RC_PARAMS="reproduce=[^"]*"' "$out" | tail -1)"
  [[ -n "$repro" ]] || { cat "$out"; fail "$name: no reproduce string"; }
  path="$(grep -o "replay: $* [^ ]*\.trace" "$out" | tail -1 | awk '{print $NF}')"
  [[ -n "$path" && -f "$path" ]] || { cat "$out"; fail "$name: no dumped trace"; }
  echo "reproduce: $repro"
  echo "trace: $path"
  local want
  want="$(sed -n 's/^# expect: //p' "$path")"
  [[ -n "$want" && "$want" != clean ]] || fail "$name: dumped trace expects '$want'"
  # The replay command the failure printed reproduces the finding.
  local rout="$tmp/$name.replay" rc=0
  "$lifecheck" "${@:2}" "$path" >"$rout" 2>&1 || rc=$?
  cat "$rout"
  [[ $rc == 1 ]] || fail "$name: '$* $path' exited $rc, want 1 (finding)"
  grep -q "^SUMMARY: lifecheck: $want " "$rout" ||
    fail "$name: replay does not report $want"
  # The reproduce string fails again with the same shrunk case.
  local params2="${repro#RC_PARAMS=\"}"
  params2="${params2%\"}"
  rm -f "$path"
  if LIFECHECK_PROPS_FALSIFY="$name" TMPDIR="$tmp" RC_PARAMS="$params2" \
      "$bin" --gtest_filter="$filter" >"$tmp/$name.again" 2>&1; then
    fail "$name: the reproduce string passed"
  fi
  [[ -f "$path" ]] || fail "$name: the reproduce string gave another case"
  echo "ok: $name"
}

check spec "$spec_test" SpecProps.MainlineCleanCallByCall \
  "seed=7 max_success=200" lifecheck run
check model "$model_test" ModelProps.ImplRefinesSpecOnEveryOp \
  "seed=8 max_success=3000" lifecheck run
echo "falsify_test: OK"
