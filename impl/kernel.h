// The optimized, thread-safe implementation of every spec operation: one
// superblock and one mm, with the kernel's concurrency (DESIGN principle 5).
//
// Kernel reproduces the spec's semantics op for op: for any sequence of calls
// run one at a time, return values and Abstract(kernel) equal the spec's
// (harness/run/diff.h checks it after every call). Every policy knob of Config
// changes the behaviour the same way, historic races included, so a
// controlled scheduler can find them on the impl (issue 4).
//
// Never includes spec/ or harness/ (DESIGN principle 4; a ctest checks it).
// The only reader of the internals is harness/run/abstraction.cc, through the
// read-only accessors below.
//
// Ghost state: the spec's ghost fields (h_* holders, g_* page reference
// accounting, generations, freed flags, the pin's believed file/index/gen,
// lock owners, kernel warnings) are kept here as debug tracking, like the
// kernel's ref_tracker/page_owner: sync::Ghost relaxed counters updated at
// the same points as the real counts. They are not protocol state, with two
// documented exceptions where the model's input needs them (close's fd
// table; a pin slot's dax_lease still alive, the slot discipline of pin).
//
// Thread ids: `tid` is the caller's logical thread (0..kMaxThreads-1); the
// per-thread ghost holders and lock owners need it.
#ifndef LIFECHECK_IMPL_KERNEL_H_
#define LIFECHECK_IMPL_KERNEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/faults.h"
#include "impl/objects.h"
#include "impl/sync.h"

namespace lifecheck::impl {

// Planted faults (config/faults.h): one type for both impl copies.
using Faults = ::lifecheck::Faults;

// A consistency failure found by CheckQuiescent: a name and a detail.
struct QuiescentFailure {
  std::string check;   // e.g. "dentry-count-holders"
  std::string detail;  // e.g. "d[1]: count 2, holders 1"
};

class Kernel {
 public:
  explicit Kernel(const Config& cfg);
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Back to the initial world of `cfg` (InitWorld's), without allocating.
  // Precondition: no call is running.
  void Reset(const Config& cfg);
  void set_faults(const Faults& f) { faults_ = f; }
  const Faults& faults() const { return faults_; }

  // ---- dcache (seed 000) ----
  int lookup(int tid, int d);
  int stat(int tid, int d);  // lookup + dput
  int dput(int tid, int d);
  int d_make_discardable(int tid, int d);  // or the legacy "dput; unpin it"
  int vfs_unlink(int tid, int d);
  int umount(int tid);                // -EBUSY if in use, else ->kill_sb
  int remove_work(int tid, int d);    // internal removal (->reset_work)
  int shrink_dcache(int tid, int d);  // prune_dcache_sb reaching d
  // ---- inodes (seed 004) ----
  int igrab(int tid, int file);
  int iput(int tid, int file);
  int prune_icache(int tid, int file);  // prune_icache_sb reaching file
  // ---- eventfs (seed 002) ----
  int eventfs_lookup(int tid, int ev);
  int eventfs_remove_dir(int tid, int ev);
  int eventfs_open(int tid, int ev);
  int eventfs_release(int tid, int ev);
  int eventfs_format(int tid, int ev);  // open, read, close `format`
  // ---- page cache (seed 001) ----
  int handle_mm_fault(int tid, int pte, int file, int index);  // read fault
  int do_wp_page(int tid, int pte);                            // write fault
  int user_store(int tid, int pte);
  // One page; `sync`: WB_SYNC_ALL (fsync) waits for IO in flight.
  int writeback(int tid, int file, int index, bool sync);
  int truncate(int tid, int file, int size);  // page cache or DAX
  int munmap(int tid, int pte);
  int alloc_block(int tid, int file, int index);
  // ---- GUP + DAX + FL_ALLOCATED lease (seeds 003, 004) ----
  int pin_user_pages(int tid, int pin, int pte, bool longterm);
  int pin_user_pages_fast(int tid, int pin, int pte);
  int dma_write(int tid, int pin);
  int unpin_user_page(int tid, int pin);
  int unpin_user_pages_dirty_lock(int tid, int pin);  // make_dirty = true
  int lease_reap(int tid, int pin);                   // reap_work (a kworker)
  int lease_break_work(int tid, int pin);             // break_work (a kworker)
  int break_layout(int tid, int file);  // break_allocated(inode, wait=true)

  // The impl's own consistency checks at a quiescent point (no call
  // running): counts equal their tracked holders, no lock bit or owner set,
  // nobody sleeping, the allocator bitmap agrees with the pages. Usable
  // without the spec. Empty if all hold.
  // `which` selects groups: the differential runner skips kConservation,
  // which restates I-REF-1/I-GUP-1 on state the spec already judges.
  enum QuiescentGroup : unsigned {
    kLocksAndSleepers = 1,  // no lock held, no bit set, nobody asleep
    kConservation = 2,      // counts == tracked holders; pin bias visible
    kAllocator = 4,         // free bitmap agrees with mappings and maps
    kAllGroups = 7,
  };
  std::vector<QuiescentFailure> CheckQuiescent(
      unsigned which = kAllGroups) const;
  // The fast form of the kLocksAndSleepers group: true iff it would pass
  // (no allocation; the differential runner calls it after every call).
  bool LocksReleased() const { return LocksReleasedIn(~0u, ~0u, ~0u); }
  // LocksReleased over the dentries, inodes and pages whose bits are set in
  // the masks, and the superblock's locks and queue. The differential runner
  // passes the objects a call wrote (sync::WriteLog): a lock whose word was
  // not written cannot have been taken.
  bool LocksReleasedIn(uint32_t dentries, uint32_t inodes,
                       uint32_t pages) const;

  // ---- read-only access for harness/run/abstraction.cc ----
  const Config& config() const { return cfg_; }
  const std::array<Dentry, kMaxDentries>& dentries() const { return d_; }
  const std::array<Inode, kMaxInodes>& inodes() const { return ino_; }
  const std::array<Page, kMaxPages>& pages() const { return pg_; }
  const std::array<Pte, kMaxPtes>& ptes() const { return pte_; }
  const std::array<Pin, kMaxPins>& pins() const { return pin_; }
  const std::array<Lease, kMaxPins>& leases() const { return lease_; }
  const std::array<Event, kMaxEvents>& events() const { return ev_; }
  const Super& super() const { return sb_; }
  // The allocator's word (page_free reads it), for write tracking.
  const sync::Atomic<uint64_t>& free_mask_word() const { return free_mask_; }
  // Is physical page p on the allocator's free list?
  bool page_free(int p) const {
    return (free_mask_.load(sync::kRelaxed) >> p) & 1;
  }
  // Waits that really slept, over every wait queue (test statistics).
  uint64_t sleeps() const;

 private:
  friend class KernelTestPeer;

  // dcache helpers (dcache.cc)
  void DropDentryHolder(int tid, Dentry& d);
  int DputLocked(int tid, int dd, bool* kill, const char* step = "DputSlow");
  int RemoveByName(int tid, int dd);
  int DputPath(int tid, int dd);
  void DiscardBody(int tid, Dentry& d);
  void KillDentry(int tid, int dd);
  int DentryKill(int tid, int dd);
  // inode helpers (inode.cc)
  int IputChain(int tid, int ino);
  bool IputFinal(int tid, Inode& in, bool keeps_busy);
  int Evict(int tid, int ino);
  bool InodeDaxBusy(const Inode& in) const;
  void FreeInodePages(Inode& in);
  void RemovePage(int p);
  // page helpers (pagecache.cc)
  bool DaxKernelBusy(const Page& pg) const;
  bool MapsTakeRef() const;
  int DaxIdleRef() const;
  void PutPage(int p, int nr);  // put_page/unpin: refcount -= nr
  void ZapPte(int e);
  void UnmapRange(int file, int from);
  bool FileMapped(int file) const;
  // lock_page; with `also` (e.g. kPgWriteback) it also waits for those
  // flags to clear before taking the lock (one guard, as the spec's step).
  void LockPage(int tid, int p, const char* step, uint32_t also = 0);
  bool TryLockPage(int tid, int p);
  void WaitOnPageLocked(int p, const char* step);
  void FaultLock(int tid, int file, const char* step);
  void UnlockPage(int p);
  bool PageTruncated(const Page& pg) const;
  // do_wp_page's body; kFaultSigbus: ->page_mkwrite returned VM_FAULT_SIGBUS.
  static constexpr int kFaultSigbus = -1000;
  int WpPage(int tid, int pte);
  void PutTransient(int p);
  void TakeTruncLocks(int tid, int f, const char* step);
  void ReleaseCallLocks(int tid);
  int TruncatePagecache(int tid, int f, int size);
  int TruncateDax(int tid, int f, int size);
  bool TruncNotShrinking(int f, int size, int* ret);
  void DaxTruncFree(int f, int size);
  bool GupFaultMap(int tid, int e);
  int GupFail(int tid, int pi, bool lease, int err, const char* step);

  void ZapPtlLock(int tid, const char* step);
  void ZapPtlUnlock();
  // allocator (alloc.cc)
  int AllocFreePage();
  void FreePageToAllocator(int p);
  // lease helpers (lease.cc)
  void LeasePut(Lease& l, sync::Ghost<int16_t>& holder);
  void LmChange(Lease& l);
  bool LeaseFsLockNeeded() const;
  bool LeaseFsLock(int tid, int file, const char* step);
  void LeaseFsUnlock(int file, bool locked);
  bool BreakAllocatedLeases(int tid, int f, const char* step);
  bool LeaseListed(int f) const;
  void LeaseUnlock(int tid, Lease& l, const char* step);
  void LeaseUnlinkLate(int tid, Lease& l, const char* step);
  // eventfs helpers (eventfs.cc)
  bool EiHoldsEventFile() const;
  void EventFilePut(Event& ev);
  void PutEi(Event& ev);
  void EvFput(int tid, int dd, const char* step);
  int EvOpenWalkGet(int tid, int e, const char* step);
  void Warn(int slot) { sb_.warned[slot].set(true); }

  Config cfg_;
  Faults faults_;
  std::array<Dentry, kMaxDentries> d_;
  std::array<Inode, kMaxInodes> ino_;
  std::array<Page, kMaxPages> pg_;
  std::array<Pte, kMaxPtes> pte_;
  std::array<Pin, kMaxPins> pin_;
  std::array<Lease, kMaxPins> lease_;
  std::array<Event, kMaxEvents> ev_;
  Super sb_;
  // The lock-free block allocator: bit p set = physical page p is free.
  sync::Atomic<uint64_t> free_mask_;
  static_assert(kMaxPages <= 64, "free_mask_ has one bit per page");
};

}  // namespace lifecheck::impl

#endif  // LIFECHECK_IMPL_KERNEL_H_
