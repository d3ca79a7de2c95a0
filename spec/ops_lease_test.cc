// Contract tests of the FL_ALLOCATED lease ops as posted (seed 003 v3 12/13
// and 13/13, never merged): pin with a lease, the reap_work and break_work
// kworkers, break_lease, truncate via the lease mechanism, the lease_fs_lock
// knob and the lease_break_refs mutation. Expected values come from
// kernel-semantics.md §3.6.3-§3.6.5, §4.7, R-003d and the posted patches,
// not from the code.
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
  c.policy.dax_ref_base = DaxRefBase::kOneBased;
  c.policy.lease_break_refs = refs;
  return c;
}
const Call kFault = C(Op::kFault, 0, 1, 0);
const Call kPin = C(Op::kPin, 0, 0);
const Call kReap = C(Op::kReap, 0);
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
  EXPECT_TRUE(l.pages_set);    // DAX_LEASE_PAGES
  EXPECT_TRUE(l.reap_queued);  // A3 queues reap_work
  EXPECT_FALSE(l.breaking);
  EXPECT_EQ(l.file, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, PinWithoutAVmaTakesNoLease) {
  auto ex = RunAll(Lease(), {{kPin}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);
  EXPECT_FALSE(ex.world().lease[0].allocated);
  auto busy = RunAll(Lease(), {{kFault, kPin, kPin}});
  EXPECT_EQ(Ret(busy, 0, 2), kEBUSY);
  EXPECT_EQ(busy.world().lease[0].dl_count, 2);
}

// A3 "result <= 0": a GUP that fails after A1 (its VMA's PTE is gone) sets
// PAGES, unlocks (drops A), flushes break_work and puts B: no lease is left.
TEST(OpsLease, FailedGupDropsItsLease) {
  Config c = Lease();
  c.pages = 2;
  auto ex = RunAll(c, {{C(Op::kFault, 0, 1, 1), C(Op::kTruncate, 1, 1), kPin}});
  const auto& l = ex.world().lease[0];
  EXPECT_EQ(Ret(ex, 0, 2), kEFAULT);
  EXPECT_FALSE(l.on_list);
  EXPECT_EQ(l.dl_count, 0);
  EXPECT_TRUE(l.freed);
  EXPECT_FALSE(l.reap_queued);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

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

// ---- the kworkers ----

// A work nobody queued leaves its kworker idle: no work left, no deadlock.
TEST(OpsLease, UnqueuedWorksAreIdleNotDeadlocked) {
  auto ex = RunAll(Lease(), {{kReap}, {kBreakWork}});
  EXPECT_TRUE(ex.idle(0));
  EXPECT_TRUE(ex.idle(1));
  EXPECT_TRUE(ex.all_done());
  EXPECT_FALSE(ex.deadlocked());
}

// reap_work: break (C, break_work queued), wait for the lease to go, put B.
// break_work: wait for the page to idle, unlock (A), put C.
TEST(OpsLease, FullLifecycleOfAReapedLease) {
  SpecExec ex(Lease(), {{kFault, kPin}, {kReap}, {kBreakWork}, {kUnpin}});
  RunThread(ex, 0);
  RunThread(ex, 1);  // R1: lm_break, then the blocking wait
  const auto& l = ex.world().lease[0];
  EXPECT_TRUE(l.breaking);
  EXPECT_TRUE(l.work_queued);
  EXPECT_EQ(l.dl_count, 3);
  EXPECT_EQ(l.h_break, 1);
  EXPECT_FALSE(ex.enabled(1));
  ASSERT_TRUE(Steps(ex, {2}));  // break_work dequeued ...
  EXPECT_FALSE(ex.enabled(2));  // ... and polls: the page is pinned (U2)
  RunThread(ex, 3);             // the DMA completes: unpin
  RunThread(ex, 2);             // U2 sees it idle, U3 unlocks, U4 puts C
  EXPECT_EQ(Ret(ex, 2, 0), 0);
  EXPECT_FALSE(l.on_list);
  EXPECT_EQ(l.dl_count, 1);  // A and C dropped, B left
  EXPECT_FALSE(l.work_queued);
  RunThread(ex, 1);  // reap: no lease left, put B
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(l.dl_count, 0);
  EXPECT_TRUE(l.freed);
  EXPECT_FALSE(l.reap_queued);
  EXPECT_EQ(ex.violation(), Inv::kNone);
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

// ---- truncate with dax_truncate_mechanism = fl_allocated_lease ----

TEST(OpsLease, TruncateWaitsWithItsLocksDropped) {
  SpecExec ex(
      Lease(),
      {{kFault, kPin}, {C(Op::kTruncate, 1, 0)}, {kUnpin}, {kBreakWork}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_FALSE(ex.done(1));
  EXPECT_TRUE(ex.world().lease[0].breaking);
  EXPECT_EQ(ex.world().ino[1].mmaplock, kNone);  // xfs_break_allocated
  EXPECT_EQ(ex.world().ino[1].rwsem, kNone);
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

// ---- lease_fs_lock (13/13 xfs_file_setlease) ----

// Truncate holds XFS_MMAPLOCK_EXCL from its break through the free: the
// GUP's setlease waits, and then finds no PTE to pin.
TEST(OpsLease, SetleaseWaitsForTruncatesMmaplock) {
  SpecExec ex(Lease(), {{kFault}, {C(Op::kTruncate, 1, 0)}, {kPin}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1}));  // the break: no lease, straight to the free
  EXPECT_FALSE(ex.enabled(2));  // PinLeaseSetup waits for the MMAPLOCK
  Finish(ex);
  EXPECT_EQ(Ret(ex, 2, 0), kEFAULT);
  EXPECT_FALSE(ex.world().pin[0].held);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsLease, BareSetleaseLetsAGupPinABlockTruncateFrees) {
  Config c = Lease();
  c.policy.lease_fs_lock = LeaseFsLock::kNone;
  SpecExec ex(
      c, {{kFault, C(Op::kWriteFault, 0)}, {C(Op::kTruncate, 1, 0)}, {kPin}});
  RunThread(ex, 0);  // a writable PTE: the GUP needs no fault (no MMAPLOCK)
  ASSERT_TRUE(Steps(ex, {1, 2, 2, 2}));  // break; A1, A2 grab under the PTL
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kDax1);
}

// ---- lease_break_refs (R-003d) ----

// The failed GUP's F_UNLCK and break_work's: as posted the second finds no
// lease (-EAGAIN, no lm_change); with A dropped outside flc_lock before the
// unlink, both call lm_change (I-LS-2).
SpecExec FailedGupVsBreakWork(LeaseBreakRefs refs) {
  Config c = Lease(1, refs);
  c.pages = 2;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 1)},
                  {C(Op::kTruncate, 1, 1), C(Op::kTruncate, 1, 0)},
                  {kPin},
                  {kBreakWork}});
  RunThread(ex, 0);
  EXPECT_TRUE(Steps(ex, {1, 1}));     // the first truncate zaps index 1
  EXPECT_TRUE(Steps(ex, {2}));        // A1: the lease is listed
  EXPECT_TRUE(Steps(ex, {1}));        // the second truncate's lm_break
  EXPECT_TRUE(Steps(ex, {2}));        // A2: no PTE, faultin_page
  EXPECT_TRUE(Steps(ex, {2}));        // the fault fails: PAGES, F_UNLCK
  EXPECT_TRUE(Steps(ex, {3, 3, 3}));  // break_work: queued, U2, U3
  Finish(ex);
  return ex;
}

TEST(OpsLease, PutBeforeUnlinkCallsLmChangeTwice) {
  SpecExec ex = FailedGupVsBreakWork(LeaseBreakRefs::kPutBeforeUnlink);
  EXPECT_EQ(ex.violation(), Inv::kLs2);
}

TEST(OpsLease, UnlockUnderFlcLockIsIdempotent) {
  SpecExec ex = FailedGupVsBreakWork(LeaseBreakRefs::kCorrect);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  EXPECT_TRUE(ex.all_done());
  EXPECT_TRUE(ex.world().lease[0].freed);
  EXPECT_EQ(Ret(ex, 2, 0), kEFAULT);
}

}  // namespace
}  // namespace lifecheck
