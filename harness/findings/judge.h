// Judging a trace by its own `judge:` line (DESIGN principle 8): the one
// entry point that run, regress, minimize, explain, triage and the fuzz
// entry points share, so a finding's artefact alone reproduces it.
//
//   spec   the spec alone: the schedule-order spec run
//          (harness/run/spec_run.h); verdict an invariant ID, DEADLOCK or
//          clean.
//   diff   spec and impl call by call (harness/run/diff.h), with the
//          trace's planted faults; verdict a spec ID, DIFF-RESULT,
//          DIFF-STATE, DIFF-BLOCK or clean. The schedule must be
//          call-atomic.
//   sched  the impl under the controlled scheduler (harness/sched/), with
//          the trace's faults: its impl-schedule point for point; else its
//          spec schedule through the impl's step markers; else the
//          sequential rule. Verdict the scheduler's (a spec ID,
//          DIFF-SCHED, DIFF-RESULT, DIFF-STATE, DEADLOCK, LIVELOCK) or
//          clean.
#ifndef LIFECHECK_HARNESS_FINDINGS_JUDGE_H_
#define LIFECHECK_HARNESS_FINDINGS_JUDGE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "harness/run/diff.h"
#include "harness/run/spec_run.h"
#include "harness/sched/explore.h"
#include "harness/trace/trace.h"
#include "spec/findings.h"

namespace lifecheck {

struct Judgement {
  Inv inv = Inv::kNone;  // the finding; kNone when clean
  // What the judge ran, for reports and pictures: the one of the trace's
  // judge is set.
  std::optional<RunResult> spec;
  std::optional<DiffOutcome> diff;
  std::optional<sched::ExploreResult> sched;
  std::string verdict() const;  // "clean" or the ID
};

// Runs `t` by its judge. Errors (InvalidArgument, "FILE:LINE:COL: ..."): a
// schedule the judge cannot follow (a blocked or finished thread, a diff
// trace that interleaves inside a call), a step bound hit. A finding is a
// result, not an error.
absl::StatusOr<Judgement> JudgeTrace(const Trace& t, const std::string& path);

// Where the finding happened, for signatures: the violating op.Step (spec),
// the steps the threads are blocked in (DEADLOCK), the call where spec and
// impl part with the kind of disagreement (DIFF-*), the impl step a
// scheduled run found it at (sched). "" for a clean judgement.
std::string FindingSite(const Judgement& j);

// The verdict an oracle gives a trace that cannot be replayed.
inline constexpr char kInvalidVerdict[] = "invalid";

// What the minimiser and triage ask of a candidate: its verdict by its own
// judge, or kInvalidVerdict where JudgeTrace would give an error (or a
// scheduled replay diverges). Cheap: no world diffs, and the runners are
// reused between calls.
using Oracle = std::function<std::string(const Trace&)>;
Oracle JudgeOracle();

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_JUDGE_H_
