// Contract tests of the FL_ALLOCATED lease ops (seed 003 v3, never merged):
// pin with a lease, reap, lease_unlock, break_work, break_lease, truncate via
// the lease mechanism, and the lease_break_refs mutation. Expected values come
// from kernel-semantics.md §3.6.3-§3.6.5, §4.7 and R-003d, not from the code.
#include <cstdlib>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "config/config.h"
#include "gtest/gtest.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"
#include "spec/spec_test_util.h"
#include "spec/steps_common.h"

namespace lifecheck {

namespace {

using namespace test;  // NOLINT: the shared test vocabulary

Config Lease(int files = 1, LeaseBreakRefs refs = LeaseBreakRefs::kCorrect) {
  Config c;
  c.fs = FsKind::kDax;
  c.files = files;
  c.ptes = 2;
  c.pins = 1;
  c.policy.dax_truncate_mechanism = DaxTruncateMechanism::kFlAllocatedLease;
  c.policy.lease_break_refs = refs;
  return c;
}
const Call kFault = C(Op::kFault, 0, 1, 0);
const Call kPin = C(Op::kPin, 0, 0);
const Call kReap = C(Op::kReap, 0);
const Call kUnlock = C(Op::kLeaseUnlock, 0);
const Call kBreakWork = C(Op::kBreakWork, 0);
const Call kUnpin = C(Op::kUnpin, 0);

// ---- pin with a lease (A1-A3) ----

TEST(OpsLease, PinTakesALeaseWithListAndReapReferences) {
  auto ex = RunAll(Lease(), {{kFault, kPin}});
  const auto& l = ex.world().lease[0];
  EXPECT_EQ(Ret(ex, 0, 1), 1);
  EXPECT_TRUE(ex.world().pin[0].held);
  EXPECT_TRUE(l.allocated);
  EXPECT_FALSE(l.freed);
  EXPECT_TRUE(l.on_list);
  EXPECT_EQ(l.dl_count, 2);  // A (on the list) + B (gup/reap owner)
  EXPECT_EQ(l.h_list, 1);
  EXPECT_EQ(l.h_reap, 1);
  EXPECT_EQ(l.h_break, 0);
  EXPECT_TRUE(l.pages_set);  // DAX_LEASE_PAGES
  EXPECT_FALSE(l.breaking);
  EXPECT_EQ(l.file, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, PinErrorsTakeNoNewLease) {
  auto ex = RunAll(Lease(), {{kPin}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);
  EXPECT_FALSE(ex.world().lease[0].allocated);
  auto busy = RunAll(Lease(), {{kFault, kPin, kPin}});
  EXPECT_EQ(Ret(busy, 0, 2), kEBUSY);
  EXPECT_EQ(busy.world().lease[0].dl_count, 2);
}

// A3 "result <= 0": a GUP that fails after the lease was set up unlocks it
// (drops A) and puts B, so a later truncate is not left waiting on it.
TEST(OpsLease, FailedLongtermPinLeavesNoLease) {
  auto ex = RunAll(Lease(), {{kFault, C(Op::kPinLongterm, 0, 0),
                              C(Op::kMunmap, 0), C(Op::kTruncate, 1, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEOPNOTSUPP);
  EXPECT_FALSE(ex.world().lease[0].on_list);
  EXPECT_FALSE(ex.deadlocked());
  EXPECT_EQ(Ret(ex, 0, 3), 0);
}

// GUP-fast cannot take the lease, so under this mechanism it falls back to
// the slow path (a pin that skipped the lease would defeat truncate).
TEST(OpsLease, PinFastFallsBackToTheSlowPath) {
  auto ex = RunAll(Lease(), {{kFault, C(Op::kPinFast, 0, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEAGAIN);
  EXPECT_FALSE(ex.world().pin[0].held);
  EXPECT_FALSE(ex.world().lease[0].allocated);
  EXPECT_EQ(ex.world().pg[0].refcount, 1);
}

// ---- reap (R2) ----

TEST(OpsLease, ReapDropsTheGupReferenceOnce) {
  auto ex = RunAll(Lease(), {{kReap, kFault, kPin, kReap, kReap}});
  const auto& l = ex.world().lease[0];
  EXPECT_EQ(Ret(ex, 0, 0), kEINVAL);  // no lease yet
  EXPECT_EQ(Ret(ex, 0, 3), 0);
  EXPECT_EQ(Ret(ex, 0, 4), kEINVAL);  // B already dropped
  EXPECT_EQ(l.dl_count, 1);
  EXPECT_EQ(l.h_reap, 0);
  EXPECT_TRUE(l.on_list);
  EXPECT_FALSE(l.freed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- lease_unlock (§3.6.4, I-LS-2) ----

TEST(OpsLease, SecondUnlockIsEagainWithoutASecondPut) {
  auto ex = RunAll(Lease(), {{kFault, kPin, kUnlock, kUnlock}});
  const auto& l = ex.world().lease[0];
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(Ret(ex, 0, 3), kEAGAIN);
  EXPECT_FALSE(l.on_list);
  EXPECT_EQ(l.dl_count, 1);  // only B left
  EXPECT_EQ(l.h_list, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, LastPutFreesTheDaxLease) {
  auto ex = RunAll(Lease(), {{kFault, kPin, kUnlock, kReap}});
  EXPECT_EQ(ex.world().lease[0].dl_count, 0);
  EXPECT_TRUE(ex.world().lease[0].freed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- break_lease / break_work (§3.6.3, K1, U1-U4) ----

TEST(OpsLease, BreakWorkIsEinvalWithoutABreak) {
  auto ex = RunAll(Lease(), {{kFault, kPin, kBreakWork}});
  EXPECT_EQ(Ret(ex, 0, 2), kEINVAL);
  EXPECT_EQ(ex.world().lease[0].dl_count, 2);
  EXPECT_TRUE(ex.world().lease[0].on_list);
}

TEST(OpsLease, BreakLeaseWithoutLeasesReturnsAtOnce) {
  auto ex = RunAll(Lease(), {{C(Op::kBreakLease, 1)}});
  EXPECT_EQ(Ret(ex, 0, 0), 0);
}

TEST(OpsLease, BreakLeaseOnlyBreaksLeasesOfItsFile) {
  auto ex = RunAll(Lease(2), {{kFault, kPin}, {C(Op::kBreakLease, 2)}});
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_FALSE(ex.world().lease[0].breaking);
  EXPECT_EQ(ex.world().lease[0].dl_count, 2);
}

TEST(OpsLease, FullLifecycleOfABrokenLease) {
  SpecExec ex(
      Lease(),
      {{kFault, kPin}, {C(Op::kBreakLease, 1)}, {kUnpin, kBreakWork, kReap}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1}));  // lm_break: takes C, break_time = 0
  const auto& l = ex.world().lease[0];
  EXPECT_TRUE(l.breaking);
  EXPECT_EQ(l.dl_count, 3);
  EXPECT_EQ(l.h_break, 1);
  EXPECT_FALSE(ex.enabled(1));  // the breaker waits for the owner's unlock
  ASSERT_TRUE(Steps(ex, {2, 2, 2, 2}));  // unpin; break_work U1-U4
  EXPECT_EQ(Ret(ex, 2, 1), 0);
  EXPECT_FALSE(l.on_list);
  EXPECT_EQ(l.dl_count, 1);  // A and C dropped, B left
  EXPECT_EQ(l.h_list, 0);
  EXPECT_EQ(l.h_break, 0);
  EXPECT_TRUE(ex.enabled(1));
  RunThread(ex, 1);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  RunThread(ex, 2);  // reap
  EXPECT_EQ(l.dl_count, 0);
  EXPECT_TRUE(l.freed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// U2 / I-LS-5: break_work unlocks only once the pinned page is idle.
TEST(OpsLease, BreakWorkWaitsForThePinnedPageToIdle) {
  SpecExec ex(
      Lease(),
      {{kFault, kPin}, {C(Op::kBreakLease, 1)}, {kBreakWork}, {kUnpin}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_FALSE(ex.enabled(2));
  EXPECT_TRUE(ex.world().lease[0].on_list);
  RunThread(ex, 3);
  EXPECT_TRUE(ex.enabled(2));
  Finish(ex);
  EXPECT_EQ(Ret(ex, 2, 0), 0);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- truncate with dax_truncate_mechanism = fl_allocated_lease ----

TEST(OpsLease, TruncateWaitsForTheLeaseToBeUnlocked) {
  SpecExec ex(Lease(),
              {{kFault, kPin}, {C(Op::kTruncate, 1, 0)}, {kUnpin, kBreakWork}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_FALSE(ex.done(1));
  EXPECT_TRUE(ex.world().lease[0].breaking);
  EXPECT_EQ(ex.world().pg[0].st, kBlkOwned);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
  EXPECT_EQ(ex.world().ino[1].size, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, TruncateThatDoesNotShrinkBreaksNothing) {
  auto ex = RunAll(Lease(), {{kFault, kPin, C(Op::kTruncate, 1, 1)}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_FALSE(ex.world().lease[0].breaking);
  EXPECT_EQ(ex.world().lease[0].dl_count, 2);
}

// The mechanism replaces only the WAIT policy's busy scan.
TEST(OpsLease, EbusyPolicyStillUsesTheBusyScan) {
  Config c = Lease();
  c.policy.dax_truncate = DaxTruncatePolicy::kEbusy;
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kTruncate, 1, 0)}});
  EXPECT_EQ(Ret(ex, 0, 2), kEBUSY);
  EXPECT_FALSE(ex.world().lease[0].breaking);
}

// ---- lease_break_refs (R-003d) ----

TEST(OpsLease, PutBeforeUnlinkLetsABreakerSeeAFreedDaxLease) {
  SpecExec ex(Lease(1, LeaseBreakRefs::kPutBeforeUnlink),
              {{kFault, kPin, kReap}, {kUnlock}, {C(Op::kBreakLease, 1)}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1}));  // put(A): 0 -> kfree, still on the list
  EXPECT_TRUE(ex.world().lease[0].freed);
  EXPECT_TRUE(ex.world().lease[0].on_list);
  RunThread(ex, 2);
  EXPECT_EQ(ex.violation(), Inv::kRef2);
}

TEST(OpsLease, CorrectUnlockUnlinksBeforeThePut) {
  SpecExec ex(Lease(),
              {{kFault, kPin, kReap}, {kUnlock}, {C(Op::kBreakLease, 1)}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1}));
  EXPECT_FALSE(ex.world().lease[0].on_list);
  EXPECT_TRUE(ex.world().lease[0].freed);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(Ret(ex, 2, 0), 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, PutBeforeUnlinkAloneStillEndsUnlocked) {
  auto ex = RunAll(Lease(1, LeaseBreakRefs::kPutBeforeUnlink),
                   {{kFault, kPin, kUnlock, kUnlock, kReap}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(Ret(ex, 0, 3), kEAGAIN);
  EXPECT_FALSE(ex.world().lease[0].on_list);
  EXPECT_TRUE(ex.world().lease[0].freed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

}  // namespace
}  // namespace lifecheck
