// DAX + GUP ops (seeds 003, 004): block allocation, pins and DMA, the DAX
// truncate frame with its policies (spec/dax_steps.h).
#include "impl/kernel.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

int Kernel::alloc_block(int tid, int f, int x) {
  sync::step_boundary("AllocBlock");
  Inode& in = ino_[f];
  in.i_lock.lock(tid, "AllocBlock");  // the mapping's lock for map[x]
  if ((in.i_state.load(kRelaxed) & kIFreeing) || in.freed.get()) {
    in.i_lock.unlock();
    return kENOENT;
  }
  const int have = in.map[x].load(kRelaxed);
  if (have != kNoObj) {
    in.i_lock.unlock();
    return have;
  }
  const int p = AllocFreePage();
  if (p == kNoObj) {
    in.i_lock.unlock();
    return kENOSPC;
  }
  Page& pg = pg_[p];
  pg.mapping.store(static_cast<int16_t>(f), kRelaxed);
  pg.index.store(static_cast<int16_t>(x), kRelaxed);
  pg.gen.add(1);
  if (!cfg_.is_dax()) {  // a fresh page-cache page: the cache's reference
    pg.refcount.store(1, kRelaxed);
    pg.g_base.set(1);
  }
  in.map[x].store(static_cast<int16_t>(p), kRelease);  // publishes the page
  if (in.i_size.load(kRelaxed) <= x) in.i_size.store(x + 1, kRelease);
  in.i_lock.unlock();
  return p;
}

// try_grab_folio(FOLL_PIN) and the pin record (ghost: what the pinner
// believes it pinned). Precondition: the caller keeps the page alive (PTL
// held, or a speculative grab that is re-checked).
static void RecordPin(Pin& pin, int page, int file, int index, int gen,
                      bool longterm) {
  pin.page.store(static_cast<int16_t>(page), kRelaxed);
  pin.longterm.store(longterm, kRelaxed);
  pin.file.set(static_cast<int16_t>(file));
  pin.index.set(static_cast<int16_t>(index));
  pin.gen.set(static_cast<int16_t>(gen));
}

int Kernel::pin_user_pages(int tid, int pi, int e, bool longterm) {
  const bool lease =
      cfg_.is_dax() && cfg_.policy.dax_truncate_mechanism ==
                           DaxTruncateMechanism::kFlAllocatedLease;
  const bool reject = cfg_.policy.longterm_pin == LongtermPinOnFsdax::kReject;
  Pin& pin = pin_[pi];
  Pte& pte = pte_[e];
  Lease& l = lease_[pi];
  if (lease) {
    // A1, __dax_truncate_lease once the VMA is found: vfs_setlease(F_RDLCK)
    // under XFS_MMAPLOCK_EXCL (xfs_file_setlease).
    sync::step_boundary("PinLeaseSetup");
    if (longterm && reject) return kEOPNOTSUPP;  // check_vma_flags first
    const int vf = pte.vma_file.load(kAcquire);
    const bool locked = LeaseFsLock(tid, vf, "PinLeaseSetup");
    sb_.flc_lock.lock(tid, "PinLeaseSetup");
    if (pin.held.load(kRelaxed) || (l.allocated.get() && !l.freed.get()) ||
        vf == kNoObj) {
      sb_.flc_lock.unlock();
      LeaseFsUnlock(vf, locked);
      return vf == kNoObj ? kEFAULT : kEBUSY;
    }
    // dl_count = 2 {A: on the list, B: gup/reap}.
    l.allocated.set(true);
    l.freed.set(false);
    l.dl_count.store(2, kRelaxed);
    l.h_list.set(1);
    l.h_reap.set(1);
    l.h_break.set(0);
    l.state.store(0, kRelaxed);
    l.file.store(static_cast<int16_t>(vf), kRelaxed);
    l.on_list.store(true, kRelease);
    sb_.flc_lock.unlock();
    LeaseFsUnlock(vf, locked);
  }
  // FOLL_WRITE: follow_page under the PTL needs a present, writable PTE;
  // otherwise faultin_page(FAULT_FLAG_WRITE) and retry (mm/gup.c
  // __get_user_pages). Returns from the loop holding the PTL.
  uint32_t w = 0;
  for (;;) {
    sync::step_boundary("PinLockPtl");
    sb_.ptl.lock(tid, "PinLockPtl");
    if (longterm && cfg_.is_dax() && reject) {
      sb_.ptl.unlock();
      return kEOPNOTSUPP;
    }
    w = pte.word.load(kRelaxed);
    if (!lease && pin.held.load(kRelaxed)) {
      sb_.ptl.unlock();
      return kEBUSY;
    }
    if (pte.vma_file.load(kRelaxed) == kNoObj) {
      sb_.ptl.unlock();
      return GupFail(tid, pi, lease, kEFAULT, "PinLockPtl");
    }
    if ((w & kPtePresent) && (w & kPteWrite)) break;
    sb_.ptl.unlock();
    if (!(w & kPtePresent) && !GupFaultMap(tid, e))
      return GupFail(tid, pi, lease, kEFAULT, "PinFaultMap");
    // A NOPAGE or a success: GUP retries. VM_FAULT_SIGBUS (a full fs's
    // ->page_mkwrite): -EFAULT (vm_fault_to_errno); never with a lease
    // (DAX has no ->page_mkwrite).
    if (WpPage(tid, e) == kFaultSigbus) return kEFAULT;
  }
  const int p = PtePage(w);
  const int gen = p >= 0 && p < cfg_.phys_pages() ? pg_[p].gen.get() : 0;
  sync::step_boundary("PinGrab");
  RecordPin(pin, p, pte.vma_file.load(kRelaxed), pte.vma_index.load(kRelaxed),
            gen, longterm);
  if (p >= 0 && p < cfg_.phys_pages())
    pg_[p].refcount.fetch_add(kGupPinBias, kAcqRel, "pin.grab");
  pin.held.store(true, kRelease);
  sb_.ptl.unlock();
  if (lease) {
    // A3: record the pages, DAX_LEASE_PAGES, queue reap_work.
    sync::step_boundary("PinLeasePages");
    l.state.fetch_or(kLeasePages | kLeaseReapQueued, kAcqRel);
    sb_.wq.wake_all("lease.pages");
  }
  return 1;
}

// A GUP that fails. With the v3 lease, dax_lease_set_pages with result <= 0:
// DAX_LEASE_PAGES (no pages recorded), F_UNLCK; then flush break_work and
// put B, and the GUP fails -EFAULT (spec PinFail).
int Kernel::GupFail(int tid, int pi, bool lease, int err, const char* step) {
  if (!lease) return err;
  Lease& l = lease_[pi];
  l.state.fetch_or(kLeasePages, kAcqRel);
  LeaseUnlock(tid, l, step);
  sync::step_boundary("PinLeaseUnlink");
  LeaseUnlinkLate(tid, l, "PinLeaseUnlink");
  sync::step_boundary("PinLeaseFail");
  sb_.wq.wait([&] { return !(l.state.load(kAcquire) & kLeaseWorkQueued); },
              "PinLeaseFail");
  LeasePut(l, l.h_reap);
  return kEFAULT;
}

// faultin_page's read part for an absent PTE: map the VMA's page read-only
// (the write fault, do_wp_page, follows). False: beyond i_size, a hole or
// no VMA any more; the GUP fails (spec PinFaultMap).
bool Kernel::GupFaultMap(int tid, int e) {
  sync::step_boundary("PinFaultMap");
  Pte& pte = pte_[e];
  const int f = pte.vma_file.load(kRelaxed);
  FaultLock(tid, f, "PinFaultMap");
  if (pte.word.load(kRelaxed) & kPtePresent) {
    sb_.ptl.unlock();
    return true;
  }
  if (f < 0 || f >= cfg_.inodes()) {
    sb_.ptl.unlock();
    return false;
  }
  Inode& in = ino_[f];
  in.i_lock.lock(tid, "PinFaultMap");
  const int x = pte.vma_index.load(kRelaxed);
  const int p = in.map[x].load(kAcquire);
  const bool ok = !(in.i_state.load(kRelaxed) & kIFreeing) &&
                  x < in.i_size.load(kRelaxed) && p != kNoObj;
  if (ok) {
    pg_[p].mapcount.fetch_add(1, kRelaxed);
    if (MapsTakeRef()) pg_[p].refcount.fetch_add(1, kRelaxed);
    pte.word.store(PteMake(p, kPtePresent), kRelease);
  }
  in.i_lock.unlock();
  sb_.ptl.unlock();
  return ok;
}

// GUP-fast: lockless PTE read, speculative grab (fails on refcount 0), then
// re-check the PTE and back out if it changed. Safe only because truncate
// unmaps before it scans refcounts (I-DAX-5, I-DAX-4).
int Kernel::pin_user_pages_fast(int /*tid*/, int pi, int e) {
  sync::step_boundary("PinFastRead");
  if (cfg_.is_dax() && cfg_.policy.dax_truncate_mechanism ==
                           DaxTruncateMechanism::kFlAllocatedLease)
    return kEAGAIN;  // the lease is taken in the slow path only
  Pin& pin = pin_[pi];
  Pte& pte = pte_[e];
  const uint32_t w = pte.word.load(kAcquire, "gup_fast.read");
  const bool held = pin.held.load(kRelaxed);
  if (held || !(w & kPtePresent)) return held ? kEBUSY : kEFAULT;
  if (!(w & kPteWrite)) return kEAGAIN;  // FOLL_WRITE: the slow path faults
  const int p = PtePage(w);
  const int file = pte.vma_file.load(kRelaxed);
  const int index = pte.vma_index.load(kRelaxed);
  const int gen = p >= 0 && p < cfg_.phys_pages() ? pg_[p].gen.get() : 0;
  sync::step_boundary("PinFastGrab");
  if (p < 0 || p >= cfg_.phys_pages()) return kEAGAIN;
  Page& pg = pg_[p];
  // page_ref_add_unless(page, BIAS, 0): acquire pairs with the freer.
  int32_t rc = pg.refcount.load(kRelaxed, "gup_fast.grab");
  for (;;) {
    if (rc == 0) return kEAGAIN;
    if (pg.refcount.cas(rc, rc + kGupPinBias, kAcquire, kRelaxed,
                        "gup_fast.grab"))
      break;
  }
  RecordPin(pin, p, file, index, gen, false);
  pg.g_spec.add(1);  // ghost: speculative until the re-check
  sync::step_boundary("PinFastRecheck");
  pg.g_spec.add(-1);
  const uint32_t w2 = pte.word.load(kAcquire, "gup_fast.recheck");
  if (!(w2 & kPtePresent) || PtePage(w2) != p) {
    PutPage(p, kGupPinBias);  // bail to the slow path
    return kEAGAIN;
  }
  pin.held.store(true, kRelease);
  return 1;
}

// The device writes through the pin (the invariant is the harness's).
int Kernel::dma_write(int /*tid*/, int pi) {
  sync::step_boundary("DmaWrite");
  if (!pin_[pi].held.load(kAcquire)) return kEINVAL;
  return faults_.dma_reports_efault ? kEFAULT : 0;
}

int Kernel::unpin_user_page(int /*tid*/, int pi) {
  sync::step_boundary("UnpinPut");
  Pin& pin = pin_[pi];
  if (!pin.held.load(kAcquire)) return kEINVAL;
  const int p = pin.page.load(kRelaxed);
  pin.held.store(false, kRelease);
  if (p >= 0 && p < cfg_.phys_pages())
    PutPage(p, faults_.unpin_drops_one ? 1 : kGupPinBias);
  return 0;
}

// unpin_user_pages_dirty_lock(make_dirty = true): set_page_dirty_lock on a
// page still in the page cache (a DAX block has no dirty page), then unpin.
int Kernel::unpin_user_pages_dirty_lock(int tid, int pi) {
  sync::step_boundary("UnpinDirty");
  Pin& pin = pin_[pi];
  if (!pin.held.load(kAcquire)) return kEINVAL;
  const int p = pin.page.load(kRelaxed);
  const bool valid = p >= 0 && p < cfg_.phys_pages();
  if (valid && !cfg_.is_dax()) {
    LockPage(tid, p, "UnpinDirty");
    if (pg_[p].mapping.load(kRelaxed) != kNoObj)
      pg_[p].flags.fetch_or(kPgDirty, kRelaxed);
    UnlockPage(p);
  }
  pin.held.store(false, kRelease);
  if (valid) PutPage(p, faults_.unpin_drops_one ? 1 : kGupPinBias);
  return 0;
}

// A truncate that does not shrink just sets i_size (true: the call is
// over, *ret holds its value). A freed inode is the model's stand-in for a
// file whose lifetime ended.
bool Kernel::TruncNotShrinking(int f, int size, int* ret) {
  Inode& in = ino_[f];
  if (in.freed.get()) {
    *ret = kENOENT;
    return true;
  }
  if (in.i_size.load(kRelaxed) <= size) {
    in.i_size.store(size, kRelease);
    *ret = 0;
    return true;
  }
  return false;
}

// T3/T4: i_size, unmap, delete the entries, free the blocks. Precondition:
// the truncate locks and (ptl_on_zap) the PTL are held.
void Kernel::DaxTruncFree(int f, int size) {
  Inode& in = ino_[f];
  in.i_size.store(size, kRelease);
  UnmapRange(f, size);
  for (int x = size; x < cfg_.pages; ++x) {
    const int p = in.map[x].load(kAcquire);
    if (p >= 0 && p < cfg_.phys_pages()) {
      if (cfg_.policy.dax_ref_base == DaxRefBase::kOneBased &&
          pg_[p].refcount.load(kAcquire) > 1)
        Warn(static_cast<int>(WarnSlot::kDaxTruncBusy));
      RemovePage(p);
    }
    in.map[x].store(kNoObj, kRelease);
  }
}

int Kernel::TruncateDax(int tid, int f, int size) {
  const Policies& pol = cfg_.policy;
  Inode& in = ino_[f];
  int ret = 0;
  if (pol.dax_truncate == DaxTruncatePolicy::kNone) {  // never scans
    sync::step_boundary("DaxTruncFree");
    TakeTruncLocks(tid, f, "DaxTruncFree");
    ZapPtlLock(tid, "DaxTruncFree");
    if (!TruncNotShrinking(f, size, &ret)) DaxTruncFree(f, size);
    ZapPtlUnlock();
    return ret;
  }
  const bool lease_wait =
      pol.dax_truncate_mechanism == DaxTruncateMechanism::kFlAllocatedLease &&
      pol.dax_truncate == DaxTruncatePolicy::kWait;
  // xfs_break_allocated: a non-blocking break under IOLOCK|MMAPLOCK; while a
  // lease remains, drop both, block until none is listed, re-lock, retry.
  // The free below holds both locks, so no new lease (setlease takes the
  // MMAPLOCK) and no fault can slip in.
  for (; lease_wait;) {
    sync::step_boundary("DaxBreakLeases");
    TakeTruncLocks(tid, f, "DaxBreakLeases");  // re-entrant on a retry
    if (TruncNotShrinking(f, size, &ret)) return ret;
    if (!BreakAllocatedLeases(tid, f, "DaxBreakLeases")) break;
    in.mmaplock.unlock(sb_.wq);
    in.rwsem.unlock(sb_.wq);
    sync::step_boundary("DaxWaitLeases");
    sb_.wq.wait(
        [&] {
          return !LeaseListed(f) && in.rwsem.free_for(tid) &&
                 in.mmaplock.free_for(tid);
        },
        "DaxWaitLeases");
    TakeTruncLocks(tid, f, "DaxWaitLeases");
  }
  for (; !lease_wait;) {
    sync::step_boundary("DaxScanUnmap");
    TakeTruncLocks(tid, f, "DaxScanUnmap");
    ZapPtlLock(tid, "DaxScanUnmap");
    if (TruncNotShrinking(f, size, &ret)) {
      ZapPtlUnlock();
      return ret;
    }
    bool skip_scan = false;
    if (pol.dax_scan_order == DaxScanOrder::kUnmapThenScan) {
      // busy_scan_skips_unmapped: the old mapping_mapped() shortcut.
      if (pol.busy_scan_skips_unmapped && !FileMapped(f)) {
        skip_scan = true;
      } else {
        UnmapRange(f, size);
      }
    }
    ZapPtlUnlock();
    if (skip_scan) break;
    sync::step_boundary("DaxScan");
    int busy = kNoObj;
    for (int x = size; x < cfg_.pages && busy == kNoObj; ++x) {
      const int p = in.map[x].load(kAcquire);
      if (p >= 0 && p < cfg_.phys_pages() && DaxKernelBusy(pg_[p])) busy = p;
    }
    if (busy == kNoObj) break;
    if (pol.dax_truncate == DaxTruncatePolicy::kEbusy) return kEBUSY;
    if (faults_.truncate_skips_wait) break;  // planted bug (tests)
    if (pol.dax_truncate == DaxTruncatePolicy::kSequester) {
      // Re-home every busy block to lost+found, leaving a hole.
      for (int x = size; x < cfg_.pages; ++x) {
        const int p = in.map[x].load(kAcquire);
        if (p < 0 || p >= cfg_.phys_pages() || !DaxKernelBusy(pg_[p])) continue;
        pg_[p].mapping.store(kLostFoundOwner, kRelease);
        in.map[x].store(kNoObj, kRelease);
      }
      break;
    }
    // WAIT: sleep with the fault lock dropped (xfs_wait_dax_page), then
    // re-take it and rescan from the unmap. Maintains I-DAX-1 (a block is
    // freed only when idle) and with it I-DAX-2.
    in.mmaplock.unlock(sb_.wq);
    sync::step_boundary("DaxWaitIdle");
    const Page& pg = pg_[busy];
    const int idle = DaxIdleRef();
    sb_.wq.wait([&] { return pg.refcount.load(kAcquire) == idle; },
                "DaxWaitIdle");
    in.mmaplock.lock(tid, sb_.wq, "DaxWaitIdle");
  }
  sync::step_boundary("DaxTruncFree");
  ZapPtlLock(tid, "DaxTruncFree");
  if (!in.freed.get()) DaxTruncFree(f, size);
  ZapPtlUnlock();
  return 0;
}

}  // namespace lifecheck::impl
