// The one thin layer through which impl/ reaches atomics, locks and blocking.
//
// Protocol code (dcache.cc, pagecache.cc, ...) never names std::atomic,
// std::mutex or std::condition_variable: it uses sync::Atomic, sync::SpinLock,
// sync::SleepLock and sync::WaitQueue. That lets one source run three ways:
//   - production/default: plain std::atomic and std::mutex+condition_variable
//     (TSan sees every primitive: no absl::Mutex, toolchain gotcha);
//   - -DLIFECHECK_SYNC_HOOKS (issue 4's lifecheck_impl_sched): every access,
//     lock and wait first calls a hook of sync_hooks.h, a scheduling point;
//   - nonblocking (NonblockingScope): a wait whose condition is false throws
//     WouldBlock instead of sleeping. The sequential differential runner uses
//     it: with one real thread nothing else could ever make the condition
//     true, so sleeping would hang; throwing ends the run at the same
//     point-in-call where the spec's step is disabled (harness/run/diff.cc
//     checks that it is the same step, DIFF-BLOCK). A work item waiting to
//     be queued has nothing to unwind and returns instead
//     (WaitQueue::wait_for_work, TakeIdleBlock).
//
// Ghost<T> is the exception: debug tracking (like the kernel's ref_tracker),
// relaxed and never a scheduling point, because it is not protocol state.
//
// Every write this layer makes (Atomic and Ghost writes, lock words) also
// goes to the calling thread's WriteLog, which the differential runner turns
// on around each call: it re-abstracts only the objects a call wrote
// (harness/run/abstraction.h). Ghost writes count: the abstraction reads them.
#ifndef LIFECHECK_IMPL_SYNC_H_
#define LIFECHECK_IMPL_SYNC_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "config/no_coverage.h"
#include "impl/sync_hooks.h"

namespace lifecheck::impl::sync {

#ifdef LIFECHECK_SYNC_HOOKS
#define LC_SYNC_ACCESS(addr, kind, where) \
  ::lifecheck::impl::sync::sync_hook_access(addr, kind, where)
#else
#define LC_SYNC_ACCESS(addr, kind, where) ((void)0)
#endif

using MO = std::memory_order;
inline constexpr MO kRelaxed = std::memory_order_relaxed;
inline constexpr MO kAcquire = std::memory_order_acquire;
inline constexpr MO kRelease = std::memory_order_release;
inline constexpr MO kAcqRel = std::memory_order_acq_rel;
inline constexpr MO kSeqCst = std::memory_order_seq_cst;

// Thrown by a wait (or a lock acquisition) in nonblocking mode when it would
// sleep. `step` names the spec step the wait belongs to.
struct WouldBlock {
  const char* step;
};

namespace detail {
inline thread_local bool nonblocking = false;
inline thread_local const char* idle_block = nullptr;
}  // namespace detail

// While alive, waits on this thread throw WouldBlock instead of sleeping.
class NonblockingScope {
 public:
  NonblockingScope() : saved_(detail::nonblocking) {
    detail::nonblocking = true;
  }
  ~NonblockingScope() { detail::nonblocking = saved_; }
  NonblockingScope(const NonblockingScope&) = delete;
  NonblockingScope& operator=(const NonblockingScope&) = delete;

 private:
  bool saved_;
};
inline bool nonblocking() { return detail::nonblocking; }

// The step a work item stopped at in WaitQueue::wait_for_work (nonblocking
// mode), or nullptr; clears it. The caller treats it as WouldBlock{step}.
inline const char* TakeIdleBlock() {
  const char* s = detail::idle_block;
  detail::idle_block = nullptr;
  return s;
}

// The stall watchdog: a real thread that sleeps in a wait, or spins for a
// lock, longer than the stall limit is reported — the step it is blocked
// in, what it waits for — and the process aborts. A lost wakeup or a
// deadlock in the impl then fails a real-thread test within seconds, naming
// what is blocked, instead of hanging until the test runner's timeout. The
// impl only sleeps for real in real-thread tests and benchmarks: the
// differential runner never sleeps (NonblockingScope) and under the
// controlled scheduler a wait is a scheduling point. 0 turns it off.
namespace detail {
inline std::atomic<int64_t> stall_limit_ms{5000};
}  // namespace detail
inline void SetStallLimit(std::chrono::milliseconds limit) {
  detail::stall_limit_ms.store(limit.count(), std::memory_order_relaxed);
}
inline std::chrono::milliseconds StallLimit() {
  return std::chrono::milliseconds(
      detail::stall_limit_ms.load(std::memory_order_relaxed));
}
// Reports a stalled thread on stderr and aborts. Out of line: cold.
[[noreturn]] void Stalled(const char* step, const char* what, const void* on,
                          int holder);

// The addresses a thread's writes reached while its log was on.
struct WriteLog {
  static constexpr uint32_t kSize = 64;  // a power of two
  static_assert((kSize & (kSize - 1)) == 0);
  const void* addr[kSize];
  uint32_t n;   // writes since the log was turned on; > kSize: overflowed
  uint32_t on;  // 1 while logging
  bool overflowed() const { return n > kSize; }
};

namespace detail {
// constinit: no thread_local initialisation guard on the write path.
inline thread_local constinit WriteLog write_log{};
}  // namespace detail

// With the log off a write costs one thread-local load and a predictable
// branch. Coverage builds (the fuzzers) record without a branch instead: a
// branch at every inlined write site would be an edge per site that says
// nothing about the protocol and that libFuzzer would process on every input;
// there, with the log off, every write lands in slot 0 and n stays 0.
inline void RecordWrite(const void* addr) {
  WriteLog& l = detail::write_log;
#if LC_COVERAGE_BUILD
  l.addr[l.n & (WriteLog::kSize - 1)] = addr;
  l.n += l.on;
#else
  if (l.on) [[unlikely]] {
    l.addr[l.n & (WriteLog::kSize - 1)] = addr;
    ++l.n;
  }
#endif
}

// While alive, this thread's writes through the layer are logged (from an
// empty log). log() is valid until the scope ends. Scopes do not nest.
class WriteLogScope {
 public:
  WriteLogScope() {
    detail::write_log.n = 0;
    detail::write_log.on = 1;
  }
  ~WriteLogScope() {
    detail::write_log.on = 0;
    detail::write_log.n = 0;
  }
  WriteLogScope(const WriteLogScope&) = delete;
  WriteLogScope& operator=(const WriteLogScope&) = delete;
  const WriteLog& log() const { return detail::write_log; }
};

// Marks where the spec step `step` ("DputFast") takes effect in the impl.
// No-op without hooks.
inline void step_boundary([[maybe_unused]] const char* step) {
#ifdef LIFECHECK_SYNC_HOOKS
  sync_hook_step(step);
#endif
}

// An atomic protocol variable. Every operation names its memory order; the
// caller's contract comment says why that order suffices.
template <class T>
class Atomic {
 public:
  constexpr Atomic() : v_(T{}) {}
  constexpr explicit Atomic(T v) : v_(v) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(MO mo, const char* where = nullptr) const {
    LC_SYNC_ACCESS(&v_, AccessKind::kLoad, where);
    (void)where;
    return v_.load(mo);
  }
  void store(T v, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kStore, where);
    RecordWrite(&v_);
    (void)where;
    v_.store(v, mo);
  }
  T exchange(T v, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kRmw, where);
    RecordWrite(&v_);
    (void)where;
    return v_.exchange(v, mo);
  }
  // Strong CAS: false only if the value differed (`expected` gets it).
  bool cas(T& expected, T desired, MO success, MO failure,
           const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kCas, where);
    RecordWrite(&v_);
    (void)where;
    return v_.compare_exchange_strong(expected, desired, success, failure);
  }
  T fetch_add(T d, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kRmw, where);
    RecordWrite(&v_);
    (void)where;
    return v_.fetch_add(d, mo);
  }
  T fetch_sub(T d, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kRmw, where);
    RecordWrite(&v_);
    (void)where;
    return v_.fetch_sub(d, mo);
  }
  T fetch_or(T d, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kRmw, where);
    RecordWrite(&v_);
    (void)where;
    return v_.fetch_or(d, mo);
  }
  T fetch_and(T d, MO mo, const char* where = nullptr) {
    LC_SYNC_ACCESS(&v_, AccessKind::kRmw, where);
    RecordWrite(&v_);
    (void)where;
    return v_.fetch_and(d, mo);
  }

 private:
  std::atomic<T> v_;
};

// Debug tracking (ghost holders, generations, warnings): relaxed, never a
// scheduling point. Correct sums at quiescent points are all it promises.
template <class T>
class Ghost {
 public:
  constexpr Ghost() : v_(T{}) {}
  Ghost(const Ghost&) = delete;
  Ghost& operator=(const Ghost&) = delete;
  T get() const { return v_.load(kRelaxed); }
  void set(T v) {
    RecordWrite(&v_);
    v_.store(v, kRelaxed);
  }
  void add(T d) {
    RecordWrite(&v_);
    v_.fetch_add(d, kRelaxed);
  }

 private:
  std::atomic<T> v_;
};

// Blocking waits: sleep until a predicate over protocol state holds.
//
// Contract: every code path that can make some waiter's predicate true calls
// wake_all() AFTER its state change. The predicate is evaluated under the
// queue's mutex after the waiter announced itself (waiters_ + a seq_cst
// fence), and wake_all() fences before reading waiters_: either the waker
// sees the waiter and notifies under the mutex, or the waiter's predicate
// sees the new state (Dekker with fences on both sides). Never spins.
class WaitQueue {
 public:
  // Returns once ready() is true. Throws WouldBlock{step} in nonblocking
  // mode if ready() is false. ready() reads state; it may announce the
  // waiter (PG_waiters) but must not otherwise change protocol state.
  template <class Ready>
  void wait(Ready ready, const char* step) {
    if (ready()) return;
    if (nonblocking()) throw WouldBlock{step};
    Sleep(ready, step);
  }
  // A work item's wait to be queued, the first thing it does: nothing of
  // the work has run yet, so in nonblocking mode there is nothing to unwind.
  // Instead of throwing it records the step (TakeIdleBlock) and returns
  // false, and the work function returns at once. The differential runner
  // meets an idle work item in about one fuzz input in six, and a throw
  // costs more than the rest of such an input together.
  template <class Ready>
  [[nodiscard]] bool wait_for_work(Ready ready, const char* step) {
    if (ready()) return true;
    if (nonblocking()) {
      detail::idle_block = step;
      return false;
    }
    Sleep(ready, step);
    return true;
  }
  // Wakes every sleeper to re-evaluate its predicate. Cheap when nobody
  // sleeps (one fence and one load).
  void wake_all(const char* where = nullptr) {
    LC_SYNC_ACCESS(this, AccessKind::kWake, where);
    (void)where;
    std::atomic_thread_fence(kSeqCst);
    if (waiters_.load(kRelaxed) == 0) return;
    { std::lock_guard<std::mutex> lk(mu_); }
    cv_.notify_all();
  }
  int waiters() const { return waiters_.load(kRelaxed); }
  // How many waits went to sleep (statistics for tests; relaxed).
  uint64_t sleeps() const { return sleeps_.load(kRelaxed); }

 private:
  // wait()'s sleeping half, out of line: the nonblocking callers of the
  // differential runner inline only the two lines above.
  template <class Ready>
  [[gnu::noinline]] void Sleep(Ready ready, const char* step) {
#ifdef LIFECHECK_SYNC_HOOKS
    while (sync_hook_wait(this, step)) {
      if (ready()) return;
    }
#endif
    RecordWrite(this);  // a sleeper is lock state (Kernel::LocksReleased)
    waiters_.fetch_add(1, kSeqCst);
    sleeps_.fetch_add(1, kRelaxed);
    std::atomic_thread_fence(kSeqCst);
    {
      std::unique_lock<std::mutex> lk(mu_);
      const std::chrono::milliseconds limit = StallLimit();
      if (limit.count() == 0) {
        cv_.wait(lk, ready);
      } else {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!ready()) {
          if (cv_.wait_until(lk, deadline) != std::cv_status::timeout) continue;
          // Woken only by the watchdog: a condition that is true now was
          // made true without a wake_all() (a lost wakeup).
          Stalled(step,
                  ready() ? "its condition became true but nobody woke the "
                            "queue (a lost wakeup)"
                          : "asleep on a wait queue nobody woke",
                  this, -1);
        }
      }
    }
    waiters_.fetch_sub(1, kSeqCst);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> waiters_{0};
  std::atomic<uint64_t> sleeps_{0};
};

// A spinlock (d_lock without the lockref, i_lock, the PTL, flc_lock) that
// records its holder's logical thread id, which the spec shows (ptl_owner).
//
// Layout of the word: kUnlocked (-1) or the holder's logical tid (>= 0).
// Acquire on lock, release on unlock: the critical sections are ordered.
class SpinLock {
 public:
  static constexpr int kUnlocked = -1;
  // Blocks (spinning, yielding) until acquired by `tid`; in nonblocking mode
  // throws WouldBlock{step} if another thread holds it.
  void lock(int tid, const char* step) {
    // The uncontended acquisition inline; waiting out of line, so that the
    // watchdog does not stop callers on the differential hot path inlining
    // this.
    if (!TryAcquire(tid, step)) LockSlow(tid, step);
  }
  void unlock() {
    LC_SYNC_ACCESS(&owner_, AccessKind::kUnlock, nullptr);
    RecordWrite(&owner_);
    owner_.store(kUnlocked, kRelease);
  }
  // Reports a lock held longer than the stall limit (sync::StallLimit).
  [[gnu::noinline]] void SpinCheck(std::chrono::steady_clock::time_point& since,
                                   const char* step) const {
    const std::chrono::milliseconds limit = StallLimit();
    if (limit.count() == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (since == std::chrono::steady_clock::time_point{}) since = now;
    if (now - since > limit)
      Stalled(step, "spinning for a lock never released", &owner_,
              owner_.load(kRelaxed));
  }
  // The holder's tid or kUnlocked; relaxed: for the abstraction and checks.
  int owner() const { return owner_.load(kRelaxed); }
  // Forcibly unlocked (Kernel::Reset after a run abandoned mid-call).
  // Precondition: no thread uses the lock.
  void reset() {
    RecordWrite(&owner_);
    owner_.store(kUnlocked, kRelaxed);
  }

 private:
  bool TryAcquire(int tid, const char* step) {
    (void)step;  // for the sync hooks only
    int expected = kUnlocked;
    LC_SYNC_ACCESS(&owner_, AccessKind::kLock, step);
    RecordWrite(&owner_);
    return owner_.compare_exchange_weak(expected, tid, kAcquire, kRelaxed);
  }
  [[gnu::noinline]] void LockSlow(int tid, const char* step) {
    std::chrono::steady_clock::time_point since{};
    for (uint32_t spins = 1;; ++spins) {
      if (nonblocking()) throw WouldBlock{step};
      std::this_thread::yield();
      // The stall watchdog, read every 4096 spins (the clock costs).
      if ((spins & 4095) == 0) SpinCheck(since, step);
      if (TryAcquire(tid, step)) return;
    }
  }

  std::atomic<int> owner_{kUnlocked};
};

// A sleeping exclusive lock with an owner (i_rwsem, the fault lock taken
// exclusive by truncate). Waiters sleep on the caller's WaitQueue.
class SleepLock {
 public:
  static constexpr int kUnlocked = -1;
  // Acquires for `tid`, sleeping on `wq` while another thread holds it.
  // Re-entrant for its owner (the spec's TruncLocksFree: owner == t is free).
  void lock(int tid, WaitQueue& wq, const char* step) {
    for (;;) {
      int expected = kUnlocked;
      LC_SYNC_ACCESS(&owner_, AccessKind::kLock, step);
      RecordWrite(&owner_);
      if (owner_.compare_exchange_strong(expected, tid, kAcquire, kRelaxed) ||
          expected == tid)
        return;
      wq.wait([&] { return free_for(tid); }, step);
    }
  }
  // Releases; wakes `wq`'s sleepers.
  void unlock(WaitQueue& wq) {
    LC_SYNC_ACCESS(&owner_, AccessKind::kUnlock, nullptr);
    RecordWrite(&owner_);
    owner_.store(kUnlocked, kRelease);
    wq.wake_all();
  }
  bool free_for(int tid) const {
    const int o = owner_.load(kAcquire);
    return o == kUnlocked || o == tid;
  }
  int owner() const { return owner_.load(kRelaxed); }
  // Forcibly unlocked; precondition: no thread uses the lock.
  void reset() {
    RecordWrite(&owner_);
    owner_.store(kUnlocked, kRelaxed);
  }

 private:
  std::atomic<int> owner_{kUnlocked};
};

}  // namespace lifecheck::impl::sync

#endif  // LIFECHECK_IMPL_SYNC_H_
