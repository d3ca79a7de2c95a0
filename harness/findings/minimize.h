// The minimiser: shrink a failing trace to a 1-minimal one that fails with the
// SAME verdict (never slipping to another bug).
//
// The oracle is a parameter: any function Trace -> verdict string ("clean",
// an invariant ID, "DEADLOCK", "DIFF-...", or kInvalidVerdict for a trace
// that cannot be replayed, e.g. a schedule naming a blocked thread). A
// candidate counts as failing only if the oracle returns exactly the verdict
// of the input. JudgeOracle (harness/findings/judge.h) judges each
// candidate by its own `judge:` line, so every kind of finding — spec,
// DIFF-* with its planted faults, impl-schedule — minimises the same way.
// Replays of the edited schedule are used as *hints* (where the run stopped,
// which calls ran) but every accepted candidate is confirmed by the oracle,
// so a different oracle never gets a wrong result — only a slower one.
//
// The edited schedule: the spec schedule; for a scheduled finding (judge
// sched) whose steps did not overlap, also the spec schedule, judged through
// the impl's step markers, with its impl-schedule recorded again at the end;
// for one whose steps overlapped (an impl-schedule only), the impl-schedule
// itself, calls and scheduling points removed together (each point belongs
// to the call its thread was in).
//
// Passes, in order (docs/minimize.md):
//  1. cut: calls that never started before the finding are dropped and the
//     schedule is made explicit (one oracle call to confirm);
//  2. calls: a binary-search delta debugging over calls in execution order
//     (each necessary call is found with ~log2(n) oracle calls);
//  3. canonical: trailing schedule entries the sequential default would take
//     anyway dropped, lowest object ids, smallest config sizes, policy
//     knobs reset to mainline and ignore: bits dropped where not needed;
//  4. sweep: single-call removal, single schedule-run deletion and merging two
//     runs of the same thread (one context switch fewer), to a fixpoint;
//     2-4 repeat while they change the trace (so minimising a minimised
//     trace changes nothing).
// A scheduled finding the spec finds too, on the same spec schedule, runs
// 1-4 first under the spec's judgement (far cheaper than a run of the impl's
// threads), then 1-4 again from that result under the impl's; if the spec
// misses it or the impl does not confirm, the impl passes start from the
// input.
// The result is 1-minimal when `stats.one_minimal` is true: the last sweep
// tried every single-call removal and every single scheduling change
// (IsOneMinimal below) and none kept the verdict.
#ifndef LIFECHECK_HARNESS_FINDINGS_MINIMIZE_H_
#define LIFECHECK_HARNESS_FINDINGS_MINIMIZE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/findings/judge.h"
#include "harness/trace/trace.h"

namespace lifecheck {

struct MinimizeOptions {
  int max_oracle_calls = 5000;  // stop (not 1-minimal) when exhausted
  bool canonicalize = true;     // pass 4
  // Rename the threads A, B, C, ... in order. Off by default: the names of a
  // hand-written trace name roles (T truncates, W writes back); the CLI
  // turns it on for decoded binary inputs, whose names mean nothing.
  bool rename_threads = false;
};

struct MinimizeStats {
  int oracle_calls = 0;  // distinct candidates sent to the oracle
  int cache_hits = 0;    // candidates seen before (not counted above)
  double seconds = 0;    // wall time of Minimize
  int input_calls = 0;
  int output_calls = 0;
  bool one_minimal = false;  // the final sweep verified 1-minimality
  bool budget_exhausted = false;
};

struct MinimizeResult {
  Trace trace;          // `expect` set to the verdict
  std::string verdict;  // the input's (and the output's) verdict
  MinimizeStats stats;
};

// Error (FailedPrecondition) if the oracle says `failing` is clean or
// invalid: there is nothing to minimise.
absl::StatusOr<MinimizeResult> Minimize(const Trace& failing,
                                        const Oracle& oracle,
                                        const MinimizeOptions& opts = {});

// ---- building blocks, exposed for tests and for the property checks ----

// Total number of calls of all threads.
int NumCalls(const Trace& t);

// `t` without the calls marked in drop[thread][call], with those calls'
// schedule entries removed, so the steps of the remaining calls keep their
// relative order. Which call an entry steps is found by replaying `t` on the
// spec (step counts depend on state); entries that replay does not execute
// (after a finding, or invalid) are dropped. Threads left without calls
// disappear and the schedule is renumbered.
Trace RemoveCalls(const Trace& t, const std::vector<std::vector<bool>>& drop);
// The same with the replay done once: `entry_calls` = EntryCalls(t).
Trace RemoveCallsMapped(const Trace& t,
                        const std::vector<std::vector<bool>>& drop,
                        const std::vector<int>& entry_calls);
// The call each schedule entry of `t` steps, by a spec replay (an op's step
// count depends on state: dput's fast path is one step); -1 for entries the
// replay does not execute (after a finding, or invalid).
std::vector<int> EntryCalls(const Trace& t);

// Every trace one scheduling change away from `t`: each run of `t.schedule`
// (maximal block of one thread) deleted, and each pair of runs of the same
// thread merged (the later one moved up, or the earlier one moved down).
std::vector<Trace> ScheduleNeighbours(const Trace& t);

// Every trace one call away from `t` (each call removed with RemoveCalls).
std::vector<Trace> CallNeighbours(const Trace& t);

// True if no single-call removal and no ScheduleNeighbours candidate gives
// `verdict`. Calls the oracle once per neighbour.
bool IsOneMinimal(const Trace& t, const std::string& verdict,
                  const Oracle& oracle);

// The shortest prefix of `t`'s executed thread sequence that, followed by the
// sequential default, replays exactly the same steps on the spec. `t` itself
// if the spec cannot replay it.
Trace CanonicalSchedule(const Trace& t);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_MINIMIZE_H_
