// Contract tests of the dcache and inode ops (seed 000/004): lookup, dput,
// discard, unlink, umount, igrab, iput. Expected values come from
// kernel-semantics.md §2.3, §3.1, §3.2, §4.1-§4.2 and §5.1, not from the code.
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

Config Disk(int files = 1) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = files;
  return c;
}
Config Libfs(DentryPinScheme pin = DentryPinScheme::kPersistentFlag,
             KillSb kill = KillSb::kAnon, int files = 1) {
  Config c;
  c.fs = FsKind::kLibfs;
  c.files = files;
  c.policy.dentry_pin = pin;
  c.policy.kill_sb = kill;
  return c;
}

// ---- lookup (§3.1.1) ----

TEST(OpsDcache, LookupOfCachedDentryIsLegalZeroToOneGet) {
  auto ex = RunAll(Disk(), {{C(Op::kLookup, 1)}});
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(ex.world().d[1].count, 1);
  EXPECT_EQ(ex.world().d[1].h_thr[0], 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, LookupOfKilledDentryReturnsEnoent) {
  auto ex = RunAll(Disk(), {{C(Op::kUnlink, 1), C(Op::kLookup, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_EQ(ex.world().d[1].count, kDentryDead);  // no get on a dead dentry
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- dput (§3.1.2) ----

TEST(OpsDcache, DputOfNonLastReferenceOnlyDecrements) {
  auto ex =
      RunAll(Disk(), {{C(Op::kLookup, 1), C(Op::kLookup, 1), C(Op::kDput, 1)}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(ex.world().d[1].count, 1);
  EXPECT_EQ(ex.world().d[1].h_thr[0], 1);
}

TEST(OpsDcache, DputOfLastReferenceRetainsHashedDentry) {
  auto ex = RunAll(Disk(), {{C(Op::kLookup, 1), C(Op::kDput, 1)}});
  const auto& d = ex.world().d[1];
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(d.count, 0);
  EXPECT_TRUE(d.hashed);
  EXPECT_TRUE(d.positive);
  EXPECT_FALSE(d.freed);
  EXPECT_EQ(ex.world().ino[1].i_count, 1);  // the alias still pins the inode
  EXPECT_FALSE(ex.world().ino[1].freed);
}

TEST(OpsDcache, DputAtZeroWarnsWithoutDecrementAndReportsUnderflow) {
  auto ex = RunAll(Disk(), {{C(Op::kDput, 1)}});
  EXPECT_TRUE(Warned(ex, Warn::kDputNonpositive));
  EXPECT_EQ(ex.violation(), Inv::kRef3);
  EXPECT_EQ(ex.world().d[1].count, 0);
}

TEST(OpsDcache, DputOfUnhashedLastReferenceKillsAndEvicts) {
  auto ex =
      RunAll(Disk(), {{C(Op::kLookup, 1), C(Op::kUnlink, 1), C(Op::kDput, 1)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(w.d[1].count, kDentryDead);
  EXPECT_FALSE(w.d[1].positive);
  EXPECT_TRUE(w.ino[1].freed);
  EXPECT_EQ(w.pg[0].st, kBlkFree);
  EXPECT_EQ(w.d[0].count, 1);  // the child's reference on the root is gone
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// §5.1: "If the teardown wrongly calls dput: the model flags I-DC-1
// immediately (count 0 with PERSISTENT)".
TEST(OpsDcache, DputOfPersistentPinReportsDc1) {
  auto ex = RunAll(Libfs(), {{C(Op::kDput, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kDc1);
  EXPECT_TRUE(ex.world().d[1].persistent);
  EXPECT_EQ(ex.world().d[1].count, 0);
}

// A thread dropping a reference it never took is a holder mismatch: I-REF-1
// (§4.1, THREAD(t) holders). On a disk dentry that never had PERSISTENT the
// oracle should not blame the PERSISTENT bit.
TEST(OpsDcache, DputOfAnotherThreadsReferenceIsRef1NotDc1) {
  auto ex = RunAll(Disk(), {{C(Op::kLookup, 1)}, {C(Op::kDput, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kRef1);
}

// ---- discard = d_make_discardable (§3.1.4) ----

TEST(OpsDcache, DiscardPersistentClearsFlagAndKillsAtOnce) {
  auto ex = RunAll(Libfs(), {{C(Op::kDiscard, 1)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_FALSE(w.d[1].persistent);
  EXPECT_EQ(w.d[1].h_persist, 0);
  EXPECT_EQ(w.d[1].count, kDentryDead);  // killed although still hashed
  EXPECT_EQ(w.ino[1].i_count, 0);
  EXPECT_FALSE(w.warned[static_cast<int>(Warn::kDiscardNonpersistent)]);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, DiscardWithExtraHolderOnlyDropsThePin) {
  auto ex = RunAll(Libfs(), {{C(Op::kLookup, 1), C(Op::kDiscard, 1)}});
  const auto& d = ex.world().d[1];
  EXPECT_EQ(d.count, 1);
  EXPECT_EQ(d.h_thr[0], 1);
  EXPECT_FALSE(d.persistent);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, DiscardTwiceWarnsAndReportsDc2) {
  auto ex = RunAll(Libfs(), {{C(Op::kDiscard, 1), C(Op::kDiscard, 1)}});
  EXPECT_TRUE(Warned(ex, Warn::kDiscardNonpersistent));
  EXPECT_EQ(ex.violation(), Inv::kDc2);
}

// R-000c W:5-W:6: a discard of a no-longer-persistent dentry still
// decrements, so a thread's reference is stolen and the dentry killed.
TEST(OpsDcache, DiscardOfNonPersistentStealsAReference) {
  Config c = Libfs();
  c.ignore = Ignore({Inv::kDc2});
  auto ex =
      RunAll(c, {{C(Op::kLookup, 1), C(Op::kDiscard, 1), C(Op::kDiscard, 1)}});
  EXPECT_TRUE(Warned(ex, Warn::kDiscardNonpersistent));
  EXPECT_EQ(ex.world().d[1].count, kDentryDead);  // although thread 0 holds it
  EXPECT_EQ(ex.violation(), Inv::kRef1);
}

// S-000-3 expects I-REF-3 from a second removal; on a dentry already killed
// by the first one the put is also a use after free (I-REF-4).
TEST(OpsDcache, DiscardOfKilledDentryReportsUnderflowOrUaf) {
  Config c = Libfs();
  c.ignore = Ignore({Inv::kDc2});
  auto ex = RunAll(c, {{C(Op::kDiscard, 1), C(Op::kDiscard, 1)}});
  // The dentry was freed by the first discard: the second is a use after
  // free, and its decrement lands in the freed memory (modelled as -129).
  EXPECT_EQ(ex.violation(), Inv::kRef4);
  EXPECT_EQ(ex.world().d[1].count, kDentryDead - 1);
}

TEST(OpsDcache, LegacyDiscardIsDputOfThePin) {
  auto ex = RunAll(Libfs(DentryPinScheme::kLegacyDget), {{C(Op::kDiscard, 1)}});
  const auto& d = ex.world().d[1];
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(d.h_pin, 0);
  EXPECT_EQ(d.count, 0);  // plain dput: a hashed dentry is retained
  EXPECT_TRUE(d.hashed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, LegacyDiscardTwiceIsDputNonpositive) {
  auto ex = RunAll(Libfs(DentryPinScheme::kLegacyDget),
                   {{C(Op::kDiscard, 1), C(Op::kDiscard, 1)}});
  EXPECT_TRUE(Warned(ex, Warn::kDputNonpositive));
  EXPECT_FALSE(Warned(ex, Warn::kDiscardNonpersistent));  // no flag to check
  EXPECT_EQ(ex.violation(), Inv::kRef3);
}

// ---- unlink (§3.1.6, §3.2.2-3) ----

TEST(OpsDcache, UnlinkOnDiskKillsUnusedDentryAndEvictsInode) {
  auto ex = RunAll(Disk(), {{C(Op::kUnlink, 1)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(w.d[1].count, kDentryDead);
  EXPECT_FALSE(w.d[1].hashed);
  EXPECT_EQ(w.ino[1].i_nlink, 0);
  EXPECT_EQ(w.ino[1].i_count, 0);
  EXPECT_TRUE(w.ino[1].freeing);
  EXPECT_TRUE(w.ino[1].freed);
  EXPECT_FALSE(w.ino[1].on_lru);  // I-INO-1: evicted, not cached
  EXPECT_EQ(w.ino[1].map[0], kNone);
  EXPECT_EQ(w.pg[0].st, kBlkFree);
  EXPECT_EQ(w.pg[0].owner, kNone);
  EXPECT_EQ(w.pg[0].refcount, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, UnlinkOfBusyDentryOnlyUnhashes) {
  auto ex = RunAll(Disk(),
                   {{C(Op::kLookup, 1), C(Op::kUnlink, 1), C(Op::kLookup, 1)}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(w.d[1].count, 1);
  EXPECT_FALSE(w.d[1].hashed);
  EXPECT_TRUE(w.d[1].positive);
  EXPECT_EQ(w.ino[1].i_nlink, 0);
  EXPECT_FALSE(w.ino[1].freed);
  EXPECT_EQ(Ret(ex, 0, 2), kENOENT);  // unreachable by name
}

TEST(OpsDcache, UnlinkOnLibfsDropsThePinUnderEitherScheme) {
  for (auto pin :
       {DentryPinScheme::kPersistentFlag, DentryPinScheme::kLegacyDget}) {
    auto ex = RunAll(Libfs(pin), {{C(Op::kUnlink, 1)}});
    const auto& w = ex.world();
    EXPECT_EQ(Ret(ex, 0, 0), 0);
    EXPECT_EQ(w.d[1].count, kDentryDead);
    EXPECT_FALSE(w.d[1].persistent);
    EXPECT_TRUE(w.ino[1].freed);
    EXPECT_EQ(ex.violation(), Inv::kNone) << static_cast<int>(pin);
  }
}

TEST(OpsDcache, UnlinkErrors) {
  auto ex = RunAll(Disk(),
                   {{C(Op::kUnlink, 0), C(Op::kUnlink, 1), C(Op::kUnlink, 1)}});
  EXPECT_EQ(Ret(ex, 0, 0), kEBUSY);  // the root
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(Ret(ex, 0, 2), kENOENT);
  EXPECT_EQ(ex.world().ino[0].i_nlink, 2);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- umount (§3.1.8-9, R-000a/b) ----

TEST(OpsDcache, UmountPersistentWithAnonIsClean) {
  for (auto kill : {KillSb::kAnon, KillSb::kLitter}) {
    auto ex = RunAll(Libfs(DentryPinScheme::kPersistentFlag, kill, 2),
                     {{C(Op::kUmount)}});
    const auto& w = ex.world();
    EXPECT_EQ(Ret(ex, 0, 0), 0);
    for (int d = 0; d <= 2; ++d) EXPECT_EQ(w.d[d].count, kDentryDead) << d;
    for (int i = 0; i <= 2; ++i) EXPECT_TRUE(w.ino[i].freed) << i;
    EXPECT_FALSE(w.sb_active);
    EXPECT_FALSE(Warned(ex, Warn::kUmountBusyDentry));
    EXPECT_FALSE(Warned(ex, Warn::kBusyInodes));
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
}

TEST(OpsDcache, UmountLegacyWithAnonLeaksThePin) {  // R-000b
  auto ex = RunAll(Libfs(DentryPinScheme::kLegacyDget, KillSb::kAnon),
                   {{C(Op::kUmount)}});
  EXPECT_EQ(ex.violation(), Inv::kDc4);
  EXPECT_TRUE(Warned(ex, Warn::kUmountBusyDentry));
  EXPECT_TRUE(Warned(ex, Warn::kBusyInodes));
  EXPECT_EQ(ex.world().d[1].count, 1);
  EXPECT_FALSE(ex.world().ino[1].freed);
}

TEST(OpsDcache, UmountLegacyWithLitterIsClean) {
  auto ex = RunAll(Libfs(DentryPinScheme::kLegacyDget, KillSb::kLitter),
                   {{C(Op::kUmount)}});
  EXPECT_TRUE(ex.world().d[1].genocide);
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_FALSE(Warned(ex, Warn::kUmountBusyDentry));
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, UmountLegacyLitterAfterExtraDputUnderflows) {  // R-000a
  auto ex = RunAll(Libfs(DentryPinScheme::kLegacyDget, KillSb::kLitter),
                   {{C(Op::kDput, 1), C(Op::kUmount)}});
  EXPECT_EQ(ex.violation(), Inv::kRef3);
  EXPECT_EQ(ex.world().d[1].count, -1);
  EXPECT_TRUE(Warned(ex, Warn::kUmountBusyDentry));
  EXPECT_TRUE(Warned(ex, Warn::kBusyInodes));
}

// A userspace path (a lookup, a mapped file) holds the mount: umount(2) is
// -EBUSY and tears nothing down.
TEST(OpsDcache, UmountOfAMountInUseIsEbusy) {
  auto ex = RunAll(Disk(), {{C(Op::kLookup, 1), C(Op::kUmount)}});
  EXPECT_EQ(Ret(ex, 0, 1), kEBUSY);
  EXPECT_TRUE(ex.world().sb_active);
  EXPECT_FALSE(ex.world().sb_dying);
  EXPECT_FALSE(Warned(ex, Warn::kUmountBusyDentry));
  EXPECT_EQ(ex.violation(), Inv::kNone);
  Config c = Disk();
  c.ptes = 1;
  auto mapped = RunAll(c, {{C(Op::kFault, 0, 1, 0), C(Op::kUmount),
                            C(Op::kMunmap, 0), C(Op::kUmount)}});
  EXPECT_EQ(Ret(mapped, 0, 1), kEBUSY);
  EXPECT_EQ(Ret(mapped, 0, 3), 0);
  EXPECT_EQ(mapped.violation(), Inv::kNone);
}

// Once umount detached the mount no path walk reaches the superblock.
TEST(OpsDcache, LookupAfterUmountBeganIsEnoent) {
  auto ex = RunAll(Disk(), {{C(Op::kUmount), C(Op::kLookup, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_EQ(ex.world().mnt_count, 0);
}

// ---- the internal removal work vs ->kill_sb (R-000c, I-DC-6) ----

TEST(OpsDcache, RemoveWorkRemovesAPersistentFile) {
  auto ex = RunAll(Libfs(), {{C(Op::kRemoveWork, 1)}});
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(ex.world().d[1].count, kDentryDead);
  EXPECT_TRUE(ex.world().ino[1].freed);  // nlink 1 stays: the fs's own pin
  EXPECT_EQ(ex.world().rm_work, kNone);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// simple_remove_by_name finds only a file the fs made persistent: the root,
// an eventfs dentry and a disk file are -ENOENT and left alone (a trace
// whose remover removed them gave I-DC-2 on mainline).
TEST(OpsDcache, RemoveWorkFindsOnlyTheFsOwnFiles) {
  Config lib = Libfs();
  lib.events = 1;
  const int ev = lib.event_dentry(0);
  for (const auto& [cfg, d] :
       {std::pair{lib, 0}, std::pair{lib, ev}, std::pair{Disk(), 1}}) {
    SCOPED_TRACE(d);
    SpecExec before(cfg, {});
    auto ex = RunAll(cfg, {{C(Op::kRemoveWork, d)}});
    EXPECT_EQ(Ret(ex, 0, 0), kENOENT);
    EXPECT_EQ(ex.world().d[d].count, before.world().d[d].count);
    EXPECT_EQ(ex.world().d[d].hashed, before.world().d[d].hashed);
    EXPECT_EQ(ex.world().rm_work, kNone);
    EXPECT_FALSE(Warned(ex, Warn::kDiscardNonpersistent));
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
}

TEST(OpsDcache, KillSbWaitsForARunningRemovalWork) {
  SpecExec ex(Libfs(), {{C(Op::kRemoveWork, 1)}, {C(Op::kUmount)}});
  ASSERT_TRUE(Steps(ex, {0}));  // the work started: lookup
  EXPECT_FALSE(ex.enabled(1));  // cancel_work_sync waits
  Finish(ex);
  EXPECT_EQ(Ret(ex, 1, 0), 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, KillSbCancelsAPendingRemovalWork) {
  auto ex = RunAll(Libfs(), {{C(Op::kUmount), C(Op::kRemoveWork, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);  // never ran
  EXPECT_TRUE(ex.world().work_cancelled);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, RemovalWorkRacingShutdownWithoutQuiesce) {  // R-000c
  Config c = Libfs();
  c.policy.kill_sb_quiesce = KillSbQuiesce::kNone;
  SpecExec ex(c, {{C(Op::kRemoveWork, 1)}, {C(Op::kUmount)}});
  ASSERT_TRUE(Steps(ex, {0, 1, 1, 1}));  // lookup; quiesce, litter, shrink
  EXPECT_EQ(ex.violation(), Inv::kDc6);
  auto late = RunAll(c, {{C(Op::kUmount), C(Op::kRemoveWork, 1)}});
  EXPECT_EQ(late.violation(), Inv::kDc6);  // a work after the shutdown
}

TEST(OpsDcache, UmountOfDiskWithCachedDentriesIsClean) {
  auto ex = RunAll(Disk(2), {{C(Op::kUmount)}});
  for (int i = 0; i <= 2; ++i) EXPECT_TRUE(ex.world().ino[i].freed) << i;
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// ---- igrab / iput (§2.2, §3.2.2) ----

TEST(OpsDcache, IgrabTakesAnInodeReference) {
  auto ex = RunAll(Disk(), {{C(Op::kIgrab, 1)}});
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(ex.world().ino[1].i_count, 2);
  EXPECT_EQ(ex.world().ino[1].h_thr[0], 1);
}

TEST(OpsDcache, IgrabOnEvictedInodeFails) {
  auto ex = RunAll(Disk(), {{C(Op::kUnlink, 1), C(Op::kIgrab, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_EQ(ex.world().ino[1].i_count, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, IgrabKeepsUnlinkedInodeUntilTheLastIput) {
  SpecExec ex(Disk(), {{C(Op::kIgrab, 1), C(Op::kUnlink, 1), C(Op::kIput, 1)}});
  while (ex.results()[0].size() < 2) ex.step(0);
  EXPECT_EQ(ex.world().d[1].count, kDentryDead);
  EXPECT_EQ(ex.world().ino[1].i_count, 1);
  EXPECT_FALSE(ex.world().ino[1].freed);
  while (ex.enabled(0)) ex.step(0);
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_TRUE(ex.world().ino[1].freed);
  EXPECT_EQ(ex.world().pg[0].st, kBlkFree);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, IputOfAReferenceNotHeldReportsRef1) {
  auto ex = RunAll(Disk(), {{C(Op::kIgrab, 1)}, {C(Op::kIput, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kRef1);
}

TEST(OpsDcache, IputOfNonLastReferenceKeepsInode) {
  auto ex = RunAll(Disk(), {{C(Op::kIgrab, 1), C(Op::kIput, 1)}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().ino[1].i_count, 1);
  EXPECT_FALSE(ex.world().ino[1].freeing);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsDcache, IputOfEvictedInodeIsUseAfterFree) {
  auto ex = RunAll(Disk(), {{C(Op::kUnlink, 1), C(Op::kIput, 1)}});
  EXPECT_EQ(ex.violation(), Inv::kRef4);
  EXPECT_EQ(ex.world().ino[1].i_count, 0);  // no decrement below zero
}

}  // namespace
}  // namespace lifecheck
