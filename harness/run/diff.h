// The differential runner every front end calls: run a trace's calls on the
// spec and on the impl, one call at a time (the sequential schedule), and
// after every call compare return values and abstract states and check the
// invariants on both.
//
// Findings of its own (spec/findings.h):
//   DIFF-RESULT  a call returned different values on spec and impl;
//   DIFF-STATE   Abstract(impl) != spec world after a call (or the impl's
//                own CheckQuiescent failed);
//   DIFF-BLOCK   one side blocked in a call and the other did not, or they
//                blocked at different steps.
// A spec invariant violation ends the run with that ID (as RunTrace would).
//
// The spec side is the call-order view of the one spec run
// (harness/run/call_order.h RunCallOrderWith); the impl runs in the hook
// after each spec call.
//
// Blocking: the impl runs in sync::NonblockingScope. A call whose wait finds
// its condition false throws instead of sleeping; that is sound for a
// sequential schedule because no other call runs until this one returns, so
// nothing could ever make the condition true: the spec's sequential run is
// stuck at the same point. Both sides must block at the same spec step; the
// run then ends there (verdict clean unless the states differ).
#ifndef LIFECHECK_HARNESS_RUN_DIFF_H_
#define LIFECHECK_HARNESS_RUN_DIFF_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "config/faults.h"
#include "harness/run/call_order.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck {

// Where spec and impl part: the call, and what each side did in it.
struct DiffPart {
  int call_index = -1;  // 0-based among the calls run
  int thread = -1;      // trace thread
  Call call;
  bool spec_blocked = false, impl_blocked = false;
  std::string spec_step, impl_step;  // where each blocked
  int spec_ret = 0, impl_ret = 0;
  // DIFF-STATE: the fields that differ, "pg[0].refcount: 1 -> 1023"
  // (spec -> impl), or the impl's CheckQuiescent failures.
  std::vector<std::string> fields;
};

struct DiffOutcome {
  // kNone, a spec invariant ID, kDiffResult, kDiffState or kDiffBlock.
  Inv inv = Inv::kNone;
  int calls_run = 0;     // calls started (the finding's call is the last)
  int last_thread = -1;  // trace thread index of the last call started
  Call last_call;
  // The run ended early with both sides blocked at the same step (verdict
  // clean: they agree). The trace then has no expect header: replayed on
  // the spec alone it may be a DEADLOCK, which is the spec's verdict.
  bool blocked = false;
  // With caller contracts on (DiffRunner::set_caller_contracts): calls
  // skipped because their contract did not hold (harness/run/call_contract.h);
  // they are neither run nor counted in calls_run, nor in the trace.
  int skipped = 0;
  // The calls run, in order, threads numbered by their first call run
  // (filled by Run, not RunFast): the trace's calls.
  std::vector<ThreadCall> run;
  // For a DIFF-* finding: where the two sides part (filled by Run).
  DiffPart part;
  // One line per problem: "call 3 (T1 unpin pin=0): spec returned 0, impl
  // -16", or the DiffWorlds lines, or CheckQuiescent failures.
  std::string detail;
  // The impl faults planted for the run.
  Faults faults;
  // A replayable, self-describing trace of the calls run: config, `judge:
  // diff`, the faults, threads, schedule = the spec steps taken, expect =
  // the verdict. `lifecheck run` on its text reproduces the outcome.
  Trace trace;
};

std::string DiffVerdict(const DiffOutcome& o);  // "clean" or the ID

class DiffRunner {
 public:
  DiffRunner();
  ~DiffRunner();
  // Faults planted in the impl for the following runs.
  void set_faults(const Faults& f) { faults_ = f; }
  // With contracts on, a run skips (DiffOutcome::skipped) each call whose
  // caller contract does not hold on the spec world when its turn comes
  // (harness/run/call_contract.h), exactly as RunCallOrder with contracts:
  // the fuzz harness's rule. Threads are numbered by their first call run.
  void set_caller_contracts(bool on) { contracts_ = on; }
  // Runs `calls` in order. Reuses the impl object, the spec executor and
  // buffers between runs. Precondition: every call is valid for `cfg`
  // (ValidateCall) and threads are < kMaxThreads.
  DiffOutcome Run(const Config& cfg, const std::vector<ThreadCall>& calls);
  // Same, but a clean run fills only inv/calls_run/blocked (no trace): the
  // fuzzers' and benchmarks' hot path.
  Inv RunFast(const Config& cfg, const ThreadCall* calls, int n);
  // The same, taking calls from `src` until it has none or the run ends.
  Inv RunFast(const Config& cfg, CallSource& src);
  const DiffOutcome& last() const { return last_; }

 public:
  struct State;  // defined in diff.cc

 private:
  std::unique_ptr<State> s_;
  Faults faults_;
  bool contracts_ = false;
  DiffOutcome last_;
};

// The calls of a trace in execution order, if its schedule is call-atomic
// (each call's steps contiguous; an empty schedule is the sequential order
// of RunTrace). InvalidArgument (FILE:LINE:COL) for a schedule that
// interleaves inside a call: the controlled scheduler (judge sched) handles
// those.
absl::StatusOr<std::vector<ThreadCall>> CallAtomicOrder(
    const Trace& t, const std::string& filename);

// CallAtomicOrder + DiffRunner::Run with the trace's config, faults and
// names.
absl::StatusOr<DiffOutcome> RunDiffTrace(const Trace& t,
                                         const std::string& filename);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_DIFF_H_
