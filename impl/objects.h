// The impl's kernel objects: packed atomic words with documented layouts,
// plus the ghost tracking the abstraction function needs (impl/kernel.h).
#ifndef LIFECHECK_IMPL_OBJECTS_H_
#define LIFECHECK_IMPL_OBJECTS_H_

#include <array>
#include <cstdint>

#include "config/config.h"
#include "impl/sync.h"

namespace lifecheck::impl {

inline constexpr int kNoObj = -1;

// Errno values the ops return (negative, as the kernel does).
inline constexpr int kENOENT = -2;
inline constexpr int kEBADF = -9;
inline constexpr int kEAGAIN = -11;
inline constexpr int kEFAULT = -14;
inline constexpr int kEBUSY = -16;
inline constexpr int kENODEV = -19;
inline constexpr int kEINVAL = -22;
inline constexpr int kENOSPC = -28;
inline constexpr int kEOPNOTSUPP = -95;
inline constexpr int kGupPinBias = 1024;       // GUP_PIN_COUNTING_BIAS
inline constexpr int kDentryDeadCount = -128;  // lockref_mark_dead
inline constexpr int kLostFoundOwner =
    99;  // page->mapping of a sequestered block

// ---- struct lockref: d_lockref as one 64-bit word ----
// - One word so that lockref_get/lockref_put_return are a single CAS while
//   the lock is free (the fast path of lib/lockref.c), and a CAS fails
//   whenever someone holds d_lock, so the slow path sees a stable count.
// - The lock half records its holder (tid + 1) for checks; 0 = unlocked.
// - The count is a signed 32-bit field: a dead dentry has kDentryDeadCount,
//   and an underflowing put (a finding) must stay representable.
inline constexpr uint64_t kLockrefLockMask =
    0xffffffffull;  // bits 0..31: holder tid+1, 0 = unlocked
inline constexpr int kLockrefCountShift = 32;  // bits 32..63: int32 count
static_assert((kLockrefLockMask >> kLockrefCountShift) == 0,
              "lock and count halves do not overlap");
inline constexpr uint64_t LockrefPack(int32_t count, uint32_t lock) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(count))
          << kLockrefCountShift) |
         lock;
}
inline constexpr int32_t LockrefCount(uint64_t w) {
  return static_cast<int32_t>(static_cast<uint32_t>(w >> kLockrefCountShift));
}
inline constexpr bool LockrefLocked(uint64_t w) {
  return (w & kLockrefLockMask) != 0;
}
static_assert(LockrefCount(LockrefPack(-128, 3)) == -128);
static_assert(!LockrefLocked(LockrefPack(-1, 0)));

// ---- d_flags (written under d_lock; read lock-free by lookups) ----
inline constexpr uint32_t kDcachePersistent =
    1u << 0;  // DCACHE_PERSISTENT: owns one count
inline constexpr uint32_t kDcacheHashed =
    1u << 1;  // on the hash: findable by name
inline constexpr uint32_t kDcachePositive = 1u << 2;  // d_inode != NULL
inline constexpr uint32_t kDcacheGenocide =
    1u << 3;  // legacy d_genocide visited it
static_assert((kDcachePersistent | kDcacheHashed | kDcachePositive |
               kDcacheGenocide) == 0xf,
              "d_flags bits are distinct");

struct Dentry {
  sync::Atomic<uint64_t> lockref;  // count + d_lock
  sync::Atomic<uint32_t> flags;    // kDcache*
  // Ghost (debug tracking, impl/kernel.h).
  sync::Ghost<bool> freed;
  sync::Ghost<int16_t> h_persist, h_pin, h_child, h_root;
  std::array<sync::Ghost<int16_t>, kMaxThreads> h_thr;
};

// ---- i_state ----
inline constexpr uint32_t kIFreeing = 1u << 0;  // I_FREEING: eviction started
inline constexpr uint32_t kILru = 1u << 1;  // cached on the LRU at i_count 0
static_assert((kIFreeing & kILru) == 0);

struct Inode {
  sync::Atomic<int32_t> i_count;
  sync::Atomic<int32_t> i_nlink;
  sync::Atomic<int32_t> i_size;    // in pages
  sync::Atomic<uint32_t> i_state;  // kIFreeing | kILru
  sync::SpinLock i_lock;     // i_count's 1 -> 0 and ->drop_inode; the mapping
  sync::SleepLock rwsem;     // i_rwsem, exclusive (truncate)
  sync::SleepLock mmaplock;  // invalidate_lock / MMAPLOCK (truncate excl.)
  std::array<sync::Atomic<int16_t>, kMaxIdx> map;  // index -> page, -1 hole
  // Ghost.
  sync::Ghost<bool> freed;  // destroy_inode done
  sync::Ghost<int16_t> h_alias, h_vma;
  std::array<sync::Ghost<int16_t>, kMaxThreads> h_thr;
};

// ---- page->flags ----
// - PG_locked and PG_waiters share the word so that unlock_page is one
//   fetch_and that also says whether anyone sleeps (folio_unlock).
inline constexpr uint32_t kPgLocked = 1u << 0;   // PG_locked
inline constexpr uint32_t kPgWaiters = 1u << 1;  // someone sleeps on PG_locked
inline constexpr uint32_t kPgDirty = 1u << 2;    // PG_dirty
inline constexpr uint32_t kPgWriteback = 1u << 3;  // PG_writeback
inline constexpr uint32_t kPgPrivate = 1u
                                       << 4;  // fs metadata attached (seed 001)
static_assert((kPgLocked | kPgWaiters | kPgDirty | kPgWriteback | kPgPrivate) ==
                  0x1f,
              "page flag bits are distinct");

// ---- page->_refcount with the pin bias ----
// FOLL_PIN adds kGupPinBias (1024) instead of 1, so folio_maybe_dma_pinned
// is "refcount >= 1024": no false negative (I-GUP-1), false positives only
// with >= 1024 ordinary references.
inline constexpr bool FolioMaybeDmaPinned(int32_t refcount) {
  return refcount >= kGupPinBias;
}
static_assert(FolioMaybeDmaPinned(kGupPinBias) && !FolioMaybeDmaPinned(3));

struct Page {
  sync::Atomic<uint32_t> flags;    // kPg*
  sync::Atomic<int32_t> refcount;  // _refcount
  sync::Atomic<int32_t> mapcount;  // _mapcount + 1
  sync::Atomic<int16_t> mapping;   // owner inode, -1, or kLostFoundOwner
  sync::Atomic<int16_t> index;
  sync::WaitQueue lock_wq;  // PG_locked sleepers (folio_wait_table)
  // Ghost.
  sync::Ghost<int16_t> gen, lock_owner, g_base, g_trans, g_spec;
};

// ---- a PTE as one word ----
// - One word so that GUP-fast's lockless read sees present/page together and
//   its re-check compares one value (pte_same).
inline constexpr uint32_t kPtePresent = 1u << 0;  // _PAGE_PRESENT
inline constexpr uint32_t kPteWrite = 1u << 1;    // _PAGE_RW
inline constexpr uint32_t kPteDirty = 1u << 2;    // _PAGE_DIRTY
inline constexpr int kPtePageShift = 8;  // bits 8..15: page + 1, 0 = none
inline constexpr uint32_t kPtePageMask = 0xffu << kPtePageShift;
static_assert(kMaxPages + 1 <= 0xff, "page number fits the PTE's field");
static_assert(((kPtePresent | kPteWrite | kPteDirty) & kPtePageMask) == 0);
inline constexpr int PtePage(uint32_t w) {
  return static_cast<int>((w & kPtePageMask) >> kPtePageShift) - 1;
}
inline constexpr uint32_t PteMake(int page, uint32_t bits) {
  return (static_cast<uint32_t>(page + 1) << kPtePageShift) | bits;
}
static_assert(PtePage(PteMake(kNoObj, 0)) == kNoObj);
static_assert(PtePage(PteMake(11, kPtePresent)) == 11);

struct Pte {
  sync::Atomic<uint32_t> word;
  sync::Atomic<int16_t> vma_file;  // the VMA of this slot, -1 if none
  sync::Atomic<int16_t> vma_index;
};

struct Pin {
  sync::Atomic<bool> held;
  sync::Atomic<int16_t> page;
  sync::Atomic<bool> longterm;
  // Ghost: what the pinner believed it pinned.
  sync::Ghost<int16_t> file, index, gen;
};

// ---- struct dax_lease state word ----
// - DAX_LEASE_PAGES and DAX_LEASE_BREAK are the patch's dl_state bits.
// - The two queued bits stand for the delayed works' pending state
//   (dl_reap_work, dl_break_work): set when queued, cleared when the work
//   function finishes (flush_delayed_work waits for the break bit).
inline constexpr uint32_t kLeasePages = 1u << 0;       // DAX_LEASE_PAGES
inline constexpr uint32_t kLeaseBreak = 1u << 1;       // DAX_LEASE_BREAK
inline constexpr uint32_t kLeaseReapQueued = 1u << 2;  // reap_work queued
inline constexpr uint32_t kLeaseWorkQueued = 1u << 3;  // break_work queued
static_assert((kLeasePages | kLeaseBreak | kLeaseReapQueued |
               kLeaseWorkQueued) == 0xf,
              "dax_lease state bits are distinct");

struct Lease {
  sync::Atomic<int32_t> dl_count;  // atomic_t dl_count
  sync::Atomic<uint32_t> state;    // kLease*
  sync::Atomic<bool> on_list;      // under flc_lock
  sync::Atomic<int16_t> file;
  // Ghost.
  sync::Ghost<bool> allocated, freed;
  sync::Ghost<int16_t> h_list, h_reap, h_break;
};

inline constexpr uint32_t kEventFileFreed = 1u << 0;  // EVENT_FILE_FL_FREED

struct Event {
  sync::Atomic<int32_t> kref;  // eventfs_inode kref
  sync::Atomic<bool> is_freed;
  sync::Atomic<int32_t> ef_ref;     // trace_event_file.ref
  sync::Atomic<uint32_t> ef_flags;  // kEventFileFreed
  // Ghost.
  sync::Ghost<bool> removed, ef_freed;
  sync::Ghost<int16_t> h_opens, h_ei;
};

// ---- s_flags ----
inline constexpr uint32_t kSbActive = 1u << 0;  // SB_ACTIVE
inline constexpr uint32_t kSbDying = 1u << 1;   // SB_DYING
static_assert((kSbActive & kSbDying) == 0);

// Kernel warnings, in the spec's Warn order (harness/run/abstraction.cc
// static_asserts the correspondence).
enum class WarnSlot : int {
  kRefcountAddUaf,
  kRefcountSubUaf,
  kDputNonpositive,
  kDiscardNonpersistent,
  kUmountBusyDentry,
  kBusyInodes,
  kEiReleaseNotFreed,
  kEvfilePutZero,
  kDaxTruncBusy,
  kClearDirtyUnlocked,
  kCount
};
inline constexpr int kNumWarnings = 16;
static_assert(static_cast<int>(WarnSlot::kCount) <= kNumWarnings);

struct Super {
  sync::Atomic<uint32_t> s_flags;  // kSb*
  // Userspace references to the mount (paths from lookups, mapped files):
  // umount(2) is -EBUSY while any is held.
  sync::Atomic<int32_t> mnt_count;
  // The fs's internal removal work (functionfs ->reset_work): the thread
  // running it, or -1; cancelled by ->kill_sb (cancel_work_sync).
  sync::Atomic<int32_t> rm_work;
  sync::Atomic<bool> work_cancelled;
  sync::SpinLock ptl;          // the one mm's page-table lock
  sync::SpinLock flc_lock;     // the lease list lock
  sync::SpinLock event_mutex;  // event_mutex (sleeping in the kernel)
  sync::WaitQueue wq;  // truncate/lease/evict waits and i_rwsem sleepers
  std::array<sync::Ghost<bool>, kNumWarnings> warned;
};

}  // namespace lifecheck::impl

#endif  // LIFECHECK_IMPL_OBJECTS_H_
