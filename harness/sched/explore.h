// Exploration front end of the controlled scheduler: runs a strategy over
// many schedules of one trace's calls on the impl, checks each run (the
// scheduler's own checks plus the spec cross-check below) and stops at the
// first finding. What `lifecheck explore` and `lifecheck regress` call.
#ifndef LIFECHECK_HARNESS_SCHED_EXPLORE_H_
#define LIFECHECK_HARNESS_SCHED_EXPLORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/sched/sched.h"
#include "harness/trace/trace.h"

namespace lifecheck::sched {

struct ExploreOptions {
  std::string strategy = "pct";  // random | pct | dfs | replay
  int64_t runs = 0;              // 0: strategy default (dfs: until done)
  int depth = 3;                 // PCT bug depth
  int preemptions = 2;           // DFS preemption bound
  uint64_t seed = 1;
  double seconds = 0;           // wall-clock limit, 0 = none
  int64_t max_points = 200000;  // LIVELOCK bound per run
  bool step_atomic = false;     // choose only at step markers
  // Run on this scheduler (its worker threads reused across calls) instead
  // of a fresh one.
  Scheduler* scheduler = nullptr;
};

struct ExploreResult {
  bool found = false;
  SchedOutcome outcome;  // the finding's run (or the last run)
  int64_t runs = 0;      // schedules explored
  double seconds = 0;
  bool exhausted = false;  // dfs: the bounded space was fully explored
  // replay: the run could not follow the recorded schedule (a thread that
  // cannot run at its point); the outcome is DIFF-SCHED with the reason.
  bool diverged = false;
  std::string description;  // "pct depth=3 seed=1"
  Trace found_trace;        // the input + impl-schedule (+ spec schedule)
};

// The spec cross-check of a step-serial run (docs/scheduler.md): the spec
// replays the calls under the impl's marker order; DIFF-SCHED where a step
// differs or is disabled, the spec's ID on a violation, DIFF-RESULT,
// DIFF-STATE. Returns kNone when the run is not step-serial (not checked).
Inv CheckAgainstSpec(const Trace& t, SchedOutcome& o);

// What the spec says when it takes the impl's steps in marker order (the
// report's cross-check line): "spec, same step order: I-PG-1 at step 9",
// "... clean through step 8", or where it cannot follow.
std::string SpecOnMarkerOrder(const Trace& t, const SchedOutcome& o);

// The full judgement of one run (what Explore does after each run):
// CheckAgainstSpec, and in a step-serial run the spec's ID where the spec,
// taking the same steps, violates an invariant first.
void JudgeRun(const Trace& t, SchedOutcome& o);

// Errors (InvalidArgument, FILE:...): unknown strategy; a spec schedule that
// does not replay on the spec. The trace's faults are planted. `replay`
// follows the impl-schedule, else the spec schedule through the step
// markers, else the sequential rule.
absl::StatusOr<ExploreResult> Explore(const Trace& t, const std::string& file,
                                      const ExploreOptions& opt);

}  // namespace lifecheck::sched

#endif  // LIFECHECK_HARNESS_SCHED_EXPLORE_H_
