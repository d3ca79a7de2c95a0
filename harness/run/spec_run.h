// Running a trace on the concrete spec. Every spec run in the harness is
// built on one primitive, SpecExec::TryStep / RunCall (spec/exec.h), and
// comes in two views:
//  - schedule order (this file): the trace's schedule entry by entry, then
//    the executor's sequential choice until every thread is done, an
//    invariant is violated, or the threads with work left are all blocked
//    (a deadlock finding, DESIGN principle 1). Replay, reports, pictures,
//    the minimiser's oracle and call-atomic order recovery use it, with or
//    without the per-step world changes;
//  - call order (harness/run/call_order.h): calls released one at a time,
//    each run to its end. The fuzzers' decoding and the differential runner
//    use it.
#ifndef LIFECHECK_HARNESS_RUN_SPEC_RUN_H_
#define LIFECHECK_HARNESS_RUN_SPEC_RUN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"
#include "spec/findings.h"

namespace lifecheck {

// Where a thread stood when the run ended blocked (deadlock).
struct BlockedAt {
  int thread;
  int call;  // index of the call within the thread
  Op op;
  Step step;  // the disabled step
};

struct RunResult {
  Inv violation = Inv::kNone;  // first invariant violated, kNone if none
  bool deadlock = false;       // no violation, work left, no thread enabled
  // A lasso (Trace::cycle) whose cycle is a weakly fair run on which a
  // thread with work left never steps (docs/liveness.md): `blocked` lists
  // the starved threads.
  bool starvation = false;
  std::vector<StepRecord> steps;  // every executed step, in order
  // Per step: DiffWorlds(world before the step, world after it).
  std::vector<std::vector<std::string>> changes;
  // Return values of completed calls, per thread, in call order.
  std::vector<std::vector<int>> results;
  CWorld final_world{};  // value-initialised: all zero until a run fills it
  // On deadlock: every thread with work left and the step it is stuck on;
  // on starvation: every starved thread.
  std::vector<BlockedAt> blocked;
  // A lasso: the number of steps (of `steps`) before its cycle; -1 if none.
  int cycle_start = -1;
};

// Hard bound on executed steps: every op is a short program, so a trace that
// runs this long is looping (a spec bug or a hostile trace), not a finding.
inline constexpr int kMaxReplaySteps = 100000;

struct SpecRunOptions {
  // Record DiffWorlds per step (RunResult::changes): reports and pictures
  // need it, verdicts do not (it costs more than the steps).
  bool record_changes = true;
};

// Replays `t` on a fresh SpecExec. `filename` labels errors.
// Errors (InvalidArgument, "FILE:LINE:COL: ..."): a schedule entry names a
// thread that does not exist, is finished or is blocked at that point; the run
// exceeds kMaxReplaySteps. A violation or deadlock is a result, not an error.
// A lasso runs its schedule, then its cycle once (a thread with a loop that
// is out of calls when named runs its loop's calls again); then the run
// must be back in the state the cycle started from (else an error at the
// `cycle:` line) and the cycle weakly fair to every thread that has work
// left and takes no step in it, strongly where its wait is a lock (else an
// error naming the thread). Such threads starve: the finding STARVATION.
// Precondition: t.config and t.threads are valid (ParseTrace guarantees it).
absl::StatusOr<RunResult> RunTrace(const Trace& t, const std::string& filename,
                                   const SpecRunOptions& opts = {});

// A lasso's thread that is out of calls when a schedule names it runs its
// loop's calls once more (Trace::loops): how every replay of a lasso's
// steps on the spec (RunTrace, the scheduler's cross-check) extends it.
void RefillLoop(SpecExec& exec, const Trace& t, int th);

// The finding of a run as an Inv: the violation, Inv::kDeadlock for a
// deadlock, Inv::kStarvation for a starvation, Inv::kNone for a clean run.
Inv Finding(const RunResult& r);

// "clean", the invariant ID ("I-DAX-1") or "DEADLOCK": what a `# expect:`
// header is compared with.
std::string Verdict(const RunResult& r);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_SPEC_RUN_H_
