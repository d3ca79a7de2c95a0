// The concrete executor of the spec: one world, N threads, one step at a time.
//
// This is what the CLI replays traces on and what fuzzers and rapidcheck use as
// the oracle. It owns no scheduling policy: callers pick the thread (a trace's
// schedule, the default sequential schedule, or an exploration strategy).
#ifndef LIFECHECK_SPEC_EXEC_H_
#define LIFECHECK_SPEC_EXEC_H_

#include <string>
#include <vector>

#include "config/config.h"
#include "spec/findings.h"
#include "spec/machine.h"
#include "spec/program.h"
#include "spec/world.h"

namespace lifecheck {

using CWorld = World<Concrete>;

// The initial world of a configuration (kernel-semantics §1): root dir, the
// files with their dentries, pages/blocks, events; pins/PTEs/leases unused.
CWorld InitWorld(const Config& cfg);

// The lean stepping API the explicit-state checker runs on: no executor
// object, just a world copy and the thread's flattened program. SpecExec is
// built on the same two functions, so every engine takes the same step.
// Precondition: !(w.th[t].pc >= prog.size()) for both.
bool StepEnabled(const Config& cfg, const ThreadProgram& prog, const CWorld& w,
                 int t);
// Executes thread t's next step on `w` (requires StepEnabled) and checks the
// always-invariants (spec/step_table.h ExecStep).
void StepWorld(const Config& cfg, const ThreadProgram& prog, CWorld& w, int t);
// Thread t waits, idle, for a work item that was never queued
// (IsIdleWaitStep, disabled): it has no work left. Precondition: t not done.
bool ThreadIdle(const Config& cfg, const ThreadProgram& prog, const CWorld& w,
                int t);

// One executed step, for the interleaving table.
struct StepRecord {
  int thread;
  int call;  // index of the call within the thread
  Op op;
  Step step;
  bool call_returned;  // this step finished the call
  int ret;             // the call's return value if call_returned
};

// How a call run by SpecExec::RunCall ended.
struct CallEnd {
  bool blocked = false;  // its next step is disabled
  Step step{};           // the disabled step, if blocked
  int ret = 0;           // the return value, if it returned
  int steps = 0;         // steps taken
};

class SpecExec {
 public:
  SpecExec(const Config& cfg, std::vector<std::vector<Call>> threads);
  // No threads yet: add_call gives them their calls as a run goes.
  explicit SpecExec(const Config& cfg) : SpecExec(cfg, {}) {}

  // Back to `init` (which must be InitWorld(cfg)) with no threads, keeping
  // every buffer: a runner that runs many programs reuses one executor.
  // `init_checked`: `init` passes the always-invariants, so the first
  // TryStep with a footprint may check only what it touches.
  void Reset(const Config& cfg, const CWorld& init, bool init_checked);

  // Appends call `c` to thread t's calls; t == num_threads() starts a new
  // thread. A thread whose calls are all done has work again.
  void add_call(int t, const Call& c);

  const Config& config() const { return cfg_; }
  const CWorld& world() const { return w_; }
  int num_threads() const { return n_; }

  bool done(int t) const;     // no work left
  bool enabled(int t) const;  // not done and its next step's guard holds
  std::vector<int> enabled_threads() const;
  // The instruction thread t executes next (requires !done(t)).
  const Insn& next_insn(int t) const;

  // Executes one step of t (requires enabled(t)) and checks the invariants.
  StepRecord step(int t);

  // The one primitive every spec run is built on (harness/run/): one step
  // of t if its guard holds, evaluated once (no separate probe). Returns
  // false, with no effect, when t is blocked. Precondition: !done(t).
  // With `written`, once the world has passed one full check the checks
  // after the step visit only what it touched (ExecStepTouched), and the
  // objects it wrote are added to *written (every object otherwise).
  bool TryStep(int t, StepRecord* rec, Touched* written = nullptr);

  // Runs t's current call to its end: until it returns, blocks, or an
  // invariant is violated (then violation() says which). Appends t to
  // `*schedule` for every step taken. Precondition: t has a call left
  // and its pc is at that call's first step or inside it.
  CallEnd RunCall(int t, Touched* written = nullptr,
                  std::vector<int>* schedule = nullptr);

  Inv violation() const { return static_cast<Inv>(w_.violation); }
  // Not done, but waiting idle for a work item nobody queued (ThreadIdle).
  bool idle(int t) const;
  // All threads with work left are blocked (and at least one has work left).
  bool deadlocked() const;
  // Every thread is done or idle.
  bool all_done() const;
  bool finished() const {
    return violation() != Inv::kNone || deadlocked() || all_done();
  }

  // Return values of completed calls, per thread, in call order.
  const std::vector<std::vector<int>>& results() const { return results_; }

  // The default "sequential" choice: keep running the thread that took the
  // last step while it is enabled and inside a call; otherwise the lowest
  // enabled thread. -1 if none is enabled.
  int sequential_choice() const;

 private:
  // A call add_call added and did not append to the thread's program yet:
  // the call-order view runs every call straight from its op's step list
  // (RunCall), and writing its instructions out was a tenth of the
  // differential runner's time. Whatever reads the program appends the
  // pending calls first (program()).
  struct Pending {
    Call call;
    int16_t base;       // its first pc
    int16_t len;        // its steps
    int16_t index;      // its index within the thread
    const Step* steps;  // StepsOf(call.op, cfg_): len steps
  };
  bool StepInsn(int t, const Insn& insn, Touched* written);
  template <class InsnAt>
  CallEnd RunSteps(int t, InsnAt insn_at, Touched* written,
                   std::vector<int>* schedule);
  void Materialize(int t) const;
  // Thread t's program with every pending call appended.
  const ThreadProgram& program(int t) const;

  Config cfg_;
  const std::vector<Step>* step_lists_;  // StepLists(cfg_)
  // Per thread; only the first num_threads() entries are live (Reset keeps
  // the buffers of the others for reuse). progs_[t] followed by
  // pending_[t] is the thread's program: size_[t] instructions, calls_[t]
  // calls.
  mutable std::vector<ThreadProgram> progs_;
  mutable std::vector<std::vector<Pending>> pending_;
  std::vector<int> size_;
  std::vector<int16_t> calls_;
  std::vector<std::vector<int>> results_;  // exactly num_threads() long
  // Emptied result buffers of earlier runs, reused by new threads (Reset
  // then allocates nothing).
  std::vector<std::vector<int>> spare_results_;
  int n_ = 0;
  CWorld w_;
  int last_ = -1;
  bool checked_ = false;  // w_ has passed a full always-invariant check
};

// Runs every step of a world under the concrete domain: for tests and tools
// that want the always-invariants of a world they built by hand.
Inv CheckAlwaysInvariants(const Config& cfg, const CWorld& w);

// "d[1].count: 1 -> 0" lines for every field that differs (thread pcs are
// left out: the table shows them as rows).
std::vector<std::string> DiffWorlds(const CWorld& a, const CWorld& b);

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_EXEC_H_
