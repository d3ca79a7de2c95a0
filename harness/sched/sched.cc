// The scheduler core: the hook definitions for the hooked impl copy, the
// worker pool and the baton. Compiled with LIFECHECK_SCHED_DEFS (impl ->
// impl_sched): every impl name below is the hooked copy's.
#include "harness/sched/sched.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
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
  int running = -1;     // the thread holding the baton, -1: the controller
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
  std::vector<std::vector<int>> results;
  // Spin detection: a thread re-loading one labelled word nobody wrote.
  std::vector<Point> last_access;
  std::vector<uint8_t> spinning;

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

  // Parks the calling worker at `p` until the controller hands it the
  // baton. Throws Abort when the run is abandoned.
  void Park(int me, const Point& p) {
    std::unique_lock<std::mutex> lk(mu);
    if (abort) throw Abort{};
    pending[me] = p;
    running = -1;
    ctrl.notify_one();
    workers[me]->cv.wait(lk, [&] { return running == me || abort; });
    if (abort) throw Abort{};
  }

  void WorkerLoop(int me);
};

namespace {
thread_local Scheduler::State* tl_state = nullptr;
thread_local int tl_me = -1;
}  // namespace

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
    } catch (const Abort&) {
    } catch (const impl::sync::WouldBlock&) {
    }
    tl_state = nullptr;
    tl_me = -1;
    std::lock_guard<std::mutex> lk(mu);
    done[me] = 1;
    pending[me] = Point{PointKind::kDone};
    running = -1;
    ctrl.notify_one();
  }
}

Scheduler::Scheduler() : s_(std::make_unique<State>()) {}
Scheduler::~Scheduler() = default;

namespace {

bool LockHeldByOther(const Point& p, int t) {
  // SpinLock/SleepLock pass &owner_ (a std::atomic<int>, -1 = unlocked).
  const int o = static_cast<const std::atomic<int>*>(p.addr)->load(
      std::memory_order_relaxed);
  return o != -1 && o != t;
}

}  // namespace

SchedOutcome Scheduler::Run(const Config& cfg,
                            const std::vector<std::vector<Call>>& threads,
                            Strategy& strategy, int64_t max_points,
                            bool step_atomic) {
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
  s.abort = false;
  // Start: every worker parks at kStart (or is done at once).
  s.running = -2;  // nobody: workers park and set -1
  ++s.job;
  s.job_threads = n;
  for (int t = 0; t < n; ++t) s.workers[t]->cv.notify_all();
  // Wait until each of the n workers has parked once (kStart recorded).
  std::vector<int> runnable;
  int started = 0;
  for (int t = 0; t < n; ++t) s.pending[t].label = "";  // marker: not parked
  s.ctrl.wait(lk, [&] {
    started = 0;
    for (int t = 0; t < n; ++t)
      started += s.done[t] || s.pending[t].label == nullptr;
    return started == n;
  });
  int last = -1;
  int64_t point = 0;
  // Lost wakeups: a waiter evaluates its predicate (hooked loads, each a
  // scheduling point) before it parks in the wait, so a wake_all in between
  // found it not yet waiting. The real WaitQueue re-checks after announcing
  // itself; here a thread that parks in a wait on a queue woken since it
  // began evaluating (its last marker or wait) is woken at once and re-checks.
  uint64_t wake_seq = 0;
  std::vector<std::pair<const void*, uint64_t>> last_wake;
  std::vector<uint64_t> wait_from(n, 0);
  auto woken_since = [&](const void* q, uint64_t from) {
    for (const auto& [addr, seq] : last_wake)
      if (addr == q) return seq > from;
    return false;
  };
  std::vector<const char*> step_label(n, nullptr);
  std::vector<int64_t> step_point(n, 0);
  CWorld abs = SpecWorldAtBoundary(InitWorld(cfg));
  auto finish = [&](Inv inv, std::string detail) {
    out.inv = inv;
    out.detail = std::move(detail);
  };
  for (;;) {
    // The state is stable: every worker is parked or done.
    bool all_done = true, quiescent = true;
    for (int t = 0; t < n; ++t) {
      if (s.done[t]) continue;
      all_done = false;
      // A thread parked in a wait has not taken its step's effect yet
      // (guard before effect, below): as good as at its marker.
      const PointKind k = s.pending[t].kind;
      if (k != PointKind::kStep && k != PointKind::kStart &&
          k != PointKind::kWait)
        quiescent = false;
    }
    if (quiescent) {
      AbstractUsedInto(s.kernel, &abs);
      const Inv inv = CheckAlwaysInvariants(cfg, abs);
      if (inv != Inv::kNone) {
        out.finding_step = out.steps.size();
        finish(inv, absl::StrCat("the spec's always-invariant ",
                                 std::string(InvId(inv)),
                                 " fails on Abstract(impl) after ", point,
                                 " scheduling points (every thread at a "
                                 "step boundary or waiting)"));
        break;
      }
    }
    if (all_done) {
      if (!s.kernel.LocksReleased())
        finish(Inv::kDiffState,
               "a lock is still held (or a waiter bit set) after every "
               "call returned");
      break;
    }
    runnable.clear();
    std::vector<int> soft;
    for (int t = 0; t < n; ++t) {
      if (s.done[t]) continue;
      const Point& p = s.pending[t];
      if (p.kind == PointKind::kWait && !s.woken[t]) continue;
      if (p.kind == PointKind::kAccess && p.access == Access::kLock &&
          LockHeldByOther(p, t))
        continue;
      (s.spinning[t] ? soft : runnable).push_back(t);
    }
    if (runnable.empty()) runnable = soft;
    if (runnable.empty()) {
      // Threads waiting idle for a work item nobody queued have no work
      // left (spec IsIdleWaitStep): the run is over, not stuck.
      bool idle = true;
      for (int t = 0; t < n; ++t)
        if (!s.done[t])
          idle = idle && s.pending[t].kind == PointKind::kWait &&
                 s.pending[t].label != nullptr &&
                 IsIdleWaitStep(s.pending[t].label);
      if (idle) {
        if (!s.kernel.LocksReleased())
          finish(Inv::kDiffState,
                 "a lock is still held (or a waiter bit set) after every "
                 "call returned or idled");
        break;
      }
      std::string where;
      for (int t = 0; t < n; ++t)
        if (!s.done[t])
          absl::StrAppend(&where, where.empty() ? "" : ", ", "T", t,
                          " blocked at ",
                          s.pending[t].label ? s.pending[t].label : "?");
      finish(Inv::kDeadlock, absl::StrCat("no thread can run: ", where));
      break;
    }
    if (point >= max_points) {
      finish(Inv::kLivelock,
             absl::StrCat("no end after ", point, " scheduling points"));
      break;
    }
    SchedView v{n, &runnable, &s.pending, last, point};
    const PointKind lk_kind =
        last >= 0 ? s.pending[last].kind : PointKind::kDone;
    const bool inside =
        step_atomic && last >= 0 && !s.done[last] &&
        (lk_kind == PointKind::kAccess || lk_kind == PointKind::kWait) &&
        std::find(runnable.begin(), runnable.end(), last) != runnable.end();
    const int t = inside ? last : strategy.Next(v);
    if (t < 0) {
      finish(Inv::kDiffSched, strategy.Divergence());
      break;
    }
    LC_CHECK(t < n && !s.done[t]);
    out.decisions.push_back(t);
    // The call t is in: its completed calls so far (the worker pushes a
    // result after each; the baton hand-off orders that write before this
    // read).
    out.decision_calls.push_back(static_cast<int>(s.results[t].size()));
    ++point;
    // Effects of resuming t, as the real primitives would have them.
    const Point p = s.pending[t];
    if (p.kind == PointKind::kWait) s.woken[t] = 0;
    if (p.kind == PointKind::kAccess) {
      if (p.access == Access::kWake) {
        for (int u = 0; u < n; ++u)
          if (s.pending[u].kind == PointKind::kWait &&
              s.pending[u].addr == p.addr)
            s.woken[u] = 1;
        ++wake_seq;
        auto it =
            std::find_if(last_wake.begin(), last_wake.end(),
                         [&](const auto& e) { return e.first == p.addr; });
        if (it == last_wake.end())
          last_wake.emplace_back(p.addr, wake_seq);
        else
          it->second = wake_seq;
      }
      if (p.access != Access::kLoad)
        for (int u = 0; u < n; ++u)
          if (u != t && s.last_access[u].addr == p.addr) s.spinning[u] = 0;
    }
    // Overlap: t runs while another thread is inside a step in which it
    // already touched shared memory (a read counts: the step may act on
    // it after t's writes).
    if (p.kind != PointKind::kStart)
      for (int u = 0; u < n; ++u)
        if (u != t && s.in_step[u] && s.wrote[u]) out.serial = false;
    if (p.kind == PointKind::kStep) {
      s.in_step[t] = 1;
      s.wrote[t] = 0;
      step_label[t] = p.label;
      step_point[t] = point - 1;
    } else if (p.kind == PointKind::kAccess) {
      s.wrote[t] = 1;
    }
    last = t;
    s.running = t;
    s.workers[t]->cv.notify_all();
    s.ctrl.wait(lk, [&] { return s.running == -1; });
    // t parked again (or finished): its step region ends at a marker.
    // A step is recorded where its region ends (its next marker, or the
    // end of the thread's calls): a step that waited takes effect after
    // the threads that ran while it waited.
    const Point& q = s.pending[t];
    if ((q.kind == PointKind::kStep || q.kind == PointKind::kDone) &&
        s.in_step[t]) {
      out.steps.push_back(StepEvent{t, step_label[t], step_point[t]});
      s.in_step[t] = 0;
    }
    // Guard before effect (the spec's await rule, which the impl follows):
    // accesses before a wait in the same step are the guard's reads and
    // waiter bookkeeping (PG_waiters, a failed CAS), not the step's
    // effect; the wait re-reads its predicate when woken.
    if (q.kind == PointKind::kWait) {
      s.wrote[t] = 0;
      if (woken_since(q.addr, wait_from[t])) s.woken[t] = 1;
    }
    if (q.kind == PointKind::kWait || q.kind == PointKind::kStep)
      wait_from[t] = wake_seq;
    // A thread at a step marker starts a new step: the load it repeats
    // next (a second call reading the word the first one read last) is
    // not a retry, so a marker ends any spin.
    if (q.kind == PointKind::kStep) {
      s.last_access[t] = Point{};
      s.spinning[t] = 0;
    }
    if (q.kind == PointKind::kAccess && q.access == Access::kLoad &&
        q.label != nullptr && s.last_access[t].addr == q.addr &&
        s.last_access[t].label == q.label &&
        s.last_access[t].access == Access::kLoad)
      s.spinning[t] = 1;
    if (q.kind == PointKind::kAccess) s.last_access[t] = q;
  }
  // Abandon the rest: parked workers unwind (Abort), one at a time.
  s.abort = true;
  for (int t = 0; t < n; ++t) {
    if (s.done[t]) continue;
    s.workers[t]->cv.notify_all();
    s.ctrl.wait(lk, [&] { return static_cast<bool>(s.done[t]); });
  }
  s.abort = false;
  out.points = point;
  out.results = s.results;
  AbstractUsedInto(s.kernel, &abs);
  out.final_world = abs;
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
