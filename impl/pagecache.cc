// Page cache ops (seed 001): read fault, write fault with ->page_mkwrite,
// user store, writeback, truncate, munmap (spec/pagecache_steps.h), and the
// page primitives they share: the refcount, PG_locked with waiters, zaps.
//
// Locks: the PTL (sb_.ptl) guards PTE words and VMA slots where the spec's
// steps await it; an inode's i_lock makes "read map[x] and act on the page"
// one step against truncate's "clear map[x] and drop the page" (the kernel
// re-checks page->mapping under the page lock instead). i_lock is never held
// across a spec step boundary, so it never blocks where the spec would not.
#include "impl/kernel.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

bool Kernel::MapsTakeRef() const {
  return !cfg_.is_dax() || cfg_.policy.dax_ref_base == DaxRefBase::kZeroBased;
}
int Kernel::DaxIdleRef() const {
  return cfg_.policy.dax_ref_base == DaxRefBase::kOneBased ? 1 : 0;
}
// dax_busy_page / ONE_BASED "refcount > 1".
bool Kernel::DaxKernelBusy(const Page& pg) const {
  const int32_t rc = pg.refcount.load(kAcquire);
  if (cfg_.policy.dax_ref_base == DaxRefBase::kOneBased) return rc > 1;
  return rc - pg.mapcount.load(kAcquire) != 0;
}

// put_page (nr = 1) or unpin_user_page (nr = kGupPinBias). acq_rel: our
// accesses to the page happen before whoever frees it. A page-cache orphan
// (no mapping) is freed by its last put. Wakes truncate/evict waiters: the
// page may have become idle. Precondition: the caller holds nr references.
void Kernel::PutPage(int p, int nr) {
  Page& pg = pg_[p];
  const int32_t now = pg.refcount.fetch_sub(nr, kAcqRel, "put_page") - nr;
  if (!cfg_.is_dax() && now == 0 && pg.mapping.load(kAcquire) == kNoObj &&
      !page_free(p))
    FreePageToAllocator(p);
  sb_.wq.wake_all("put_page");
}

// zap_pte_range for slot e: dirty moves to the page, the mapping's page
// reference is dropped, the PTE cleared (the VMA stays). Precondition: the
// caller holds the PTL, or the policy says zaps run without it.
void Kernel::ZapPte(int e) {
  Pte& pte = pte_[e];
  const uint32_t w = pte.word.exchange(PteMake(kNoObj, 0), kAcqRel, "zap");
  if (!(w & kPtePresent)) return;
  const int p = PtePage(w);
  if (p < 0 || p >= cfg_.phys_pages()) return;
  Page& pg = pg_[p];
  if (!cfg_.is_dax() && (w & kPteDirty)) pg.flags.fetch_or(kPgDirty, kRelaxed);
  pg.mapcount.fetch_sub(1, kAcqRel);
  if (MapsTakeRef()) {
    PutPage(p, 1);
  } else {
    sb_.wq.wake_all("zap");
  }
}

void Kernel::UnmapRange(int file, int from) {
  for (int e = 0; e < cfg_.ptes; ++e)
    if (pte_[e].vma_file.load(kRelaxed) == file &&
        pte_[e].vma_index.load(kRelaxed) >= from)
      ZapPte(e);
}

bool Kernel::FileMapped(int file) const {
  for (int e = 0; e < cfg_.ptes; ++e)
    if ((pte_[e].word.load(kAcquire) & kPtePresent) &&
        pte_[e].vma_file.load(kRelaxed) == file)
      return true;
  return false;
}

// trylock_page: acquire on success. No waiting.
bool Kernel::TryLockPage(int tid, int p) {
  Page& pg = pg_[p];
  uint32_t f = pg.flags.load(kRelaxed, "trylock_page");
  while (!(f & kPgLocked)) {
    if (pg.flags.cas(f, f | kPgLocked, kAcquire, kRelaxed, "trylock_page")) {
      pg.lock_owner.set(static_cast<int16_t>(tid));
      return true;
    }
  }
  return false;
}

// Sleeps until `p` is not locked (and none of `also` is set). Sets
// PG_waiters first so the unlocker wakes us (folio_wait_bit_common).
static void SleepOnPage(Page& pg, uint32_t mask, const char* step) {
  pg.lock_wq.wait(
      [&] {
        if (!(pg.flags.load(kAcquire, step) & mask)) return true;
        // Announce ourselves before sleeping, and decide on the value the
        // RMW saw: it is ordered with the unlocker's fetch_and, so either
        // the unlocker sees PG_waiters and wakes us, or we see the unlock
        // (a stale PG_waiters on an unlocked page is harmless).
        const uint32_t f = pg.flags.fetch_or(kPgWaiters, kAcquire, step);
        return !(f & mask);
      },
      step);
}

void Kernel::LockPage(int tid, int p, const char* step, uint32_t also) {
  Page& pg = pg_[p];
  for (;;) {
    uint32_t f = pg.flags.load(kRelaxed, step);
    if (!(f & (kPgLocked | also))) {
      if (pg.flags.cas(f, f | kPgLocked, kAcquire, kRelaxed, step)) {
        pg.lock_owner.set(static_cast<int16_t>(tid));
        return;
      }
      continue;  // lost a race: stutter
    }
    SleepOnPage(pg, kPgLocked | also, step);
  }
}

// folio_unlock: one fetch_and clears PG_locked and PG_waiters; wake the
// sleepers if there were any. Release: publishes the locked section.
void Kernel::UnlockPage(int p) {
  Page& pg = pg_[p];
  pg.lock_owner.set(kNoObj);
  const uint32_t old =
      pg.flags.fetch_and(~(kPgLocked | kPgWaiters), kRelease, "unlock_page");
  if (old & kPgWaiters) pg.lock_wq.wake_all("unlock_page");
}

void Kernel::WaitOnPageLocked(int p, const char* step) {
  SleepOnPage(pg_[p], kPgLocked, step);
}

// folio_mkwrite_check_truncate, the filesystem's re-check in
// ->page_mkwrite (block_page_mkwrite, iomap_page_mkwrite): truncated (no
// mapping) or beyond i_size. Precondition: the caller holds the page lock.
bool Kernel::PageTruncated(const Page& pg) const {
  const int owner = pg.mapping.load(kAcquire);
  if (owner == kNoObj) return true;
  const int size = owner >= 0 && owner < cfg_.inodes()
                       ? ino_[owner].i_size.load(kAcquire)
                       : 0;
  return pg.index.load(kRelaxed) >= size;
}

void Kernel::PutTransient(int p) {
  pg_[p].g_trans.add(-1);
  PutPage(p, 1);
}

// The PTL for a fault; a DAX fault also takes the fault lock shared, i.e.
// waits out a truncate holding it exclusive. Returns holding the PTL.
void Kernel::FaultLock(int tid, int file, const char* step) {
  const bool check = cfg_.is_dax() && file >= 0 && file < cfg_.inodes();
  for (;;) {
    if (check) {
      const sync::SleepLock& ml = ino_[file].mmaplock;
      sb_.wq.wait([&] { return ml.free_for(tid); }, step);
    }
    sb_.ptl.lock(tid, step);
    if (!check || ino_[file].mmaplock.free_for(tid)) return;
    sb_.ptl.unlock();  // a truncate got in between: retry
  }
}

int Kernel::handle_mm_fault(int tid, int e, int f, int x) {
  sync::step_boundary("FaultMap");
  FaultLock(tid, f, "FaultMap");
  Pte& pte = pte_[e];
  Inode& in = ino_[f];
  const int vf = pte.vma_file.load(kRelaxed);
  if (vf != kNoObj && (vf != f || pte.vma_index.load(kRelaxed) != x)) {
    sb_.ptl.unlock();
    return kEINVAL;
  }
  in.i_lock.lock(tid, "FaultMap");
  const int p = in.map[x].load(kAcquire);
  // mmap needs an open file, i.e. a live inode reference, opened through
  // the mount: none once umount detached it.
  if ((in.i_state.load(kRelaxed) & kIFreeing) ||
      (vf == kNoObj && (in.i_count.load(kRelaxed) == 0 ||
                        (sb_.s_flags.load(kAcquire) & kSbDying))) ||
      x >= in.i_size.load(kRelaxed) || p == kNoObj) {
    in.i_lock.unlock();
    sb_.ptl.unlock();
    return kEFAULT;
  }
  if (vf == kNoObj) {  // the first fault of a slot is the mmap
    pte.vma_file.store(static_cast<int16_t>(f), kRelaxed);
    pte.vma_index.store(static_cast<int16_t>(x), kRelaxed);
    in.i_count.fetch_add(1, kRelaxed);
    in.h_vma.add(1);
    sb_.mnt_count.fetch_add(1, kAcqRel);  // the VMA's file pins the mount
  }
  if (!(pte.word.load(kRelaxed) & kPtePresent)) {
    pg_[p].mapcount.fetch_add(1, kRelaxed);
    if (MapsTakeRef()) pg_[p].refcount.fetch_add(1, kRelaxed);
    pte.word.store(PteMake(p, kPtePresent), kRelease);
  }
  in.i_lock.unlock();
  sb_.ptl.unlock();
  return 0;
}

int Kernel::do_wp_page(int tid, int e) {
  const int r = WpPage(tid, e);
  return r == kFaultSigbus ? kEFAULT : r;
}

// The write fault; kFaultSigbus when ->page_mkwrite failed (VM_FAULT_SIGBUS),
// which a GUP must tell apart from the faults it retries.
int Kernel::WpPage(int tid, int e) {
  Pte& pte = pte_[e];
  sync::step_boundary("WfGetPage");
  FaultLock(tid, pte.vma_file.load(kRelaxed), "WfGetPage");
  const uint32_t w = pte.word.load(kRelaxed);
  if (!(w & kPtePresent) || (w & kPteWrite)) {
    sb_.ptl.unlock();
    return (w & kPtePresent) ? 0 : kEFAULT;
  }
  if (cfg_.is_dax()) {  // no ->page_mkwrite: done under the PTL
    pte.word.fetch_or(kPteWrite | kPteDirty, kRelaxed);
    sb_.ptl.unlock();
    return 0;
  }
  const int p = PtePage(w);
  Page& pg = pg_[p];
  pg.refcount.fetch_add(1, kRelaxed);  // get_page: we hold the PTE's ref
  pg.g_trans.add(1);
  sb_.ptl.unlock();

  const bool fixed = cfg_.policy.mkwrite == MkwriteProtocol::kFixed2009;
  const bool keep_locked = fixed && cfg_.policy.fs_mkwrite_returns_locked;
  bool locked = false;
  sync::step_boundary("WfMkwrite");
  LockPage(tid, p, "WfMkwrite");
  if (cfg_.policy.mkwrite_check_truncate && PageTruncated(pg)) {
    UnlockPage(p);  // VM_FAULT_NOPAGE: the fault is retried
    PutTransient(p);
    return 0;
  }
  // A full fs cannot reserve the block: VM_FAULT_SIGBUS, the fault fails
  // (-EFAULT to a GUP) with no PTE change.
  if (cfg_.policy.fs_enospc) {
    UnlockPage(p);
    PutTransient(p);
    return kFaultSigbus;
  }
  // Metadata before the PTE turns writable (I-PG-1). Without the re-check
  // it may be a block beyond EOF (R-001b, I-PG-5 in the spec).
  pg.flags.fetch_or(kPgPrivate | kPgDirty, kRelaxed);
  if (keep_locked) {
    locked = true;
  } else {
    UnlockPage(p);
  }
  if (fixed && !keep_locked) {  // do_page_mkwrite locks the page itself
    sync::step_boundary("WfLockPage");
    LockPage(tid, p, "WfLockPage");
    if (pg.mapping.load(kAcquire) == kNoObj) {  // "if (!folio->mapping)"
      UnlockPage(p);
      PutTransient(p);
      return 0;
    }
    locked = true;
  }
  sync::step_boundary("WfSetPte");
  sb_.ptl.lock(tid, "WfSetPte");
  const uint32_t w2 = pte.word.load(kRelaxed);
  if (!(w2 & kPtePresent) || PtePage(w2) != p || (w2 & kPteWrite)) {
    sb_.ptl.unlock();  // pte_same failed: raced an unmap or another fault
    if (locked) UnlockPage(p);
    PutTransient(p);
    return 0;
  }
  pte.word.fetch_or(kPteWrite | kPteDirty, kRelease);
  sb_.ptl.unlock();
  if (!fixed) {  // OLD_RACY: wait_on_page_locked takes no lock
    sync::step_boundary("WfWaitLocked");
    WaitOnPageLocked(p, "WfWaitLocked");
    sync::step_boundary("WfSetDirty");
    pg.flags.fetch_or(kPgDirty, kRelaxed);
    PutTransient(p);
    return 0;
  }
  sync::step_boundary("WfSetDirty");
  pg.flags.fetch_or(kPgDirty, kRelaxed);
  sync::step_boundary("WfUnlock");
  UnlockPage(p);
  PutTransient(p);
  return 0;
}

// A user store: the MMU sets the dirty bit of a present writable PTE.
int Kernel::user_store(int /*tid*/, int e) {
  sync::step_boundary("StoreUser");
  Pte& pte = pte_[e];
  uint32_t w = pte.word.load(kRelaxed, "store");
  for (;;) {
    if (!(w & kPtePresent) || !(w & kPteWrite)) return kEFAULT;
    if (pte.word.cas(w, w | kPteDirty, kRelaxed, kRelaxed, "store")) return 0;
  }
}

// write_cache_pages for one page (folio_prepare_writeback): a page under
// writeback is skipped by WB_SYNC_NONE; WB_SYNC_ALL sleeps until its IO
// ends (folio_wait_writeback), keeping the page lock if the page is dirty
// (it is written again), else without it (fsync's filemap_fdatawait).
int Kernel::writeback(int tid, int f, int x, bool sync) {
  Inode& in = ino_[f];
  sync::step_boundary("WbLockClean");
  int p = kNoObj;
  for (;;) {
    sb_.ptl.lock(tid, "WbLockClean");
    in.i_lock.lock(tid, "WbLockClean");
    p = in.map[x].load(kAcquire);
    if (p == kNoObj || in.freed.get()) {
      in.i_lock.unlock();
      sb_.ptl.unlock();
      return 0;
    }
    const bool got = TryLockPage(tid, p);
    in.i_lock.unlock();
    if (got) break;
    sb_.ptl.unlock();
    WaitOnPageLocked(p, "WbLockClean");
  }
  Page& pg = pg_[p];
  const uint32_t f0 = pg.flags.load(kRelaxed);
  if (f0 & kPgWriteback) {
    const bool redirtied = f0 & kPgDirty;
    if (!sync || !redirtied) UnlockPage(p);
    sb_.ptl.unlock();
    if (!sync) return 0;
    sync::step_boundary("WbWaitWriteback");
    SleepOnPage(pg, kPgWriteback, "WbWaitWriteback");
    if (!redirtied) return 0;
    sb_.ptl.lock(tid, "WbWaitWriteback");
  }
  // clear_page_dirty_for_io under the page lock (I-PG-3): page_mkclean
  // moves PTE dirtiness to the page.
  for (int e = 0; e < cfg_.ptes; ++e) {
    Pte& pte = pte_[e];
    const uint32_t w = pte.word.load(kRelaxed);
    if ((w & kPtePresent) && PtePage(w) == p && (w & (kPteWrite | kPteDirty))) {
      pte.word.store(w & ~(kPteWrite | kPteDirty), kRelease);
      pg.flags.fetch_or(kPgDirty, kRelaxed);
    }
  }
  if (!(pg.flags.load(kRelaxed) & kPgDirty)) {
    UnlockPage(p);
    sb_.ptl.unlock();
    return 0;
  }
  pg.flags.fetch_and(~kPgDirty, kRelaxed);
  sb_.ptl.unlock();
  sync::step_boundary("WbStartIo");
  pg.flags.fetch_or(kPgWriteback, kRelaxed);
  UnlockPage(p);
  sync::step_boundary("WbIoDone");
  bool writable = false;
  for (int e = 0; e < cfg_.ptes; ++e) {
    const uint32_t w = pte_[e].word.load(kAcquire);
    if ((w & kPtePresent) && PtePage(w) == p && (w & kPteWrite))
      writable = true;
  }
  // End writeback; the fs releases its metadata once clean and not
  // writably mapped, and (pinned_page_private=keep) not maybe DMA-pinned.
  // One CAS, so a write fault's PG_dirty|PG_private cannot land between
  // the dirty check and the release (the spec's step is atomic;
  // ->page_mkwrite sets both before the PTE turns writable, and a pin
  // needs a writable PTE).
  const bool keep_pinned =
      cfg_.policy.pinned_page_private == PinnedPagePrivate::kKeep;
  uint32_t fl = pg.flags.load(kRelaxed, "end_page_writeback");
  for (;;) {
    uint32_t nf = fl & ~kPgWriteback;
    const bool pinned =
        keep_pinned && FolioMaybeDmaPinned(pg.refcount.load(kAcquire));
    if (!(fl & kPgDirty) && !writable && !pinned) nf &= ~kPgPrivate;
    if (pg.flags.cas(fl, nf, kAcqRel, kRelaxed, "end_page_writeback")) break;
  }
  pg.lock_wq.wake_all("end_page_writeback");
  return 0;
}

void Kernel::TakeTruncLocks(int tid, int f, const char* step) {
  ino_[f].rwsem.lock(tid, sb_.wq, step);
  ino_[f].mmaplock.lock(tid, sb_.wq, step);
}

// A call never returns holding i_rwsem or the fault lock.
void Kernel::ReleaseCallLocks(int tid) {
  for (int i = 0; i < cfg_.inodes(); ++i) {
    if (ino_[i].mmaplock.owner() == tid) ino_[i].mmaplock.unlock(sb_.wq);
    if (ino_[i].rwsem.owner() == tid) ino_[i].rwsem.unlock(sb_.wq);
  }
}

void Kernel::ZapPtlLock(int tid, const char* step) {
  if (cfg_.policy.ptl_on_zap) sb_.ptl.lock(tid, step);
}
void Kernel::ZapPtlUnlock() {
  if (cfg_.policy.ptl_on_zap) sb_.ptl.unlock();
}

int Kernel::truncate(int tid, int f, int size) {
  const int r = cfg_.is_dax() ? TruncateDax(tid, f, size)
                              : TruncatePagecache(tid, f, size);
  ReleaseCallLocks(tid);
  return r;
}

// truncate_setsize + truncate_inode_pages + the second unmap.
int Kernel::TruncatePagecache(int tid, int f, int size) {
  Inode& in = ino_[f];
  sync::step_boundary("TruncSetSize");
  TakeTruncLocks(tid, f, "TruncSetSize");
  ZapPtlLock(tid, "TruncSetSize");
  if (in.freed.get()) {  // the model's stand-in for a file's lifetime
    ZapPtlUnlock();
    return kENOENT;
  }
  const bool shrink = in.i_size.load(kRelaxed) > size;
  in.i_size.store(size, kRelease);
  if (shrink) UnmapRange(f, size);
  ZapPtlUnlock();
  if (!shrink) return 0;
  for (;;) {
    sync::step_boundary("TruncLockPage");
    int x = kNoObj, p = kNoObj;
    for (int i = size; i < cfg_.pages; ++i) {
      p = in.map[i].load(kAcquire);
      if (p != kNoObj) {
        x = i;
        break;
      }
    }
    if (x == kNoObj) break;
    LockPage(tid, p, "TruncLockPage", kPgWriteback);  // and wait writeback
    sync::step_boundary("TruncInvalidate");
    in.i_lock.lock(tid, "TruncInvalidate");
    in.map[x].store(kNoObj, kRelease);
    RemovePage(p);
    in.i_lock.unlock();
    UnlockPage(p);
  }
  sync::step_boundary("TruncUnmapAgain");  // the range ends unmapped: I-PG-6
  ZapPtlLock(tid, "TruncUnmapAgain");
  UnmapRange(f, size);
  ZapPtlUnlock();
  return 0;
}

int Kernel::munmap(int tid, int e) {
  sync::step_boundary("MunmapZap");
  ZapPtlLock(tid, "MunmapZap");
  Pte& pte = pte_[e];
  const int f = pte.vma_file.load(kRelaxed);
  if (f == kNoObj) {
    ZapPtlUnlock();
    return kEINVAL;
  }
  ZapPte(e);
  ino_[f].h_vma.add(-1);  // the VMA's file reference moves to our iput
  ino_[f].h_thr[tid].add(1);
  pte.vma_file.store(kNoObj, kRelaxed);
  pte.vma_index.store(0, kRelaxed);
  ZapPtlUnlock();
  // The VMA file's last fput: dput/iput (and any eviction), then mntput.
  const int r = IputChain(tid, f);
  sb_.mnt_count.fetch_sub(1, kAcqRel, "mntput");
  return r;
}

}  // namespace lifecheck::impl
