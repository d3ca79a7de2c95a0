// The controlled scheduler (issue 4): runs a trace's calls on the REAL impl
// (the hooked copy, lifecheck_impl_sched) on logical threads, exactly one at
// a time. Every atomic access, lock, wait and spec-step marker of the impl's
// sync layer is a scheduling point; a Strategy picks which runnable thread
// goes next (STYLE habit 7: that is the whole interface).
//
// Checks (docs/scheduler.md): the spec's always-invariants on Abstract(impl)
// at every step-quiescent point (every thread parked at a step marker, not
// started, or done); DEADLOCK (work left, nothing runnable); LIVELOCK (the
// point bound); at the end the locks released; and, when the run was
// step-serial (no two threads inside a spec step at once), the spec replays
// the marker order: DIFF-SCHED if it cannot take a step, DIFF-RESULT,
// DIFF-STATE.
#ifndef LIFECHECK_HARNESS_SCHED_SCHED_H_
#define LIFECHECK_HARNESS_SCHED_SCHED_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/faults.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck::sched {

// What a parked thread does when resumed.
enum class PointKind : uint8_t {
  kStart,   // not started its calls yet
  kAccess,  // an atomic access / lock / unlock / wake (access, addr)
  kWait,    // a wait whose condition was false (addr = the queue)
  kStep,    // a spec step marker (label = the step)
  kDone,    // all calls returned
};
// The impl's sync::AccessKind values (impl/sync_hooks.h), mirrored so
// strategies need not include the impl.
enum class Access : uint8_t {
  kLoad,
  kStore,
  kRmw,
  kCas,
  kLock,
  kUnlock,
  kWake
};

struct Point {
  PointKind kind = PointKind::kStart;
  Access access = Access::kLoad;
  const void* addr = nullptr;
  const char* label = nullptr;  // access site or step name; may be null
};

// Two pending actions conflict (their order may matter): same address and
// one writes; waits and wakes of one queue. Markers conflict with nothing.
bool Dependent(const Point& a, const Point& b);

struct SchedView {
  int num_threads = 0;
  const std::vector<int>* runnable = nullptr;   // sorted, non-empty
  const std::vector<Point>* pending = nullptr;  // per thread
  int last = -1;      // the thread that ran last, -1 at the start
  int64_t point = 0;  // index of this decision in the run
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string Name() const = 0;
  virtual void BeginRun(int num_threads) { (void)num_threads; }
  // An element of *v.runnable, or -1 to abort the run (a replay that
  // diverged: Divergence() says why).
  virtual int Next(const SchedView& v) = 0;
  // After a run: prepares the next one; false when nothing is left.
  virtual bool NextRun() = 0;
  virtual std::string Divergence() const { return ""; }
};

std::unique_ptr<Strategy> MakeRandom(uint64_t seed);
// PCT (Burckhardt et al. 2010): random thread priorities, depth-1 priority
// change points; finds a bug of depth d with probability >= 1/(n k^(d-1)).
std::unique_ptr<Strategy> MakePct(uint64_t seed, int depth);
// Stateless DFS over every choice point with at most `preemptions`
// preemptions per run and sleep sets over Dependent().
std::unique_ptr<Strategy> MakeDfs(int preemptions);
// Replays a decision list (thread per scheduling point) exactly; past its
// end, the sequential rule (the last thread while it can run, else the
// lowest).
std::unique_ptr<Strategy> MakeReplay(std::vector<int> decisions);
// Replays a SPEC schedule (thread per spec step): runs each listed thread
// from its step marker to its next marker; `steps` are the spec's step
// names (for the divergence report). After the schedule: the sequential
// rule, as MakeReplay.
std::unique_ptr<Strategy> MakeStepReplay(std::vector<int> schedule,
                                         std::vector<std::string> steps);

// A lasso (Trace::loops, Trace::cycle; docs/liveness.md) run on the impl:
// each thread runs its calls, then its loop's calls again and again, as far
// as the strategy drives it (the step replay of the spec's prefix and K
// rounds of its cycle). The scheduler checks the lasso at the marker
// boundaries where rounds end, and ends the run after the last one.
struct StarvedThread {
  int thread;
  int call;          // index of the call it is parked in
  std::string step;  // the spec step it never takes
};
struct LassoPlan {
  std::vector<std::vector<Call>> loops;  // per thread; empty: none
  size_t cycle_start = 0;                // steps before the first round
  size_t cycle_steps = 0;                // steps per round (> 0)
  int rounds = 0;                        // rounds to follow
  std::vector<StarvedThread> starved;    // the spec's starved threads
};

struct StepEvent {
  int thread;
  std::string step;
  int64_t point;  // decision index at which the thread passed the marker
};

struct SchedOutcome {
  Inv inv = Inv::kNone;
  std::string detail;
  std::vector<int> decisions;             // thread per scheduling point
  std::vector<int> decision_calls;        // per point: the call index it steps
  std::vector<StepEvent> steps;           // markers passed, in order
  std::vector<std::vector<int>> results;  // returns per thread
  // No thread ran while another was inside a spec step in which it had
  // already accessed shared memory (a thread parked in a wait is not: its
  // step's guard re-reads when woken, and effects come after the guard).
  // Then the recorded step order is the order in which the steps took
  // effect: a spec schedule of the same run.
  bool serial = true;
  int64_t points = 0;
  // 1-based index into `steps` of the step the finding is attributed to
  // (the step after which it showed), 0 if none.
  size_t finding_step = 0;
  CWorld final_world{};  // Abstract(impl) at the end
  // A lasso run: the rounds of its cycle the impl completed (each back in
  // the state its first round started from) and, on STARVATION, the starved
  // threads (parked at their step, in their call, for every round).
  int lasso_rounds = 0;
  std::vector<int> starved;
};

class Scheduler {
 public:
  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  // Impl faults planted for the following runs (a trace's `fault:` line).
  void set_faults(const Faults& f) { faults_ = f; }
  // One run. Precondition: threads.size() <= kMaxThreads, calls valid.
  // step_atomic: the strategy chooses only where the running thread is at
  // a step marker, blocked or done (the spec's granularity); inside a step
  // the thread runs on. Otherwise every access is a choice point.
  // lasso: run the threads as that lasso (loops, round checks, the end
  // after its last round); null for a finite run.
  SchedOutcome Run(const Config& cfg,
                   const std::vector<std::vector<Call>>& threads,
                   Strategy& strategy, int64_t max_points = 200000,
                   bool step_atomic = false, const LassoPlan* lasso = nullptr);

 public:
  struct State;  // defined in sched.cc (the hooks reach it)

 private:
  std::unique_ptr<State> s_;
  Faults faults_;
};

}  // namespace lifecheck::sched

#endif  // LIFECHECK_HARNESS_SCHED_SCHED_H_
