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
#include "harness/trace/trace.h"
#include "impl/kernel.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck {

struct DiffCall {
  int thread;  // logical thread, 0..kMaxThreads-1
  Call call;
};

// Where a run takes its calls from, one at a time (a decoder that decodes
// only as far as the run goes, or an array).
class CallSource {
 public:
  virtual ~CallSource() = default;
  // The next call, or false after the last one.
  virtual bool Next(DiffCall* out) = 0;
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
  std::vector<DiffCall> run;
  // One line per problem: "call 3 (t1 unpin pin=0): spec returned 0, impl
  // -16", or the DiffWorlds lines "pg[0].refcount: 1 -> 1023" (spec ->
  // impl), or CheckQuiescent failures.
  std::string detail;
  // The impl faults planted for the run (tests, LIFECHECK_FAULT, --fault):
  // the report's replay command plants them again.
  impl::Faults faults;
  // A replayable trace of the calls run: config, threads, schedule = the
  // spec steps taken, expect = the verdict. `lifecheck run --diff` on its
  // text reproduces the outcome.
  Trace trace;
};

std::string DiffVerdict(const DiffOutcome& o);  // "clean" or the ID

// The planted impl faults by name (impl/kernel.h Faults): sets the named
// fault in *f; false for an unknown name.
bool AddFaultByName(std::string_view name, impl::Faults* f);
// "unpin_drops_one, truncate_skips_wait, dma_reports_efault".
std::string KnownFaultNames();
// The planted faults comma-separated ("" if none): LIFECHECK_FAULT's form.
std::string FaultNames(const impl::Faults& f);
// The planted faults as `lifecheck run --diff` flags: " --fault NAME"...
std::string FaultFlags(const impl::Faults& f);

class DiffRunner {
 public:
  DiffRunner();
  ~DiffRunner();
  // Faults planted in the impl for the following runs (tests).
  void set_faults(const impl::Faults& f) { faults_ = f; }
  // With contracts on, a run skips (DiffOutcome::skipped) each call whose
  // caller contract does not hold on the spec world when its turn comes
  // (harness/run/call_contract.h), exactly as RunCallOrder with contracts: the
  // fuzz harness's rule, checked in the same pass instead of a second one.
  // Threads are numbered by their first call run, as RunCallOrder does.
  void set_caller_contracts(bool on) { contracts_ = on; }
  // Runs `calls` in order. Reuses the impl object and buffers: after the
  // first run of a configuration, a run allocates only for its outcome's
  // trace. Precondition: every call is valid for `cfg` (ValidateCall) and
  // threads are < kMaxThreads.
  DiffOutcome Run(const Config& cfg, const std::vector<DiffCall>& calls);
  // Same, but a clean run fills only inv/calls_run/blocked (no trace): the
  // fuzzers' and benchmarks' hot path.
  Inv RunFast(const Config& cfg, const DiffCall* calls, int n);
  // The same, taking calls from `src` until it has none or the run ends.
  Inv RunFast(const Config& cfg, CallSource& src);
  const DiffOutcome& last() const { return last_; }

 public:
  struct State;  // defined in diff.cc

 private:
  std::unique_ptr<State> s_;
  impl::Faults faults_;
  bool contracts_ = false;
  DiffOutcome last_;
};

// The calls of a trace in execution order, if its schedule is call-atomic
// (each call's steps contiguous; an empty schedule is the sequential order
// of RunTrace). InvalidArgument (FILE:LINE:COL) for a schedule that
// interleaves inside a call: issue 4's scheduler handles those.
absl::StatusOr<std::vector<DiffCall>> CallAtomicOrder(
    const Trace& t, const std::string& filename);

// CallAtomicOrder + DiffRunner::Run with the trace's config and names.
// `faults` are planted in the impl (a fuzzer finding of a planted fault).
absl::StatusOr<DiffOutcome> RunDiffTrace(const Trace& t,
                                         const std::string& filename,
                                         const impl::Faults& faults = {});

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_DIFF_H_
