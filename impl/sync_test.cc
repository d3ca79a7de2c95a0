// The sync layer's stall watchdog: a real thread blocked for good fails
// fast and names what it is blocked in (impl/sync.h).
#include "impl/sync.h"

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace lifecheck::impl::sync {
namespace {

using std::chrono::milliseconds;

// A lost wakeup: the condition becomes true but nobody wakes the queue.
TEST(StallWatchdogDeathTest, LostWakeupAbortsNamingTheStep) {
  EXPECT_DEATH(
      {
        SetStallLimit(milliseconds(300));
        WaitQueue wq;
        std::atomic<bool> ready{false};
        std::thread t([&] {
          std::this_thread::sleep_for(milliseconds(50));
          ready.store(true);  // and forgets wq.wake_all()
        });
        wq.wait([&] { return ready.load(); }, "DaxWaitIdle");
        t.join();
      },
      "stalled for 300 ms in step DaxWaitIdle: its condition became true "
      "but nobody woke the queue \\(a lost wakeup\\)");
}

// A condition nothing will ever make true: a deadlock.
TEST(StallWatchdogDeathTest, NeverTrueConditionAbortsNamingTheStep) {
  EXPECT_DEATH(
      {
        SetStallLimit(milliseconds(200));
        WaitQueue wq;
        wq.wait([] { return false; }, "EvictWait");
      },
      "stalled for 200 ms in step EvictWait: asleep on a wait queue nobody "
      "woke");
}

TEST(StallWatchdogDeathTest, LockNeverReleasedAbortsNamingTheHolder) {
  EXPECT_DEATH(
      {
        SetStallLimit(milliseconds(200));
        SpinLock l;
        l.lock(3, "PinLockPtl");
        l.lock(1, "MunmapZap");  // a second acquire: thread 3 never unlocks
      },
      "stalled for 200 ms in step MunmapZap: spinning for a lock never "
      "released .*held by logical thread 3");
}

// A wait that is woken in time is untouched by the watchdog.
TEST(StallWatchdog, WokenWaitReturns) {
  SetStallLimit(milliseconds(5000));
  WaitQueue wq;
  std::atomic<bool> ready{false};
  std::thread t([&] {
    std::this_thread::sleep_for(milliseconds(20));
    ready.store(true);
    wq.wake_all();
  });
  wq.wait([&] { return ready.load(); }, "WfWaitLocked");
  t.join();
  EXPECT_TRUE(ready.load());
}

}  // namespace
}  // namespace lifecheck::impl::sync
