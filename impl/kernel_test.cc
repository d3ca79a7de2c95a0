// Unit tests of the impl's primitives, with real threads where the
// primitive is about concurrency. No spec: the impl stands alone.
#include "impl/kernel.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "impl/lockref.h"

namespace lifecheck::impl {

// Reaches the private page-lock primitives.
class KernelTestPeer {
 public:
  static void LockPage(Kernel& k, int tid, int p) { k.LockPage(tid, p, "t"); }
  static void UnlockPage(Kernel& k, int p) { k.UnlockPage(p); }
  static Page& page(Kernel& k, int p) { return k.pg_[p]; }
  static Dentry& dentry(Kernel& k, int d) { return k.d_[d]; }
};

namespace {

using Peer = KernelTestPeer;

Config Disk(int files = 1, int pages = 1) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = files;
  c.pages = pages;
  c.ptes = 2;
  c.pins = 2;
  return c;
}

int32_t Count(const Kernel& k, int d) {
  return LockrefCount(k.dentries()[d].lockref.load(sync::kRelaxed));
}

TEST(Lockref, FastPathIsOneCasWhileUnlockedAndAboveOne) {
  Kernel k(Disk());
  Dentry& d = Peer::dentry(k, 1);
  d.lockref.store(LockrefPack(3, 0), sync::kRelaxed);
  EXPECT_TRUE(lockref_put_fast(d, "t"));
  EXPECT_EQ(LockrefCount(d.lockref.load(sync::kRelaxed)), 2);
  d.lockref.store(LockrefPack(1, 0), sync::kRelaxed);
  EXPECT_FALSE(lockref_put_fast(d, "t"));  // the last reference: slow path
  d.lockref.store(LockrefPack(5, 7), sync::kRelaxed);  // d_lock held
  EXPECT_FALSE(lockref_put_fast(d, "t"));
  EXPECT_EQ(LockrefCount(d.lockref.load(sync::kRelaxed)), 5);
}

TEST(Lockref, SlowPathTakesTheLockAndKillsAnUnhashedDentry) {
  Kernel k(Disk());
  ASSERT_EQ(k.lookup(0, 1), 0);
  ASSERT_EQ(Count(k, 1), 1);
  ASSERT_EQ(k.vfs_unlink(1, 1), 0);  // held: unhashed, killed by last dput
  EXPECT_EQ(k.dput(0, 1), 0);
  EXPECT_EQ(Count(k, 1), kDentryDeadCount);
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

TEST(Lockref, ConcurrentLookupsAndDputsBalance) {
  Kernel k(Disk());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&k, t] {
      for (int i = 0; i < 2000; ++i) {
        ASSERT_EQ(k.lookup(t, 1), 0);
        ASSERT_EQ(k.dput(t, 1), 0);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(Count(k, 1), 0);
  const auto q = k.CheckQuiescent();
  EXPECT_TRUE(q.empty()) << q[0].check << " " << q[0].detail;
}

TEST(PageLock, WaiterSleepsSetsWaitersAndIsWokenByUnlock) {
  Kernel k(Disk());
  EXPECT_TRUE(k.LocksReleased());
  Peer::LockPage(k, 0, 0);
  EXPECT_FALSE(k.LocksReleased());
  EXPECT_FALSE(k.CheckQuiescent(Kernel::kLocksAndSleepers).empty());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    Peer::LockPage(k, 1, 0);
    got = true;
    Peer::UnlockPage(k, 0);
  });
  // Wait until the waiter sleeps on the page's queue.
  while (Peer::page(k, 0).lock_wq.waiters() == 0) std::this_thread::yield();
  EXPECT_FALSE(got.load());
  EXPECT_TRUE(Peer::page(k, 0).flags.load(sync::kRelaxed) & kPgWaiters);
  Peer::UnlockPage(k, 0);
  waiter.join();
  EXPECT_TRUE(got.load());
  const uint32_t f = Peer::page(k, 0).flags.load(sync::kRelaxed);
  EXPECT_FALSE(f & (kPgLocked | kPgWaiters));
  EXPECT_TRUE(k.CheckQuiescent().empty());
  EXPECT_TRUE(k.LocksReleased());
}

TEST(PageLock, NonblockingModeThrowsInsteadOfSleeping) {
  Kernel k(Disk());
  Peer::LockPage(k, 0, 0);
  std::thread other([&] {
    sync::NonblockingScope nb;
    EXPECT_THROW(Peer::LockPage(k, 1, 0), sync::WouldBlock);
  });
  other.join();
  Peer::UnlockPage(k, 0);
}

TEST(PinBias, PinAddsTheBiasAndFolioMaybeDmaPinnedSeesIt) {
  Kernel k(Disk());
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  const Page& pg = k.pages()[0];
  EXPECT_EQ(pg.refcount.load(sync::kRelaxed), 2);  // cache + mapping
  EXPECT_FALSE(FolioMaybeDmaPinned(pg.refcount.load(sync::kRelaxed)));
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  EXPECT_EQ(pg.refcount.load(sync::kRelaxed), 2 + kGupPinBias);
  EXPECT_TRUE(FolioMaybeDmaPinned(pg.refcount.load(sync::kRelaxed)));
  EXPECT_EQ(k.pin_user_pages(0, 0, 0, false), kEBUSY);  // slot held
  ASSERT_EQ(k.unpin_user_page(0, 0), 0);
  EXPECT_EQ(pg.refcount.load(sync::kRelaxed), 2);
  EXPECT_EQ(k.unpin_user_page(0, 0), kEINVAL);
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

TEST(PinBias, InjectedUnpinBugBreaksConservation) {
  Kernel k(Disk());
  k.set_faults(Faults{.unpin_drops_one = true});
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  ASSERT_EQ(k.unpin_user_page(0, 0), 0);
  const auto q = k.CheckQuiescent();
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q[0].check, "page-refcount-holders");
}

// FOLL_WRITE through a read-only PTE: the slow path write-faults first
// (->page_mkwrite attaches the fs data), GUP-fast only backs out.
TEST(PinBias, GupWriteFaultsAReadOnlyPteAndTheDirtyingUnpinDirties) {
  Kernel k(Disk());
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  const Page& pg = k.pages()[0];
  EXPECT_FALSE(k.ptes()[0].word.load(sync::kRelaxed) & kPteWrite);
  EXPECT_EQ(k.pin_user_pages_fast(0, 0, 0), kEAGAIN);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  EXPECT_TRUE(k.ptes()[0].word.load(sync::kRelaxed) & kPteWrite);
  EXPECT_TRUE(pg.flags.load(sync::kRelaxed) & kPgPrivate);
  // Writeback cleans it; a maybe-pinned page keeps its fs data.
  ASSERT_EQ(k.writeback(0, 1, 0, false), 0);
  EXPECT_FALSE(pg.flags.load(sync::kRelaxed) & kPgDirty);
  EXPECT_TRUE(pg.flags.load(sync::kRelaxed) & kPgPrivate);
  ASSERT_EQ(k.unpin_user_pages_dirty_lock(0, 0), 0);
  EXPECT_TRUE(pg.flags.load(sync::kRelaxed) & kPgDirty);
  EXPECT_EQ(k.unpin_user_pages_dirty_lock(0, 0), kEINVAL);
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

// Before "mm: Do not reclaim private data from pinned page": the pinned
// page's fs data goes with the clean page; the unpin dirties it without.
TEST(PinBias, ReleasedPrivateLeavesTheDirtyingUnpinWithoutFsData) {
  Config c = Disk();
  c.policy.pinned_page_private = PinnedPagePrivate::kRelease;
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  ASSERT_EQ(k.writeback(0, 1, 0, false), 0);
  const Page& pg = k.pages()[0];
  EXPECT_FALSE(pg.flags.load(sync::kRelaxed) & kPgPrivate);
  ASSERT_EQ(k.unpin_user_pages_dirty_lock(0, 0), 0);
  EXPECT_TRUE(pg.flags.load(sync::kRelaxed) & kPgDirty);
  EXPECT_FALSE(pg.flags.load(sync::kRelaxed) & kPgPrivate);
}

// The shrinkers: the dentry's kill leaves the linked inode on the LRU; the
// inode shrinker evicts it once its mapping is empty (mainline), or at
// once under prune_icache_pages=evict.
TEST(Reclaim, ShrinkersEvictOnlyAnUnusedInodeWithAnEmptyMapping) {
  for (const bool evict : {false, true}) {
    Config c = Disk();
    if (evict) c.policy.prune_icache_pages = PruneIcachePages::kEvict;
    Kernel k(c);
    ASSERT_EQ(k.lookup(0, 1), 0);
    EXPECT_EQ(k.shrink_dcache(0, 1), 0);  // in use: left
    EXPECT_EQ(Count(k, 1), 1);
    ASSERT_EQ(k.dput(0, 1), 0);
    EXPECT_EQ(k.shrink_dcache(0, 1), 0);
    EXPECT_EQ(Count(k, 1), kDentryDeadCount);
    const Inode& in = k.inodes()[1];
    EXPECT_EQ(in.i_count.load(sync::kRelaxed), 0);
    EXPECT_TRUE(in.i_state.load(sync::kRelaxed) & kILru);
    EXPECT_EQ(k.prune_icache(0, 1), 0);
    EXPECT_EQ(in.freed.get(), evict) << evict;  // page cache keeps it
    EXPECT_TRUE(k.CheckQuiescent().empty());
  }
}

// The fs's removal work finds only its own persistent files: the root and
// a disk file are -ENOENT, untouched, no WARN.
TEST(RemoveWork, FindsOnlyTheFsOwnFiles) {
  Config lib = Disk();
  lib.fs = FsKind::kLibfs;
  lib.pins = 0;
  for (const auto& [cfg, d] : {std::pair{lib, 0}, std::pair{Disk(), 1}}) {
    Kernel k(cfg);
    const int32_t before = Count(k, d);
    EXPECT_EQ(k.remove_work(0, d), kENOENT) << d;
    EXPECT_EQ(Count(k, d), before) << d;
    EXPECT_TRUE(k.CheckQuiescent().empty()) << d;
  }
  Kernel k(lib);
  EXPECT_EQ(k.remove_work(0, 1), 0);  // its own file: removed
  EXPECT_EQ(Count(k, 1), kDentryDeadCount);
}

TEST(PinFast, BacksOutWhenThePageIsIdleAtZero) {
  Config c = Disk();
  c.fs = FsKind::kDax;  // ZERO_BASED: an unmapped block has refcount 0
  Kernel k(c);
  EXPECT_EQ(k.pin_user_pages_fast(0, 0, 0), kEFAULT);  // not mapped
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  EXPECT_EQ(k.pin_user_pages_fast(0, 0, 0), kEAGAIN);  // read-only PTE
  ASSERT_EQ(k.do_wp_page(0, 0), 0);
  EXPECT_EQ(k.pin_user_pages_fast(0, 0, 0), 1);
  EXPECT_EQ(k.pages()[0].refcount.load(sync::kRelaxed), 1 + kGupPinBias);
}

TEST(Allocator, ConcurrentClaimsGetDistinctBlocks) {
  Config c = Disk(3, 3);
  c.fs = FsKind::kDax;
  Kernel k(c);
  for (int f = 1; f <= 3; ++f) ASSERT_EQ(k.truncate(0, f, 0), 0);
  for (int round = 0; round < 50; ++round) {
    int got[3][3];
    std::vector<std::thread> ts;
    for (int t = 0; t < 3; ++t)
      ts.emplace_back([&, t] {
        for (int x = 0; x < 3; ++x) got[t][x] = k.alloc_block(t, t + 1, x);
      });
    for (auto& t : ts) t.join();
    std::set<int> pages;
    for (auto& row : got)
      for (int p : row) {
        ASSERT_GE(p, 0);
        pages.insert(p);
      }
    EXPECT_EQ(pages.size(), 9u);  // no block handed out twice
    const auto q = k.CheckQuiescent();
    ASSERT_TRUE(q.empty()) << q[0].check << " " << q[0].detail;
    for (int f = 1; f <= 3; ++f) ASSERT_EQ(k.truncate(0, f, 0), 0);
  }
}

TEST(Allocator, EnospcWhileAnOrphanIsPinned) {
  Config c = Disk();  // one page, no spare
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  ASSERT_EQ(k.truncate(0, 1, 0), 0);  // the pinned page survives as orphan
  EXPECT_EQ(k.alloc_block(0, 1, 0), kENOSPC);
  ASSERT_EQ(k.unpin_user_page(0, 0), 0);  // last put frees it
  EXPECT_EQ(k.alloc_block(0, 1, 0), 0);
}

TEST(Allocator, LowestFreeBlockFirst) {
  Config c = Disk(1, 2);
  c.fs = FsKind::kDax;
  c.spare = 2;
  Kernel k(c);
  EXPECT_EQ(k.alloc_block(0, 1, 0), 0);  // already mapped: returns it
  ASSERT_EQ(k.truncate(0, 1, 1), 0);     // frees block 1
  EXPECT_EQ(k.alloc_block(0, 1, 1), 1);
  EXPECT_TRUE(k.page_free(2));
}

TEST(TruncateWait, SleepsUntilTheLastPinIsDropped) {
  Config c = Disk();
  c.fs = FsKind::kDax;  // dax_truncate=wait
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  std::atomic<int> ret{1};
  std::thread truncator([&] { ret = k.truncate(1, 1, 0); });
  while (k.super().wq.waiters() == 0) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ret.load(), 1);  // still asleep: the block is pinned
  ASSERT_EQ(k.unpin_user_page(0, 0), 0);
  truncator.join();
  EXPECT_EQ(ret.load(), 0);
  EXPECT_TRUE(k.page_free(0));
  const auto q = k.CheckQuiescent();
  EXPECT_TRUE(q.empty()) << q[0].check << " " << q[0].detail;
}

TEST(TruncateWait, NonblockingModeThrowsAtDaxWaitIdle) {
  Config c = Disk();
  c.fs = FsKind::kDax;
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.pin_user_pages(0, 0, 0, false), 1);
  sync::NonblockingScope nb;
  try {
    k.truncate(1, 1, 0);
    FAIL() << "truncate returned";
  } catch (const sync::WouldBlock& wb) {
    EXPECT_STREQ(wb.step, "DaxWaitIdle");
  }
  k.Reset(c);  // a run abandoned mid-call is reset cleanly
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

// A full fs: ->page_mkwrite fails (VM_FAULT_SIGBUS). The write fault and
// a FOLL_WRITE GUP fail with -EFAULT; nothing is dirtied, locked or held.
TEST(WriteFault, FullFsFailsWithoutAPte) {
  Config c = Disk();
  c.policy.fs_enospc = true;
  Kernel k(c);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  EXPECT_EQ(k.do_wp_page(0, 0), kEFAULT);
  EXPECT_EQ(k.pin_user_pages(0, 0, 0, false), kEFAULT);
  const Page& pg = k.pages()[0];
  EXPECT_FALSE(k.ptes()[0].word.load(sync::kRelaxed) & kPteWrite);
  EXPECT_FALSE(pg.flags.load(sync::kRelaxed) &
               (kPgPrivate | kPgDirty | kPgLocked));
  EXPECT_EQ(pg.refcount.load(sync::kRelaxed), 2);
  EXPECT_FALSE(k.pins()[0].held.load(sync::kRelaxed));
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

// A dirty page whose earlier IO is still in flight (PG_writeback).
void DirtyUnderWriteback(Kernel& k) {
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  ASSERT_EQ(k.do_wp_page(0, 0), 0);
  Peer::page(k, 0).flags.fetch_or(kPgWriteback, sync::kRelaxed);
}

// WB_SYNC_NONE skips the page; WB_SYNC_ALL sleeps at WbWaitWriteback.
TEST(Writeback, OnlySyncAllWaitsForIoInFlight) {
  Kernel k(Disk());
  DirtyUnderWriteback(k);
  EXPECT_EQ(k.writeback(0, 1, 0, false), 0);
  EXPECT_TRUE(k.pages()[0].flags.load(sync::kRelaxed) & kPgDirty);
  sync::NonblockingScope nb;
  try {
    k.writeback(0, 1, 0, true);
    FAIL() << "writeback_sync returned";
  } catch (const sync::WouldBlock& wb) {
    EXPECT_STREQ(wb.step, "WbWaitWriteback");
  }
}

// folio_wait_writeback holds the page lock; when the IO ends the page is
// written again and ends clean and write-protected.
TEST(Writeback, SyncAllWritesThePageAgainOnceTheIoEnds) {
  Kernel k(Disk());
  DirtyUnderWriteback(k);
  Page& pg = Peer::page(k, 0);
  std::atomic<int> ret{1};
  std::thread fsync([&] { ret = k.writeback(1, 1, 0, true); });
  while (pg.lock_wq.waiters() == 0) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ret.load(), 1);
  EXPECT_TRUE(pg.flags.load(sync::kRelaxed) & kPgLocked);
  pg.flags.fetch_and(~kPgWriteback, sync::kRelease);  // end_page_writeback
  pg.lock_wq.wake_all("t");
  fsync.join();
  EXPECT_EQ(ret.load(), 0);
  EXPECT_FALSE(pg.flags.load(sync::kRelaxed) &
               (kPgDirty | kPgWriteback | kPgLocked));
  EXPECT_FALSE(k.ptes()[0].word.load(sync::kRelaxed) & kPteWrite);
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

TEST(Reset, RestoresTheInitialWorldWithoutAllocation) {
  Config c = Disk(2, 2);
  Kernel k(c);
  ASSERT_EQ(k.lookup(0, 1), 0);
  ASSERT_EQ(k.handle_mm_fault(0, 0, 1, 0), 0);
  k.Reset(c);
  EXPECT_EQ(Count(k, 1), 0);
  EXPECT_EQ(Count(k, 0), 3);  // s_root + two children
  EXPECT_EQ(k.pages()[0].refcount.load(sync::kRelaxed), 1);
  EXPECT_FALSE(k.ptes()[0].word.load(sync::kRelaxed) & kPtePresent);
  EXPECT_TRUE(k.CheckQuiescent().empty());
}

}  // namespace
}  // namespace lifecheck::impl
