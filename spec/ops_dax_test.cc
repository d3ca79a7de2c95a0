// Contract tests of the DAX and GUP ops (seeds 003, 004): alloc, pin,
// pin_longterm, pin_fast, dma, unpin, DAX truncate under each policy, and the
// eviction barrier. Expected values come from kernel-semantics.md §2.4, §3.4,
// §3.5, §4.5-§4.6, §5.4 and §5.5, not from the code.
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

Config Dax(DaxTruncatePolicy trunc = DaxTruncatePolicy::kWait, int files = 1) {
  Config c;
  c.fs = FsKind::kDax;
  c.files = files;
  c.ptes = 2;
  c.pins = 1;
  c.policy.dax_truncate = trunc;
  return c;
}
Config OneBased(Config c) {
  c.policy.dax_ref_base = DaxRefBase::kOneBased;
  return c;
}
const Call kFault = C(Op::kFault, 0, 1, 0);
const Call kPin = C(Op::kPin, 0, 0);

// ---- fault on DAX (§3.5.1, §2.4) ----

TEST(OpsDax, FaultRefcountFollowsDaxRefBase) {
  auto zero = RunAll(Dax(), {{kFault}});
  EXPECT_EQ(zero.world().pg[0].refcount, 1);  // each mapping holds a ref
  EXPECT_EQ(zero.world().pg[0].mapcount, 1);
  auto one = RunAll(OneBased(Dax()), {{kFault}});
  EXPECT_EQ(one.world().pg[0].refcount, 1);  // the idle 1; maps take none
  EXPECT_EQ(one.world().pg[0].mapcount, 1);
  EXPECT_EQ(zero.violation(), Inv::kNone);
  EXPECT_EQ(one.violation(), Inv::kNone);
}

TEST(OpsDax, WriteFaultMapsWritableWithoutPageMkwrite) {
  auto ex = RunAll(Dax(), {{kFault, C(Op::kWriteFault, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_TRUE(w.pte[0].writable);
  EXPECT_TRUE(w.pte[0].dirty);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_EQ(w.pg[0].refcount, 1);
}

// ---- alloc (§1.7) ----

TEST(OpsDax, AllocIntoHoleTakesAFreeBlockAndBumpsGen) {
  auto ex = RunAll(Dax(), {{C(Op::kAlloc, 1, 0), C(Op::kTruncate, 1, 0),
                            C(Op::kAlloc, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);  // allocated index: its block, gen unchanged
  EXPECT_EQ(Ret(ex, 0, 2), 0);  // block 0, the only free one
  EXPECT_EQ(w.pg[0].st, kBlkOwned);
  EXPECT_EQ(w.pg[0].owner, 1);
  EXPECT_EQ(w.pg[0].gen, 2);
  EXPECT_EQ(w.ino[1].map[0], 0);
  EXPECT_EQ(w.ino[1].size, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, AllocOnEvictedInodeFails) {
  auto ex = RunAll(Dax(), {{C(Op::kUnlink, 1), C(Op::kAlloc, 1, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
}

// ---- pin / pin_longterm / pin_fast / dma / unpin (§3.4) ----

TEST(OpsDax, PinAddsBiasAndRecordsWhatWasPinned) {
  auto ex = RunAll(Dax(), {{kFault, kPin}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 1);
  EXPECT_TRUE(w.pin[0].held);
  EXPECT_EQ(w.pin[0].page, 0);
  EXPECT_EQ(w.pin[0].file, 1);
  EXPECT_EQ(w.pin[0].index, 0);
  EXPECT_EQ(w.pin[0].gen, 1);
  EXPECT_FALSE(w.pin[0].longterm);
  EXPECT_EQ(w.pg[0].refcount, 1 + kGupPinBias);
  EXPECT_EQ(w.ptl_owner, kNone);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, PinErrors) {
  auto ex = RunAll(Dax(), {{kPin, kFault, kPin, kPin}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);  // nothing mapped
  EXPECT_EQ(Ret(ex, 0, 3), kEBUSY);   // slot already holds a pin
  EXPECT_EQ(ex.world().pg[0].refcount, 1 + kGupPinBias);
}

TEST(OpsDax, LongtermPinOnFsdaxIsRejected) {
  auto ex = RunAll(Dax(), {{kFault, C(Op::kPinLongterm, 0, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEOPNOTSUPP);
  EXPECT_FALSE(ex.world().pin[0].held);
  EXPECT_EQ(ex.world().pg[0].refcount, 1);
  EXPECT_EQ(ex.world().ptl_owner, kNone);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, LongtermPinAllowedOnFsdaxBreaksGup2) {
  Config c = Dax();
  c.policy.longterm_pin = LongtermPinOnFsdax::kAllow;
  auto ex = RunAll(c, {{kFault, C(Op::kPinLongterm, 0, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), 1);
  EXPECT_TRUE(ex.world().pin[0].longterm);
  EXPECT_EQ(ex.violation(), Inv::kGup2);
  c.fs = FsKind::kDisk;  // FOLL_LONGTERM on the page cache is fine
  auto pc = RunAll(c, {{kFault, C(Op::kPinLongterm, 0, 0)}});
  EXPECT_EQ(Ret(pc, 0, 1), 1);
  EXPECT_EQ(pc.violation(), Inv::kNone);
}

// FOLL_WRITE: GUP-fast pins only through a writable PTE; a read-only one
// needs the slow path's write fault (gup_fast_pte_range:
// pte_access_permitted(pte, FOLL_WRITE)).
TEST(OpsDax, PinFastPinsAWritablyMappedPage) {
  auto ex =
      RunAll(Dax(), {{C(Op::kPinFast, 0, 0), kFault, C(Op::kPinFast, 0, 0),
                      C(Op::kWriteFault, 0), C(Op::kPinFast, 0, 0)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);
  EXPECT_EQ(Ret(ex, 0, 2), kEAGAIN);
  EXPECT_EQ(Ret(ex, 0, 4), 1);
  EXPECT_TRUE(ex.world().pin[0].held);
  EXPECT_EQ(ex.world().pg[0].refcount, 1 + kGupPinBias);
}

// F2 fails on an idle ZERO_BASED page; ONE_BASED grabs, and F3 undoes it.
TEST(OpsDax, PinFastRacingAZapBailsOut) {
  for (bool one : {false, true}) {
    Config c = one ? OneBased(Dax()) : Dax();
    SpecExec ex(c, {{kFault, C(Op::kPinFast, 0, 0)}, {C(Op::kMunmap, 0)}});
    ASSERT_TRUE(Steps(ex, {0, 0}));  // fault; F1 reads the PTE
    RunThread(ex, 1);                // the zap
    RunThread(ex, 0);
    EXPECT_EQ(Ret(ex, 0, 1), kEAGAIN) << one;
    EXPECT_FALSE(ex.world().pin[0].held);
    EXPECT_EQ(ex.world().pg[0].refcount, one ? 1 : 0);
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
}

TEST(OpsDax, DmaNeedsAHeldPin) {
  auto ex = RunAll(Dax(), {{C(Op::kDma, 0), kFault, kPin, C(Op::kDma, 0)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEINVAL);
  EXPECT_EQ(Ret(ex, 0, 3), 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, UnpinDropsTheBiasOnce) {
  auto ex = RunAll(Dax(), {{kFault, kPin, C(Op::kUnpin, 0), C(Op::kUnpin, 0)}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(Ret(ex, 0, 3), kEINVAL);
  EXPECT_FALSE(ex.world().pin[0].held);
  EXPECT_EQ(ex.world().pg[0].refcount, 1);
}

// Under ptl_on_zap the GUP slow path's PTL excludes a zap between its PTE read
// and its grab; without it the zap may run in between.
TEST(OpsDax, PtlOnZapMakesMunmapWaitForGupSlowPath) {
  for (bool ptl : {true, false}) {
    Config c = Dax();
    c.policy.ptl_on_zap = ptl;
    SpecExec ex(c,
                {{kFault, C(Op::kWriteFault, 0), kPin}, {C(Op::kMunmap, 0)}});
    ASSERT_TRUE(Steps(ex, {0, 0, 0}));  // fault; write fault; PinLockPtl
    EXPECT_EQ(ex.world().ptl_owner, 0);
    EXPECT_EQ(ex.enabled(1), !ptl);
  }
}

// ---- DAX truncate (§3.5.5) ----

TEST(OpsDax, TruncateOfIdleRangeFreesBlocks) {
  auto ex = RunAll(Dax(), {{kFault, C(Op::kTruncate, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(w.ino[1].size, 0);
  EXPECT_EQ(w.ino[1].map[0], kNone);
  EXPECT_EQ(w.pg[0].st, kBlkFree);
  EXPECT_FALSE(w.pte[0].present);
  EXPECT_EQ(w.pg[0].refcount, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, TruncateWaitBlocksUntilUnpin) {
  for (bool one : {false, true}) {
    Config c = one ? OneBased(Dax()) : Dax();
    SpecExec ex(c,
                {{kFault, kPin}, {C(Op::kTruncate, 1, 0)}, {C(Op::kUnpin, 0)}});
    RunThread(ex, 0);
    RunThread(ex, 1);
    EXPECT_FALSE(ex.done(1));
    EXPECT_FALSE(ex.enabled(1)) << one;
    EXPECT_FALSE(ex.world().pte[0].present);  // unmapped before the scan
    EXPECT_EQ(ex.world().pg[0].st, kBlkOwned);
    EXPECT_EQ(ex.world().ino[1].size, 1);
    RunThread(ex, 2);
    EXPECT_TRUE(ex.enabled(1));
    Finish(ex);
    EXPECT_EQ(Ret(ex, 1, 0), 0);
    EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
}

TEST(OpsDax, TruncateEbusyFailsAndLeavesTheFile) {
  auto ex = RunAll(Dax(DaxTruncatePolicy::kEbusy),
                   {{kFault, kPin, C(Op::kTruncate, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), kEBUSY);
  EXPECT_EQ(w.ino[1].size, 1);
  EXPECT_EQ(w.ino[1].map[0], 0);
  EXPECT_EQ(w.pg[0].st, kBlkOwned);
  EXPECT_TRUE(w.pin[0].held);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  auto mapped = RunAll(Dax(DaxTruncatePolicy::kEbusy),
                       {{kFault, C(Op::kTruncate, 1, 0)}});
  EXPECT_EQ(Ret(mapped, 0, 1), 0);  // a mapping is zapped, not "busy"
  EXPECT_EQ(mapped.world().pg[0].st, kBlkFree);
}

TEST(OpsDax, TruncateSequesterMovesBusyBlockToLostFound) {
  auto ex = RunAll(Dax(DaxTruncatePolicy::kSequester),
                   {{kFault, kPin, C(Op::kTruncate, 1, 0), C(Op::kDma, 0),
                     C(Op::kAlloc, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(w.pg[0].st, kBlkSequestered);
  EXPECT_EQ(w.pg[0].owner, kLostFound);
  EXPECT_EQ(w.ino[1].map[0], kNone);  // a hole
  EXPECT_EQ(w.ino[1].size, 0);
  EXPECT_EQ(Ret(ex, 0, 3), 0);        // DMA into lost+found is allowed
  EXPECT_EQ(Ret(ex, 0, 4), kENOSPC);  // a stranded block is not reusable
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, TruncateNoneFreesAPinnedBlock) {
  auto ex = RunAll(Dax(DaxTruncatePolicy::kNone),
                   {{kFault, kPin, C(Op::kTruncate, 1, 0)}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
  EXPECT_EQ(ex.violation(), Inv::kDax1);
  EXPECT_FALSE(Warned(ex, Warn::kDaxTruncBusy));  // canary is <= v6.14 only
  auto one = RunAll(OneBased(Dax(DaxTruncatePolicy::kNone)),
                    {{kFault, kPin, C(Op::kTruncate, 1, 0)}});
  EXPECT_TRUE(Warned(one, Warn::kDaxTruncBusy));
}

TEST(OpsDax, TruncateNoneLetsDmaLandInAnotherFile) {  // R-003a
  Config c = Dax(DaxTruncatePolicy::kNone, 2);
  c.ignore = Ignore({Inv::kDax1});
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kTruncate, 1, 0)},
                       {C(Op::kTruncate, 2, 0), C(Op::kAlloc, 2, 0)},
                       {C(Op::kDma, 0)}});
  EXPECT_EQ(Ret(ex, 1, 1), 0);  // block 0 reallocated to file 2
  EXPECT_EQ(ex.world().pg[0].owner, 2);
  EXPECT_EQ(ex.world().pg[0].gen, 2);
  EXPECT_EQ(ex.violation(), Inv::kDax2);
}

TEST(OpsDax, BusyScanThatSkipsUnmappedMissesThePin) {  // R-003c
  for (bool skips : {true, false}) {
    Config c = Dax();
    c.policy.busy_scan_skips_unmapped = skips;
    SpecExec ex(c,
                {{kFault, kPin, C(Op::kMunmap, 0)}, {C(Op::kTruncate, 1, 0)}});
    Finish(ex);
    if (skips) {
      EXPECT_EQ(ex.violation(), Inv::kDax4);
    } else {
      EXPECT_TRUE(ex.deadlocked());  // truncate waits for the unpin
      EXPECT_EQ(ex.world().pg[0].st, kBlkOwned);
    }
  }
}

// R-003b / I-DAX-5: refcounts are read only after the range is unmapped.
TEST(OpsDax, ScanBeforeUnmapBreaksDax5) {
  for (auto order :
       {DaxScanOrder::kUnmapThenScan, DaxScanOrder::kScanThenUnmap}) {
    Config c = Dax();
    c.policy.dax_scan_order = order;
    auto ex = RunAll(c, {{kFault, C(Op::kTruncate, 1, 0)}});
    EXPECT_EQ(ex.violation(),
              order == DaxScanOrder::kScanThenUnmap ? Inv::kDax5 : Inv::kNone);
  }
}

// §3.5.1/§3.5.5: faults run with the fault lock shared, truncate holds it
// exclusive from T1 to T5, so no fault can re-map (and GUP re-pin) the range
// between the busy scan and the free.
TEST(OpsDax, NoFaultBetweenBusyScanAndFree) {
  SpecExec ex(Dax(), {{kFault, kPin}, {C(Op::kTruncate, 1, 0)}});
  ASSERT_TRUE(Steps(ex, {1, 1}));  // DaxScanUnmap, DaxScan: range idle
  EXPECT_FALSE(ex.enabled(0));     // the fault waits for the fault lock
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);  // beyond the new EOF
  EXPECT_EQ(Ret(ex, 0, 1), kEFAULT);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- eviction barrier (§3.5.6, §5.5) ----

TEST(OpsDax, EvictionWaitsForThePinUnderBreakLayoutFinal) {  // R-004a fixed
  SpecExec ex(Dax(), {{kFault, kPin, C(Op::kMunmap, 0)},
                      {C(Op::kUnlink, 1)},
                      {C(Op::kUnpin, 0)}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_FALSE(ex.done(1));
  EXPECT_TRUE(ex.world().ino[1].freeing);
  EXPECT_FALSE(ex.world().ino[1].freed);
  EXPECT_FALSE(ex.world().ino[1].on_lru);
  EXPECT_EQ(ex.world().pg[0].st, kBlkOwned);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, EvictionWithoutBarrierFreesPinnedBlock) {
  Config c = Dax();
  c.policy.evict_barrier = EvictDaxBarrier::kNone;
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kMunmap, 0), C(Op::kUnlink, 1)}});
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_EQ(ex.violation(), Inv::kDax3);
}

TEST(OpsDax, DropInodeKeepsBusyCachesUnlinkedInode) {  // R-004b
  Config c = Dax();
  c.policy.evict_barrier = EvictDaxBarrier::kDropInodeKeepsBusy;
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kMunmap, 0), C(Op::kUnlink, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kIno1);
  EXPECT_TRUE(ex.world().ino[1].on_lru);
  EXPECT_FALSE(ex.world().ino[1].freed);
}

// S-004-2 expects I-INO-1 *and* I-LOCK-1: dax_inode_busy() zaps under i_lock.
TEST(OpsDax, DropInodeKeepsBusyAlsoSleepsUnderILock) {
  Config c = Dax();
  c.policy.evict_barrier = EvictDaxBarrier::kDropInodeKeepsBusy;
  c.ignore = Ignore({Inv::kIno1});
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kMunmap, 0), C(Op::kUnlink, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kLock1);
}

// K20 "fs/dax: Ensure all pages are idle prior to filesystem unmount":
// evict_inodes at umount runs dax_break_layout_final too.
TEST(OpsDax, UmountEvictionWaitsForPinnedBlock) {
  SpecExec ex(Dax(), {{kFault, kPin, C(Op::kMunmap, 0)},
                      {C(Op::kUmount)},
                      {C(Op::kUnpin, 0)}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_FALSE(ex.done(1));
  EXPECT_FALSE(ex.world().ino[1].freed);
  RunThread(ex, 2);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_FALSE(Warned(ex, Warn::kBusyInodes));
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDax, UmountWithoutBarrierFreesInodeUnderAPin) {
  Config c = Dax();
  c.policy.evict_barrier = EvictDaxBarrier::kNone;
  auto ex = RunAll(c, {{kFault, kPin, C(Op::kMunmap, 0), C(Op::kUmount)}});
  EXPECT_EQ(ex.violation(), Inv::kDax3);
}

// ---- reclaim: the shrinkers (seed 004, L-2) ----

// The dentry shrinker kills the unused cached dentry; its iput leaves the
// linked inode unreferenced on the LRU. The inode shrinker then evicts it
// only once its mapping is empty (mainline), or through the barrier.
TEST(OpsDax, ShrinkersPutTheInodeOnTheLruAndEvictOnlyAnEmptyMapping) {
  auto skip =
      RunAll(Dax(), {{kFault, C(Op::kMunmap, 0), C(Op::kShrinkDcache, 1),
                      C(Op::kPruneIcache, 1)}});
  const auto& w = skip.world();
  EXPECT_EQ(w.d[1].count, kDentryDead);
  EXPECT_EQ(w.ino[1].i_count, 0);
  EXPECT_TRUE(w.ino[1].on_lru);  // the DAX entry keeps it
  EXPECT_FALSE(w.ino[1].freeing);
  EXPECT_EQ(skip.violation(), Inv::kNone);
  Config c = Dax();
  c.policy.prune_icache_pages = PruneIcachePages::kEvict;
  auto evict = RunAll(c, {{kFault, C(Op::kMunmap, 0), C(Op::kShrinkDcache, 1),
                           C(Op::kPruneIcache, 1)}});
  EXPECT_TRUE(evict.world().ino[1].freed);
  EXPECT_FALSE(evict.world().ino[1].on_lru);
  EXPECT_EQ(evict.violation(), Inv::kNone);
}

// A dentry in use and a referenced inode are left alone.
TEST(OpsDax, ShrinkersLeaveWhatIsInUse) {
  Config c = Dax();
  c.policy.prune_icache_pages = PruneIcachePages::kEvict;
  auto ex = RunAll(c, {{C(Op::kLookup, 1), C(Op::kShrinkDcache, 1), kFault,
                        C(Op::kPruneIcache, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().d[1].count, 1);
  EXPECT_FALSE(ex.world().ino[1].freeing);
  EXPECT_EQ(ex.world().ino[1].i_count, 2);  // the dentry and the VMA
}

// L-2: the pin holder's own direct reclaim waits in the barrier for its pin
// when the shrinker evicts an inode that still has pages; mainline's
// inode_lru_isolate leaves that inode and the driver goes on to unpin.
TEST(OpsDax, ReclaimThatEvictsWaitsForTheReclaimersOwnPin) {
  for (const bool evict : {false, true}) {
    SCOPED_TRACE(evict ? "prune_icache_pages=evict" : "mainline");
    Config c = Dax();
    if (evict) c.policy.prune_icache_pages = PruneIcachePages::kEvict;
    SpecExec ex(c, {{kFault, C(Op::kMunmap, 0)},
                    {kPin, C(Op::kPruneIcache, 1), C(Op::kUnpin, 0)},
                    {C(Op::kShrinkDcache, 1)}});
    // The fault, the pin through it, the munmap, the dentry shrinker; then
    // the pin holder's reclaim.
    auto run_call = [&](int t) {
      const size_t n = ex.results()[t].size();
      while (ex.results()[t].size() == n && ex.enabled(t)) ex.step(t);
      ASSERT_EQ(ex.results()[t].size(), n + 1) << "thread " << t;
    };
    run_call(0);
    run_call(1);
    EXPECT_EQ(Ret(ex, 1, 0), 1);  // one page pinned
    run_call(0);
    run_call(2);
    EXPECT_EQ(ex.world().ino[1].i_count, 0);
    EXPECT_TRUE(ex.world().ino[1].on_lru);
    Finish(ex);
    EXPECT_EQ(ex.deadlocked(), evict);
    EXPECT_EQ(ex.done(1), !evict);
    EXPECT_EQ(ex.world().ino[1].freeing, evict);
    EXPECT_EQ(ex.world().pin[0].held, evict);
    EXPECT_FALSE(ex.world().ino[1].freed);
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
}

}  // namespace
}  // namespace lifecheck
