// Contract tests of the page-cache ops (seed 001): fault, write_fault, store,
// writeback (WB_SYNC_NONE and WB_SYNC_ALL), truncate and munmap on a disk
// filesystem, and the write-fault knobs mkwrite / mkwrite_returns_locked /
// mkwrite_check_truncate / fs_enospc. Expected values come from
// kernel-semantics.md §3.3, §4.4 and §5.2, not from the code.
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

Config Pc(int pages = 1, int pins = 0, int files = 1) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = files;
  c.pages = pages;
  c.ptes = 2;
  c.pins = pins;
  return c;
}

// ---- fault (§3.3: the first read fault maps read-only) ----

TEST(OpsPagecache, FaultMapsReadOnlyAndTakesPageAndInodeRefs) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kFault, 0, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(Ret(ex, 0, 1), 0);  // a refault of the slot takes no new refs
  EXPECT_TRUE(w.pte[0].present);
  EXPECT_EQ(w.pte[0].page, 0);
  EXPECT_FALSE(w.pte[0].writable);
  EXPECT_FALSE(w.pte[0].dirty);
  EXPECT_EQ(w.pg[0].mapcount, 1);
  EXPECT_EQ(w.pg[0].refcount, 2);  // page cache + the mapping (§2.4)
  EXPECT_EQ(w.ino[1].i_count, 2);  // the VMA's file reference
  EXPECT_EQ(w.ino[1].h_vma, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, FaultErrors) {
  auto ex =
      RunAll(Pc(1, 0, 2), {{C(Op::kFault, 0, 1, 0), C(Op::kFault, 0, 2, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEINVAL);  // slot belongs to another VMA
  EXPECT_EQ(ex.world().ino[2].i_count, 1);
  auto ex2 = RunAll(Pc(), {{C(Op::kTruncate, 1, 0), C(Op::kFault, 0, 1, 0)}});
  EXPECT_EQ(Ret(ex2, 0, 1), kEFAULT);  // beyond EOF
  EXPECT_FALSE(ex2.world().pte[0].present);
}

// ---- write_fault (§3.3.2, §3.3.3) ----

TEST(OpsPagecache, WriteFaultFixedDirtiesPageWithMetaAndUnlocks) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_TRUE(w.pg[0].dirty);
  EXPECT_TRUE(w.pg[0].fs_meta);
  EXPECT_TRUE(w.pte[0].writable);
  EXPECT_TRUE(w.pte[0].dirty);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_EQ(w.pg[0].lock_owner, kNone);
  EXPECT_EQ(w.pg[0].refcount, 2);  // the transient get_page was put
  EXPECT_EQ(w.pg[0].g_trans, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// "holding the page locked over the 3 critical operations ... preventing page
// cleaning for writeout being initiated in that window" (seed 001).
TEST(OpsPagecache, WriteFaultFixedHoldsPageLockSoWritebackWaits) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kWriteback, 1, 0)}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0}));  // fault, WfGetPage, WfMkwrite
  EXPECT_TRUE(ex.world().pg[0].locked);
  EXPECT_EQ(ex.world().pg[0].lock_owner, 0);
  EXPECT_FALSE(ex.enabled(1));
  RunThread(ex, 0);
  Finish(ex);
  const auto& w = ex.world();
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pte[0].writable);
  EXPECT_FALSE(w.pg[0].fs_meta);  // released only once write-protected
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// §5.2 residual race: fs returns unlocked, writeback fits before S2'.
TEST(OpsPagecache, WriteFaultFsReturningUnlockedLosesMeta) {
  Config c = Pc();
  c.policy.fs_mkwrite_returns_locked = false;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                  {C(Op::kWriteback, 1, 0)}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0}));
  EXPECT_FALSE(ex.world().pg[0].locked);
  ASSERT_TRUE(Steps(ex, {1, 1, 1}));
  EXPECT_FALSE(ex.world().pg[0].fs_meta);
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kPg1);
  EXPECT_EQ(Ret(ex, 0, 1), 0);
}

TEST(OpsPagecache, WriteFaultFsReturningUnlockedAloneIsCorrect) {
  Config c = Pc();
  c.policy.fs_mkwrite_returns_locked = false;
  auto ex = RunAll(c, {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)}});
  EXPECT_TRUE(ex.world().pg[0].fs_meta);
  EXPECT_TRUE(ex.world().pte[0].writable);
  EXPECT_FALSE(ex.world().pg[0].locked);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, WriteFaultOldRacyLosesMeta) {  // R-001a
  Config c = Pc();
  c.policy.mkwrite = MkwriteProtocol::kOldRacy;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                  {C(Op::kWriteback, 1, 0)}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 1, 1, 1}));
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kPg1);
  EXPECT_FALSE(ex.world().pg[0].fs_meta);
  EXPECT_TRUE(ex.world().pte[0].writable);
}

TEST(OpsPagecache, WriteFaultOldRacyAloneEndsDirtyWithMeta) {
  Config c = Pc();
  c.policy.mkwrite = MkwriteProtocol::kOldRacy;
  auto ex = RunAll(c, {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_TRUE(w.pg[0].dirty);
  EXPECT_TRUE(w.pg[0].fs_meta);
  EXPECT_TRUE(w.pte[0].writable);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_EQ(w.pg[0].refcount, 2);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, WriteFaultOnWritableOrAbsentPte) {
  auto ex = RunAll(Pc(), {{C(Op::kWriteFault, 0), C(Op::kFault, 0, 1, 0),
                           C(Op::kWriteFault, 0), C(Op::kWriteFault, 0)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);
  EXPECT_EQ(Ret(ex, 0, 3), 0);  // already writable: nothing to do
  EXPECT_EQ(ex.world().pg[0].refcount, 2);
  EXPECT_EQ(ex.world().pg[0].g_trans, 0);
}

// R-001b fixed: do_page_mkwrite re-checks page->mapping and retries.
TEST(OpsPagecache, WriteFaultRacingTruncateRetriesWithoutDirtying) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kTruncate, 1, 0)}});
  ASSERT_TRUE(Steps(ex, {0, 0}));  // fault, WfGetPage (transient ref)
  RunThread(ex, 1);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  RunThread(ex, 0);
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pg[0].fs_meta);
  EXPECT_FALSE(w.pte[0].present);
  EXPECT_EQ(w.pg[0].refcount, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// §3.3.1: the fs ->page_mkwrite returns VM_FAULT_NOPAGE when
// p.index*PAGE >= i_size, i.e. after truncate_setsize but before the page
// left the cache, and attaches no metadata.
TEST(OpsPagecache, MkwriteBeyondNewISizeAttachesNoMeta) {
  SpecExec ex(Pc(2), {{C(Op::kFault, 0, 1, 1), C(Op::kWriteFault, 0)},
                      {C(Op::kTruncate, 1, 1)}});
  ASSERT_TRUE(
      Steps(ex, {0, 0, 1, 0}));  // fault, WfGetPage, TruncSetSize, WfMkwrite
  EXPECT_FALSE(ex.world().pg[1].fs_meta);
  EXPECT_FALSE(ex.world().pg[1].dirty);
}

// R-001b / S-001-3: a filesystem whose ->page_mkwrite does not re-check
// (mkwrite_check_truncate=false) reserves a block for a page truncate has
// already moved i_size below: I-PG-5.
TEST(OpsPagecache, MkwriteWithoutTruncateCheckReservesBeyondEof) {
  Config c = Pc(2);
  c.policy.mkwrite_check_truncate = false;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 1), C(Op::kWriteFault, 0)},
                  {C(Op::kTruncate, 1, 1)}});
  ASSERT_TRUE(Steps(ex, {0, 0, 1, 0}));
  EXPECT_EQ(ex.violation(), Inv::kPg5);
  EXPECT_TRUE(ex.world().pg[1].fs_meta);
}

// ... and for a page truncate already removed from the file (no mapping).
TEST(OpsPagecache, MkwriteWithoutTruncateCheckOnRemovedPage) {
  Config c = Pc(2);
  c.policy.mkwrite_check_truncate = false;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 1), C(Op::kWriteFault, 0)},
                  {C(Op::kTruncate, 1, 1)}});
  ASSERT_TRUE(Steps(ex, {0, 0}));
  RunThread(ex, 1);
  EXPECT_EQ(ex.world().pg[1].owner, kNone);
  ASSERT_TRUE(Steps(ex, {0}));
  EXPECT_EQ(ex.violation(), Inv::kPg5);
}

// do_page_mkwrite (mm/memory.c) re-checks only folio->mapping after an
// unlocked return: a truncate that moved i_size but has not removed the
// page lets the fault go on (pte_same then fails: the PTE was zapped).
TEST(OpsPagecache, DoPageMkwriteRechecksOnlyTheMapping) {
  Config c = Pc(2);
  c.policy.fs_mkwrite_returns_locked = false;
  SpecExec ex(c, {{C(Op::kFault, 0, 1, 1), C(Op::kWriteFault, 0)},
                  {C(Op::kTruncate, 1, 1)}});
  // fault, WfGetPage, WfMkwrite (fs checks, unlocks), TruncSetSize,
  // WfLockPage.
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 1, 0}));
  EXPECT_EQ(ex.world().ino[1].size, 1);
  EXPECT_TRUE(ex.world().pg[1].locked);
  EXPECT_EQ(ex.world().pg[1].lock_owner, 0);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_FALSE(ex.world().pte[0].present);
  EXPECT_EQ(ex.world().pg[1].owner, kNone);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// fs_enospc: ->page_mkwrite fails with VM_FAULT_SIGBUS. The fault fails
// with the page unlocked and put, no metadata and no PTE change.
TEST(OpsPagecache, MkwriteEnospcFailsTheFaultWithoutAPte) {
  Config c = Pc();
  c.policy.fs_enospc = true;
  auto ex = RunAll(
      c, {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0), C(Op::kStore, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), kEFAULT);
  EXPECT_EQ(Ret(ex, 0, 2), kEFAULT);  // still read-only: SIGBUS again
  EXPECT_TRUE(w.pte[0].present);
  EXPECT_FALSE(w.pte[0].writable);
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pg[0].fs_meta);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_EQ(w.pg[0].refcount, 2);
  EXPECT_EQ(w.pg[0].g_trans, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// A FOLL_WRITE GUP whose write fault gets VM_FAULT_SIGBUS fails with
// -EFAULT (vm_fault_to_errno) instead of retrying.
TEST(OpsPagecache, PinOnFullFsFailsWithEfault) {
  Config c = Pc(1, 1);
  c.policy.fs_enospc = true;
  auto ex = RunAll(c, {{C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEFAULT);
  EXPECT_FALSE(ex.world().pin[0].held);
  EXPECT_EQ(ex.world().pg[0].refcount, 2);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- store (§1.5 hardware rule) ----

TEST(OpsPagecache, StoreNeedsAPresentWritablePte) {
  auto ex =
      RunAll(Pc(), {{C(Op::kStore, 0), C(Op::kFault, 0, 1, 0), C(Op::kStore, 0),
                     C(Op::kWriteFault, 0), C(Op::kStore, 0)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEFAULT);
  EXPECT_EQ(Ret(ex, 0, 2), kEFAULT);  // read-only PTE: would fault
  EXPECT_EQ(Ret(ex, 0, 4), 0);
  EXPECT_TRUE(ex.world().pte[0].dirty);
  auto ro = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kStore, 0)}});
  EXPECT_FALSE(ro.world().pte[0].dirty);
  EXPECT_FALSE(ro.world().pg[0].dirty);
}

// ---- writeback (§3.3.4, §3.3.5) ----

TEST(OpsPagecache, WritebackCleansPageAndWriteProtectsPte) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0),
                           C(Op::kWriteback, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pg[0].writeback);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_FALSE(w.pg[0].fs_meta);
  EXPECT_TRUE(w.pte[0].present);
  EXPECT_FALSE(w.pte[0].writable);
  EXPECT_FALSE(w.pte[0].dirty);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  auto clean = RunAll(Pc(), {{C(Op::kWriteback, 1, 0)}});  // nothing to write
  EXPECT_EQ(Ret(clean, 0, 0), 0);
  EXPECT_FALSE(clean.world().pg[0].writeback);
  EXPECT_FALSE(clean.world().pg[0].locked);
}

TEST(OpsPagecache, StoreAfterWritebackFaultsAgainAndReattachesMeta) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0),
                           C(Op::kWriteback, 1, 0), C(Op::kStore, 0),
                           C(Op::kWriteFault, 0), C(Op::kStore, 0)}});
  EXPECT_EQ(Ret(ex, 0, 3), kEFAULT);
  EXPECT_EQ(Ret(ex, 0, 5), 0);
  EXPECT_TRUE(ex.world().pg[0].fs_meta);
  EXPECT_TRUE(ex.world().pg[0].dirty);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// W3 / I-PG-4: metadata is kept when the page was redirtied during the IO.
TEST(OpsPagecache, WritebackKeepsMetaOfPageRedirtiedDuringIo) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kWriteback, 1, 0)},
                     {C(Op::kWriteFault, 0)}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1, 1}));  // cleaned, IO started, page unlocked
  EXPECT_TRUE(ex.world().pg[0].writeback);
  RunThread(ex, 2);  // redirtied through a new write fault
  Finish(ex);
  EXPECT_TRUE(ex.world().pg[0].dirty);
  EXPECT_TRUE(ex.world().pg[0].fs_meta);
  EXPECT_FALSE(ex.world().pg[0].writeback);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// Writeback of a page redirtied while its IO is in flight: T0 dirties
// it, T1 starts its IO, T2 redirties it, T3 writes it back.
SpecExec RedirtiedUnderIo(Op t3) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kWriteback, 1, 0)},
                     {C(Op::kWriteFault, 0)},
                     {C(t3, 1, 0)}});
  RunThread(ex, 0);
  EXPECT_TRUE(Steps(ex, {1, 1}));
  RunThread(ex, 2);
  EXPECT_TRUE(ex.world().pg[0].writeback);
  EXPECT_TRUE(ex.world().pg[0].dirty);
  return ex;
}

// WB_SYNC_NONE skips a page under writeback (folio_prepare_writeback).
TEST(OpsPagecache, WritebackNoneSkipsPageUnderIo) {
  SpecExec ex = RedirtiedUnderIo(Op::kWriteback);
  RunThread(ex, 3);
  EXPECT_EQ(Ret(ex, 3, 0), 0);
  EXPECT_TRUE(ex.world().pg[0].dirty);
  EXPECT_FALSE(ex.world().pg[0].locked);
}

// WB_SYNC_ALL sleeps in folio_wait_writeback holding the page lock, then
// writes the page again.
TEST(OpsPagecache, WritebackSyncWaitsOutIoAndWritesAgain) {
  SpecExec ex = RedirtiedUnderIo(Op::kWritebackSync);
  ASSERT_TRUE(Steps(ex, {3}));  // WbLockClean
  EXPECT_TRUE(ex.world().pg[0].locked);
  EXPECT_EQ(ex.world().pg[0].lock_owner, 3);
  EXPECT_FALSE(ex.enabled(3));  // blocked in WbWaitWriteback
  RunThread(ex, 1);             // WbIoDone
  EXPECT_TRUE(ex.enabled(3));
  RunThread(ex, 3);
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 3, 0), 0);
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pg[0].writeback);
  EXPECT_FALSE(w.pg[0].locked);
  EXPECT_FALSE(w.pte[0].writable);
  EXPECT_FALSE(w.pg[0].fs_meta);  // clean and write-protected
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// A clean page under writeback: "Did somebody else write it for us?"
// WB_SYNC_ALL does not write it, but waits (without the page lock) for that IO
// to end.
TEST(OpsPagecache, WritebackSyncOfCleanPageUnderIoWaitsUnlocked) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kWriteback, 1, 0)},
                     {C(Op::kWritebackSync, 1, 0)}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1, 1, 2}));
  EXPECT_FALSE(ex.world().pg[0].locked);
  EXPECT_FALSE(ex.enabled(2));
  EXPECT_EQ(Ret(ex, 2, 0), -9999);
  RunThread(ex, 1);
  RunThread(ex, 2);
  EXPECT_EQ(Ret(ex, 2, 0), 0);
  EXPECT_FALSE(ex.world().pg[0].writeback);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// Without IO in flight WB_SYNC_ALL is WB_SYNC_NONE.
TEST(OpsPagecache, WritebackSyncWithoutIoInFlight) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0),
                           C(Op::kWritebackSync, 1, 0)}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_FALSE(ex.world().pg[0].dirty);
  EXPECT_FALSE(ex.world().pte[0].writable);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- truncate (§3.3.6 truncate_setsize / truncate_pagecache) ----

TEST(OpsPagecache, TruncateUnmapsAndRemovesPagesBeyondSize) {
  auto ex = RunAll(Pc(2), {{C(Op::kFault, 0, 1, 1), C(Op::kFault, 1, 1, 0),
                            C(Op::kTruncate, 1, 1)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(w.ino[1].size, 1);
  EXPECT_FALSE(w.pte[0].present);
  EXPECT_EQ(w.ino[1].map[1], kNone);
  EXPECT_EQ(w.pg[1].owner, kNone);
  EXPECT_EQ(w.pg[1].st, kBlkFree);
  EXPECT_EQ(w.pg[1].refcount, 0);
  EXPECT_TRUE(w.pte[1].present);  // index 0 survives
  EXPECT_EQ(w.pg[0].owner, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, TruncateDropsDirtAndMetaOfRemovedPage) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0),
                           C(Op::kTruncate, 1, 0)}});
  const auto& w = ex.world();
  EXPECT_FALSE(w.pg[0].dirty);
  EXPECT_FALSE(w.pg[0].fs_meta);
  EXPECT_FALSE(w.pte[0].present);
  EXPECT_EQ(w.ino[1].h_vma, 1);  // the VMA stays
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, TruncateThatDoesNotShrinkOnlySetsSize) {
  auto ex = RunAll(Pc(2), {{C(Op::kTruncate, 1, 1), C(Op::kTruncate, 1, 2)}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().ino[1].size, 2);
  EXPECT_EQ(ex.world().ino[1].map[1], kNone);  // a hole, not a page
  EXPECT_EQ(ex.world().ino[1].map[0], 0);
  auto gone = RunAll(Pc(), {{C(Op::kUnlink, 1), C(Op::kTruncate, 1, 0)}});
  EXPECT_EQ(Ret(gone, 0, 1), kENOENT);
}

TEST(OpsPagecache, TruncateWaitsOutWriteback) {
  SpecExec ex(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                     {C(Op::kWriteback, 1, 0)},
                     {C(Op::kTruncate, 1, 0)}});
  RunThread(ex, 0);
  ASSERT_TRUE(Steps(ex, {1, 1, 2}));  // IO in flight; TruncSetSize
  EXPECT_FALSE(ex.enabled(2));
  EXPECT_EQ(ex.world().pg[0].owner, 1);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 2, 0), 0);
  EXPECT_EQ(ex.world().pg[0].owner, kNone);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// A pinned page survives truncate as an orphan; DMA into it is harmless
// ("it is not relevant anymore", §3.4.3).
TEST(OpsPagecache, TruncatedPinnedPageIsAnOrphanDmaTarget) {
  auto ex = RunAll(Pc(1, 1), {{C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0),
                               C(Op::kTruncate, 1, 0), C(Op::kDma, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 1);
  EXPECT_EQ(w.pg[0].owner, kNone);
  EXPECT_EQ(w.pg[0].refcount, kGupPinBias);
  EXPECT_NE(w.pg[0].st, kBlkFree);
  EXPECT_EQ(Ret(ex, 0, 3), 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// §3.4.2: "put may free a non-DAX page at 0".
TEST(OpsPagecache, OrphanPageIsFreedByTheLastUnpin) {
  auto ex = RunAll(Pc(1, 1), {{C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0),
                               C(Op::kTruncate, 1, 0), C(Op::kUnpin, 0),
                               C(Op::kAlloc, 1, 0)}});
  EXPECT_EQ(ex.world().pg[0].refcount, 1);  // re-allocated to the file
  EXPECT_EQ(Ret(ex, 0, 4), 0);
}

// ---- munmap (§3.3.6 zap) ----

TEST(OpsPagecache, MunmapZapsPteAndDropsTheVmaReference) {
  auto ex = RunAll(Pc(), {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0),
                           C(Op::kMunmap, 0)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_FALSE(w.pte[0].present);
  EXPECT_EQ(w.pte[0].file, kNone);
  EXPECT_EQ(w.pg[0].mapcount, 0);
  EXPECT_EQ(w.pg[0].refcount, 1);
  EXPECT_TRUE(w.pg[0].dirty);
  EXPECT_EQ(w.ino[1].i_count, 1);
  EXPECT_EQ(w.ino[1].h_vma, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsPagecache, MunmapOfUnusedSlotFails) {
  auto ex = RunAll(Pc(), {{C(Op::kMunmap, 0)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEINVAL);
  EXPECT_EQ(ex.world().ino[1].i_count, 1);
}

TEST(OpsPagecache, MunmapOfLastReferenceEvictsUnlinkedInode) {
  SpecExec ex(Pc(),
              {{C(Op::kFault, 0, 1, 0), C(Op::kUnlink, 1), C(Op::kMunmap, 0)}});
  while (ex.results()[0].size() < 2) ex.step(0);
  EXPECT_FALSE(ex.world().ino[1].freed);  // the VMA keeps it
  EXPECT_EQ(ex.world().ino[1].i_nlink, 0);
  RunThread(ex, 0);
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

}  // namespace
}  // namespace lifecheck
