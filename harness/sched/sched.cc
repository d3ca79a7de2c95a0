// The scheduler core: the hook definitions for the hooked impl copy, the
// worker pool and the baton. Compiled with LIFECHECK_SCHED_DEFS (impl ->
// impl_sched): every impl name below is the hooked copy's.
#include "harness/sched/sched.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/run/abstraction.h"
#include "harness/run/impl_call.h"
#include "impl/kernel.h"
#include "impl/sync.h"

#ifndef LIFECHECK_SYNC_HOOKS
#error "sched.cc must be built with LIFECHECK_SCHED_DEFS"
#endif

namespace lifecheck::sched {

bool Dependent(const Point& a, const Point& b) {
  auto mem = [](const Point& p) {
    return p.kind == PointKind::kAccess || p.kind == PointKind::kWait;
  };
  if (!mem(a) || !mem(b) || a.addr != b.addr) return false;
  auto writes = [](const Point& p) {
    return p.kind == PointKind::kAccess && p.access != Access::kLoad;
  };
  return writes(a) || writes(b);
}

namespace {
// Thrown into a worker parked in a hook when the run is abandoned.
struct Abort {};
}  // namespace

struct Scheduler::State {
  struct Worker {
    std::thread th;
    std::condition_variable cv;
    int id = 0;
  };
  pid_t pid = getpid();  // the process whose threads these are
  std::mutex mu;
  std::condition_variable ctrl;
  std::vector<std::unique_ptr<Worker>> workers =
      std::vector<std::unique_ptr<Worker>>(kMaxThreads);
  // Guarded by mu.
  int running = -1;     // the thread holding the baton, -1: nobody
  uint64_t job = 0;     // run generation
  int job_threads = 0;  // workers 0..job_threads-1 take part in the job
  bool shutdown = false;
  bool abort = false;
  std::vector<Point> pending;
  std::vector<uint8_t> done, woken, in_step;
  std::vector<uint8_t> wrote;  // touched shared memory since its marker
  // Per run (written by the worker holding the baton).
  impl::Kernel kernel{Config{}};
  const std::vector<std::vector<Call>>* calls = nullptr;
  const LassoPlan* lasso = nullptr;  // a lasso run's plan, else null
  std::vector<std::vector<int>> results;
  // Spin detection: a thread re-loading one labelled word nobody wrote.
  std::vector<Point> last_access;
  std::vector<uint8_t> spinning;

  // The run's decisions (Advance), guarded by mu. Whichever thread holds
  // the baton makes the next decision itself when it parks: a thread that
  // goes on (inside a step, or chosen again) runs on without a context
  // switch, and a hand-off wakes the next thread directly. (A controller
  // thread deciding every point cost two context switches per point, nine
  // tenths of a scheduled run's time.)
  struct RunState {
    const Config* cfg = nullptr;
    Strategy* strategy = nullptr;
    SchedOutcome* out = nullptr;
    int n = 0;
    int64_t max_points = 0;
    bool step_atomic = false;
    bool begun = false;     // every worker parked at its start
    bool finished = false;  // out->inv / the end decided
    int last = -1;          // the thread that ran last
    int64_t point = 0;
    // Lost wakeups: a waiter evaluates its predicate (hooked loads, each a
    // scheduling point) before it parks in the wait, so a wake_all in
    // between found it not yet waiting. The real WaitQueue re-checks after
    // announcing itself; here a thread that parks in a wait on a queue
    // woken since it began evaluating (its last marker or wait) is woken at
    // once and re-checks.
    uint64_t wake_seq = 0;
    std::vector<std::pair<const void*, uint64_t>> last_wake;
    std::vector<uint64_t> wait_from;
    std::vector<const char*> step_label;
    std::vector<int64_t> step_point;
    std::vector<int> runnable, soft;
    CWorld abs{};
    // A lasso run: Abstract(impl) where its first round starts (warnings
    // cleared), and the step count last checked against a round boundary
    // (Advance runs more than once at one count: threads reaching their
    // first marker record no step).
    CWorld cycle_abs{};
    size_t lasso_checked = SIZE_MAX;
  } run;

  ~State() {
    {
      std::lock_guard<std::mutex> lk(mu);
      shutdown = true;
    }
    for (auto& w : workers)
      if (w) w->cv.notify_all();
    for (auto& w : workers)
      if (w) w->th.join();
  }

  // Starts workers up to n. The slots exist from the start (no vector
  // growth while workers read their slot); a slot is written before its
  // thread starts, and only under mu.
  void EnsureWorkers(int n) {
    for (int i = 0; i < n; ++i) {
      if (workers[i]) continue;
      Worker* wp;
      {
        std::lock_guard<std::mutex> lk(mu);
        workers[i] = std::make_unique<Worker>();
        wp = workers[i].get();
        wp->id = i;
      }
      wp->th = std::thread([this, i] { WorkerLoop(i); });
    }
  }

  // The state is stable (every worker parked or done, `run.last` just
  // parked): records what run.last did, checks, and decides who runs next.
  // Returns that thread, or -1 when the run is over (run.finished). Under
  // mu, on the thread that parked (or the caller of Scheduler::Run for the
  // first decision).
  int Advance();
  // A lasso run at a step-quiescent point (run.abs is Abstract(impl)): at a
  // round boundary, the round checks. Returns 1 to go on, else what Advance
  // returns (-1: the run is over, a finding or the last round's clean end).
  int LassoCheck();
  // Gives the baton to `t` (a thread Advance chose, or -1: the run is over,
  // wake the caller of Scheduler::Run). Under mu.
  void HandTo(int t) {
    running = t;
    if (t >= 0) {
      workers[t]->cv.notify_all();
    } else {
      run.finished = true;
      ctrl.notify_one();
    }
  }

  // Parks the calling worker at `p` until it is given the baton. Throws
  // Abort when the run is abandoned.
  void Park(int me, const Point& p);

  void WorkerLoop(int me);
};

namespace {
thread_local Scheduler::State* tl_state = nullptr;
thread_local int tl_me = -1;

// While alive, the calling thread is not a scheduled thread: the hooked
// impl's loads in the abstraction and the lock checks pass through instead
// of parking (Advance runs on workers).
class Unscheduled {
 public:
  Unscheduled() : saved_(tl_state) { tl_state = nullptr; }
  ~Unscheduled() { tl_state = saved_; }
  Unscheduled(const Unscheduled&) = delete;
  Unscheduled& operator=(const Unscheduled&) = delete;

 private:
  Scheduler::State* saved_;
};

bool LockHeldByOther(const Point& p, int t) {
  // SpinLock/SleepLock pass &owner_ (a std::atomic<int>, -1 = unlocked).
  const int o = static_cast<const std::atomic<int>*>(p.addr)->load(
      std::memory_order_relaxed);
  return o != -1 && o != t;
}

}  // namespace

void Scheduler::State::Park(int me, const Point& p) {
  std::unique_lock<std::mutex> lk(mu);
  if (abort) throw Abort{};
  pending[me] = p;
  if (!run.begun) {
    // Starting: the caller of Scheduler::Run waits until all have parked.
    running = -1;
    ctrl.notify_one();
  } else {
    const int next = Advance();
    if (next == me) return;  // goes on: no hand-off
    HandTo(next);
  }
  workers[me]->cv.wait(lk, [&] { return running == me || abort; });
  if (abort) throw Abort{};
}

void Scheduler::State::WorkerLoop(int me) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu);
      // job_threads, not calls->size(): `calls` may dangle between runs.
      workers[me]->cv.wait(
          lk, [&] { return shutdown || (job != seen && me < job_threads); });
      if (shutdown) return;
      seen = job;
    }
    tl_state = this;
    tl_me = me;
    try {
      Park(me, Point{PointKind::kStart});
      for (const Call& c : (*calls)[me])
        results[me].push_back(CallImpl(kernel, me, c));
      // A lasso's loop, for ever: the strategy drives it as far as the
      // cycle's rounds go, then the run ends and Abort unwinds it.
      if (lasso != nullptr && static_cast<size_t>(me) < lasso->loops.size() &&
          !lasso->loops[me].empty())
        for (;;)
          for (const Call& c : lasso->loops[me])
            results[me].push_back(CallImpl(kernel, me, c));
    } catch (const Abort&) {
    } catch (const impl::sync::WouldBlock&) {
    }
    tl_state = nullptr;
    tl_me = -1;
    std::lock_guard<std::mutex> lk(mu);
    done[me] = 1;
    pending[me] = Point{PointKind::kDone};
    if (abort) {
      // Abandoned: the caller of Scheduler::Run waits for done[me].
      running = -1;
      ctrl.notify_one();
    } else {
      HandTo(Advance());
    }
  }
}

Scheduler::Scheduler() : s_(std::make_unique<State>()) {}
Scheduler::~Scheduler() = default;

int Scheduler::State::Advance() {
  Unscheduled unscheduled;
  RunState& r = run;
  SchedOutcome& out = *r.out;
  const Config& cfg = *r.cfg;
  const int n = r.n;
  auto finish = [&](Inv inv, std::string detail) {
    out.inv = inv;
    out.detail = std::move(detail);
    return -1;
  };
  if (const int t = r.last; t >= 0) {
    // t parked again (or finished): its step region ends at a marker.
    // A step is recorded where its region ends (its next marker, or the
    // end of the thread's calls): a step that waited takes effect after
    // the threads that ran while it waited.
    const Point& q = pending[t];
    if ((q.kind == PointKind::kStep || q.kind == PointKind::kDone) &&
        in_step[t]) {
      out.steps.push_back(StepEvent{t, r.step_label[t], r.step_point[t]});
      in_step[t] = 0;
    }
    auto woken_since = [&](const void* queue, uint64_t from) {
      for (const auto& [addr, seq] : r.last_wake)
        if (addr == queue) return seq > from;
      return false;
    };
    // Guard before effect (the spec's await rule, which the impl follows):
    // accesses before a wait in the same step are the guard's reads and
    // waiter bookkeeping (PG_waiters, a failed CAS), not the step's
    // effect; the wait re-reads its predicate when woken.
    if (q.kind == PointKind::kWait) {
      wrote[t] = 0;
      if (woken_since(q.addr, r.wait_from[t])) woken[t] = 1;
    }
    if (q.kind == PointKind::kWait || q.kind == PointKind::kStep)
      r.wait_from[t] = r.wake_seq;
    // A thread at a step marker starts a new step: the load it repeats
    // next (a second call reading the word the first one read last) is
    // not a retry, so a marker ends any spin.
    if (q.kind == PointKind::kStep) {
      last_access[t] = Point{};
      spinning[t] = 0;
    }
    if (q.kind == PointKind::kAccess && q.access == Access::kLoad &&
        q.label != nullptr && last_access[t].addr == q.addr &&
        last_access[t].label == q.label &&
        last_access[t].access == Access::kLoad)
      spinning[t] = 1;
    if (q.kind == PointKind::kAccess) last_access[t] = q;
  }
  // The state is stable: every worker is parked or done.
  bool all_done = true, quiescent = true;
  for (int t = 0; t < n; ++t) {
    if (done[t]) continue;
    all_done = false;
    // A thread parked in a wait has not taken its step's effect yet
    // (guard before effect, above): as good as at its marker.
    const PointKind k = pending[t].kind;
    if (k != PointKind::kStep && k != PointKind::kStart &&
        k != PointKind::kWait)
      quiescent = false;
  }
  if (quiescent) {
    AbstractUsedInto(kernel, &r.abs);
    const Inv inv = CheckAlwaysInvariants(cfg, r.abs);
    if (inv != Inv::kNone) {
      out.finding_step = out.steps.size();
      return finish(
          inv,
          absl::StrCat("the spec's always-invariant ", std::string(InvId(inv)),
                       " fails on Abstract(impl) after ", r.point,
                       " scheduling points (every thread at a "
                       "step boundary or waiting)"));
    }
  }
  if (lasso != nullptr && out.steps.size() != r.lasso_checked) {
    const size_t k = out.steps.size();
    const LassoPlan& lp = *lasso;
    if (k >= lp.cycle_start && (k - lp.cycle_start) % lp.cycle_steps == 0) {
      r.lasso_checked = k;
      // Round boundaries are step boundaries of a step replay: every
      // thread at a marker (or waiting), so Abstract(impl) is whole.
      if (!quiescent)
        return finish(Inv::kDiffSched,
                      absl::StrCat("the lasso's round ",
                                   (k - lp.cycle_start) / lp.cycle_steps,
                                   " ends with a thread inside a step"));
      if (const int v = LassoCheck(); v != 1) return v;
    }
  }
  if (all_done) {
    if (!kernel.LocksReleased())
      return finish(Inv::kDiffState,
                    "a lock is still held (or a waiter bit set) after every "
                    "call returned");
    return -1;
  }
  std::vector<int>& runnable = r.runnable;
  std::vector<int>& soft = r.soft;
  runnable.clear();
  soft.clear();
  for (int t = 0; t < n; ++t) {
    if (done[t]) continue;
    const Point& p = pending[t];
    if (p.kind == PointKind::kWait && !woken[t]) continue;
    if (p.kind == PointKind::kAccess && p.access == Access::kLock &&
        LockHeldByOther(p, t))
      continue;
    (spinning[t] ? soft : runnable).push_back(t);
  }
  if (runnable.empty()) runnable.swap(soft);
  if (runnable.empty()) {
    // Threads waiting idle for a work item nobody queued have no work
    // left (spec IsIdleWaitStep): the run is over, not stuck.
    bool idle = true;
    for (int t = 0; t < n; ++t)
      if (!done[t])
        idle = idle && pending[t].kind == PointKind::kWait &&
               pending[t].label != nullptr && IsIdleWaitStep(pending[t].label);
    if (idle) {
      if (!kernel.LocksReleased())
        return finish(Inv::kDiffState,
                      "a lock is still held (or a waiter bit set) after every "
                      "call returned or idled");
      return -1;
    }
    std::string where;
    for (int t = 0; t < n; ++t)
      if (!done[t])
        absl::StrAppend(&where, where.empty() ? "" : ", ", "T", t,
                        " blocked at ",
                        pending[t].label ? pending[t].label : "?");
    return finish(Inv::kDeadlock, absl::StrCat("no thread can run: ", where));
  }
  if (r.point >= r.max_points) {
    return finish(Inv::kLivelock,
                  absl::StrCat("no end after ", r.point, " scheduling points"));
  }
  const int last = r.last;
  SchedView v{n, &runnable, &pending, last, r.point};
  const PointKind lk_kind = last >= 0 ? pending[last].kind : PointKind::kDone;
  const bool inside =
      r.step_atomic && last >= 0 && !done[last] &&
      (lk_kind == PointKind::kAccess || lk_kind == PointKind::kWait) &&
      std::find(runnable.begin(), runnable.end(), last) != runnable.end();
  const int t = inside ? last : r.strategy->Next(v);
  if (t < 0) return finish(Inv::kDiffSched, r.strategy->Divergence());
  LC_CHECK(t < n && !done[t]);
  out.decisions.push_back(t);
  // The call t is in: its completed calls so far (the worker pushes a
  // result after each; the baton hand-off orders that write before this
  // read).
  out.decision_calls.push_back(static_cast<int>(results[t].size()));
  ++r.point;
  // Effects of resuming t, as the real primitives would have them.
  const Point p = pending[t];
  if (p.kind == PointKind::kWait) woken[t] = 0;
  if (p.kind == PointKind::kAccess) {
    if (p.access == Access::kWake) {
      for (int u = 0; u < n; ++u)
        if (pending[u].kind == PointKind::kWait && pending[u].addr == p.addr)
          woken[u] = 1;
      ++r.wake_seq;
      auto it = std::find_if(r.last_wake.begin(), r.last_wake.end(),
                             [&](const auto& e) { return e.first == p.addr; });
      if (it == r.last_wake.end())
        r.last_wake.emplace_back(p.addr, r.wake_seq);
      else
        it->second = r.wake_seq;
    }
    if (p.access != Access::kLoad)
      for (int u = 0; u < n; ++u)
        if (u != t && last_access[u].addr == p.addr) spinning[u] = 0;
  }
  // Overlap: t runs while another thread is inside a step in which it
  // already touched shared memory (a read counts: the step may act on
  // it after t's writes).
  if (p.kind != PointKind::kStart)
    for (int u = 0; u < n; ++u)
      if (u != t && in_step[u] && wrote[u]) out.serial = false;
  if (p.kind == PointKind::kStep) {
    in_step[t] = 1;
    wrote[t] = 0;
    r.step_label[t] = p.label;
    r.step_point[t] = r.point - 1;
  } else if (p.kind == PointKind::kAccess) {
    wrote[t] = 1;
  }
  r.last = t;
  return t;
}

int Scheduler::State::LassoCheck() {
  RunState& r = run;
  SchedOutcome& out = *r.out;
  const LassoPlan& lp = *lasso;
  // As the spec's LassoState: warnings are sticky (a first round may set
  // one), so they are no part of the state the cycle comes back to.
  CWorld now = r.abs;
  now.warned = {};
  const int round =
      static_cast<int>((out.steps.size() - lp.cycle_start) / lp.cycle_steps);
  if (round == 0) {
    r.cycle_abs = now;
    // No rounds to follow (a spec run that stopped at a finding before its
    // cycle came round): the run ends where the spec's did.
    return lp.rounds > 0 ? 1 : -1;
  }
  auto finish = [&](Inv inv, std::string detail) {
    out.inv = inv;
    out.detail = std::move(detail);
    return -1;
  };
  if (!AbstractUsedEquals(*r.cfg, now, r.cycle_abs))
    return finish(
        Inv::kDiffState,
        absl::StrCat("the lasso's cycle does not come back on the impl: "
                     "Abstract(impl) after round ",
                     round, " differs from its start (start -> now):\n  ",
                     absl::StrJoin(DiffWorlds(r.cycle_abs, now), "\n  ")));
  // A starved thread must still be where the spec leaves it: in the same
  // call, parked at (or waiting in) the step it never takes.
  for (const StarvedThread& st : lp.starved) {
    const int t = st.thread;
    const Point& p = pending[t];
    const bool parked =
        !done[t] && static_cast<int>(results[t].size()) == st.call &&
        (p.kind == PointKind::kStep || p.kind == PointKind::kWait) &&
        p.label != nullptr && st.step == p.label;
    if (!parked)
      return finish(
          Inv::kDiffSched,
          absl::StrCat("the spec starves T", t, " at ", st.step, " in call ",
                       st.call + 1, "; after round ", round,
                       " of the cycle the impl thread ",
                       done[t]
                           ? "has returned from all its calls"
                           : absl::StrCat("is in call ", results[t].size() + 1,
                                          " at ", p.label ? p.label : "?")));
  }
  out.lasso_rounds = round;
  if (round < lp.rounds) return 1;
  // The last round: the impl ran the cycle `rounds` times, back where it
  // started each time, and the starved threads never moved.
  if (lp.starved.empty()) return -1;
  std::string who;
  for (const StarvedThread& st : lp.starved) {
    out.starved.push_back(st.thread);
    absl::StrAppend(&who, who.empty() ? "" : ", ", "T", st.thread, " at ",
                    st.step, " (call ", st.call + 1, ")");
  }
  return finish(Inv::kStarvation,
                absl::StrCat("starved: ", who, " for ", round,
                             " rounds of the cycle, each back in the state "
                             "it started from"));
}

SchedOutcome Scheduler::Run(const Config& cfg,
                            const std::vector<std::vector<Call>>& threads,
                            Strategy& strategy, int64_t max_points,
                            bool step_atomic, const LassoPlan* lasso) {
  // After fork() (AFL++'s fork server forks after a warm-up run) the
  // workers do not exist in the child: start a fresh pool. The old state is
  // leaked on purpose (its threads cannot be joined here).
  if (s_->pid != getpid()) {
    (void)s_.release();
    s_ = std::make_unique<State>();
  }
  State& s = *s_;
  const int n = static_cast<int>(threads.size());
  LC_CHECK(n <= kMaxThreads);
  s.EnsureWorkers(n);
  SchedOutcome out;
  s.kernel.Reset(cfg);
  s.kernel.set_faults(faults_);
  s.calls = &threads;
  LC_CHECK(lasso == nullptr || lasso->cycle_steps > 0);
  s.lasso = lasso;
  s.results.assign(n, {});
  s.pending.assign(n, Point{});
  s.done.assign(n, 0);
  s.woken.assign(n, 0);
  s.in_step.assign(n, 0);
  s.wrote.assign(n, 0);
  s.last_access.assign(n, Point{});
  s.spinning.assign(n, 0);
  strategy.BeginRun(n);
  std::unique_lock<std::mutex> lk(s.mu);
  State::RunState& r = s.run;
  r = State::RunState{};
  r.cfg = &cfg;
  r.strategy = &strategy;
  r.out = &out;
  r.n = n;
  r.max_points = max_points;
  r.step_atomic = step_atomic;
  r.wait_from.assign(n, 0);
  r.step_label.assign(n, nullptr);
  r.step_point.assign(n, 0);
  r.abs = SpecWorldAtBoundary(InitWorld(cfg));
  s.abort = false;
  // Start: every worker parks at kStart (or is done at once).
  s.running = -2;  // nobody: workers park and set -1
  ++s.job;
  s.job_threads = n;
  for (int t = 0; t < n; ++t) s.workers[t]->cv.notify_all();
  // Wait until each of the n workers has parked once (kStart recorded).
  for (int t = 0; t < n; ++t) s.pending[t].label = "";  // marker: not parked
  s.ctrl.wait(lk, [&] {
    int started = 0;
    for (int t = 0; t < n; ++t)
      started += s.done[t] || s.pending[t].label == nullptr;
    return started == n;
  });
  // The first decision here; the rest on the threads that park (Advance).
  r.begun = true;
  s.HandTo(s.Advance());
  s.ctrl.wait(lk, [&] { return r.finished; });
  // Abandon the rest: parked workers unwind (Abort), one at a time.
  s.abort = true;
  for (int t = 0; t < n; ++t) {
    if (s.done[t]) continue;
    s.workers[t]->cv.notify_all();
    s.ctrl.wait(lk, [&] { return static_cast<bool>(s.done[t]); });
  }
  s.abort = false;
  out.points = r.point;
  out.results = s.results;
  AbstractUsedInto(s.kernel, &r.abs);
  out.final_world = r.abs;
  r.out = nullptr;
  s.lasso = nullptr;
  return out;
}

}  // namespace lifecheck::sched

// The hooks of impl/sync_hooks.h for the hooked copy (namespace
// lifecheck::impl_sched::sync under LIFECHECK_SCHED_DEFS). A thread the
// scheduler does not run (the controller's Kernel::Reset) passes through.
namespace lifecheck::impl::sync {

void sync_hook_access(const void* addr, AccessKind kind, const char* where) {
  if (sched::tl_state == nullptr) return;
  sched::tl_state->Park(
      sched::tl_me,
      sched::Point{sched::PointKind::kAccess, static_cast<sched::Access>(kind),
                   addr, where});
}

bool sync_hook_wait(const void* queue, const char* step) {
  if (sched::tl_state == nullptr) return false;
  sched::tl_state->Park(
      sched::tl_me,
      sched::Point{sched::PointKind::kWait, sched::Access::kLoad, queue, step});
  return true;
}

void sync_hook_step(const char* step) {
  if (sched::tl_state == nullptr) return;
  sched::tl_state->Park(
      sched::tl_me, sched::Point{sched::PointKind::kStep, sched::Access::kLoad,
                                 nullptr, step});
}

}  // namespace lifecheck::impl::sync
