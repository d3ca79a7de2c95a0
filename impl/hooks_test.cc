// The sync layer's hook points, compiled in (-DLIFECHECK_SYNC_HOOKS): this
// test links its own copy of the impl built with the macro and counts the
// hook calls, as issue 4's controlled scheduler will.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "impl/kernel.h"
#include "impl/sync_hooks.h"

#ifndef LIFECHECK_SYNC_HOOKS
#error "hooks_test.cc must be built with -DLIFECHECK_SYNC_HOOKS"
#endif

namespace lifecheck::impl::sync {

namespace {
int accesses = 0;
int waits = 0;
std::vector<std::string> steps;
std::function<void()> on_wait;  // "the scheduler runs another thread"
}  // namespace

void sync_hook_access(const void*, AccessKind, const char*) { ++accesses; }
bool sync_hook_wait(const void*, const char*) {
  ++waits;
  if (!on_wait) return false;  // real blocking
  on_wait();
  return true;  // parked and resumed: the wait re-evaluates
}
void sync_hook_step(const char* step) { steps.push_back(step); }

namespace {

TEST(SyncHooks, EveryAccessAndStepBoundaryReachesTheHooks) {
  Config c;
  c.fs = FsKind::kDisk;
  Kernel k(c);
  accesses = 0;
  steps.clear();
  ASSERT_EQ(k.lookup(0, 1), 0);
  ASSERT_EQ(k.dput(0, 1), 0);
  EXPECT_GT(accesses, 4);  // d_lock CAS, flags, count, unlock, fast path ...
  // dput of the last reference: the fast path fails, the slow path runs.
  EXPECT_EQ(steps,
            (std::vector<std::string>{"LookupGet", "DputFast", "DputSlow"}));
}

TEST(SyncHooks, AWaitWithAFalseConditionAsksTheScheduler) {
  Config c;
  c.fs = FsKind::kDax;
  c.ptes = 1;
  c.pins = 1;
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  waits = 0;
  steps.clear();
  // The truncate waits for the pinned block; the "scheduler" lets the
  // pinner unpin, and the truncate completes on the same OS thread.
  on_wait = [&] { ASSERT_EQ(k.unpin_user_page(0, 0), 0); };
  EXPECT_EQ(k.truncate(1, 1, 0), 0);
  on_wait = nullptr;
  EXPECT_EQ(waits, 1);
  EXPECT_NE(std::find(steps.begin(), steps.end(), "DaxWaitIdle"), steps.end());
  EXPECT_TRUE(k.page_free(0));
}

TEST(SyncHooks, NonblockingModeDecidesBeforeTheScheduler) {
  Config c;
  c.fs = FsKind::kDax;
  c.ptes = 1;
  c.pins = 1;
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  waits = 0;
  NonblockingScope nb;  // the hook declines; nonblocking then throws
  EXPECT_THROW(k.truncate(1, 1, 0), WouldBlock);
  EXPECT_EQ(waits, 0);  // nonblocking decides before asking the scheduler
}

}  // namespace
}  // namespace lifecheck::impl::sync
