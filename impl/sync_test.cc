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

// Nonblocking mode: a wait whose condition is false throws; a work item's
// wait to be queued returns false and leaves its step for the caller, once.
TEST(Nonblocking, WaitThrowsAndWaitForWorkReturns) {
  WaitQueue wq;
  NonblockingScope nb;
  EXPECT_THROW(wq.wait([] { return false; }, "ReapWait"), WouldBlock);
  EXPECT_EQ(TakeIdleBlock(), nullptr);
  EXPECT_TRUE(wq.wait_for_work([] { return true; }, "ReapQueued"));
  EXPECT_EQ(TakeIdleBlock(), nullptr);
  EXPECT_FALSE(wq.wait_for_work([] { return false; }, "ReapQueued"));
  EXPECT_STREQ(TakeIdleBlock(), "ReapQueued");
  EXPECT_EQ(TakeIdleBlock(), nullptr);
}

// Outside nonblocking mode wait_for_work sleeps until woken, like wait.
TEST(Nonblocking, WaitForWorkSleepsWhenBlocking) {
  SetStallLimit(milliseconds(5000));
  WaitQueue wq;
  std::atomic<bool> queued{false};
  std::thread t([&] {
    std::this_thread::sleep_for(milliseconds(20));
    queued.store(true);
    wq.wake_all();
  });
  EXPECT_TRUE(wq.wait_for_work([&] { return queued.load(); }, "ReapQueued"));
  t.join();
  EXPECT_EQ(TakeIdleBlock(), nullptr);
}

}  // namespace
}  // namespace lifecheck::impl::sync
