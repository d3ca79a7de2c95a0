// The FL_ALLOCATED lease of seed 003 as posted (spec/lease_steps.h):
// dl_count with its named holders (ghost A = on the list, B = gup/reap,
// C = break_work), the PAGES/BREAK state bits and the two delayed works,
// run here by kworker threads (`reap`, `break_work`) that wait, idle, until
// their work is queued.
#include "impl/kernel.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

// A put of dl_count: at 0, fput(dl_file) + kfree(dl) (ghost freed; freed
// exactly once, I-LS-1). acq_rel: every holder's accesses happen before the
// free. Wakes break waiters.
void Kernel::LeasePut(Lease& l, sync::Ghost<int16_t>& holder) {
  const int32_t now = l.dl_count.fetch_sub(1, kAcqRel, "lease.put") - 1;
  holder.add(-1);
  if (now == 0) l.freed.set(true);
  sb_.wq.wake_all("lease.put");
}

// dax_lease_lm_change: drops A.
void Kernel::LmChange(Lease& l) { LeasePut(l, l.h_list); }

// 13/13 takes XFS_MMAPLOCK_EXCL around setlease and reap's break.
bool Kernel::LeaseFsLockNeeded() const {
  return cfg_.policy.lease_fs_lock == LeaseFsLock::kMmaplock;
}

// Takes `file`'s fault lock (XFS_MMAPLOCK_EXCL) around a lease operation,
// as 13/13 does; returns whether it did (the caller unlocks with
// LeaseFsUnlock). Without the wiring nothing is taken.
bool Kernel::LeaseFsLock(int tid, int file, const char* step) {
  if (!LeaseFsLockNeeded() || file < 0 || file >= cfg_.inodes()) return false;
  ino_[file].mmaplock.lock(tid, sb_.wq, step);
  return true;
}
void Kernel::LeaseFsUnlock(int file, bool locked) {
  if (locked) ino_[file].mmaplock.unlock(sb_.wq);
}

// __break_lease under flc_lock: lm_break on every listed, unbroken
// FL_ALLOCATED lease of file f takes C (an atomic_inc that must not see 0,
// I-REF-2: the list reference A keeps dl_count > 0 while listed) and queues
// break_work. Returns whether a lease of f is still listed.
bool Kernel::BreakAllocatedLeases(int tid, int f, const char* step) {
  bool listed = false;
  sb_.flc_lock.lock(tid, step);
  for (int i = 0; i < cfg_.pins; ++i) {
    Lease& l = lease_[i];
    if (!l.on_list.load(kRelaxed) || l.file.load(kRelaxed) != f) continue;
    listed = true;
    if (l.state.load(kAcquire) & kLeaseBreak) continue;
    l.dl_count.fetch_add(1, kRelaxed);
    l.h_break.add(1);
    l.state.fetch_or(kLeaseBreak | kLeaseWorkQueued, kAcqRel);
  }
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.break");  // break_work is queued
  return listed;
}

// Is a lease of f on the list (a blocking breaker's wait)?
bool Kernel::LeaseListed(int f) const {
  for (int i = 0; i < cfg_.pins; ++i)
    if (lease_[i].on_list.load(kAcquire) && lease_[i].file.load(kRelaxed) == f)
      return true;
  return false;
}

// setlease(F_UNLCK), first half: as posted, lease_modify unlinks and
// lm_change drops A in one flc_lock section; the R-003d mutation drops A
// outside flc_lock and unlinks later (LeaseUnlinkLate). A lease no longer
// listed: -EAGAIN, no lm_change (I-LS-2).
void Kernel::LeaseUnlock(int tid, Lease& l, const char* step) {
  if (cfg_.policy.lease_break_refs == LeaseBreakRefs::kPutBeforeUnlink) {
    if (l.on_list.load(kAcquire)) LmChange(l);
    return;
  }
  sb_.flc_lock.lock(tid, step);
  if (l.on_list.load(kRelaxed)) {
    l.on_list.store(false, kRelease);
    LmChange(l);
  }
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.unlink");
}

void Kernel::LeaseUnlinkLate(int tid, Lease& l, const char* step) {
  if (cfg_.policy.lease_break_refs != LeaseBreakRefs::kPutBeforeUnlink) return;
  sb_.flc_lock.lock(tid, step);
  l.on_list.store(false, kRelease);
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.unlink");
}

// reap_work (dax_lease_reap_all): R1 xfs_vm_dax_flush_dma (a non-blocking
// break under XFS_MMAPLOCK_EXCL; while leases remain, the lock dropped, a
// blocking wait), R2 put B.
int Kernel::lease_reap(int tid, int pi) {
  Lease& l = lease_[pi];
  sync::step_boundary("ReapQueued");
  if (!sb_.wq.wait_for_work(
          [&] { return (l.state.load(kAcquire) & kLeaseReapQueued) != 0; },
          "ReapQueued"))
    return 0;
  const int f = l.file.load(kRelaxed);
  for (;;) {
    sync::step_boundary("ReapBreak");
    const bool locked = LeaseFsLock(tid, f, "ReapBreak");
    const bool listed = BreakAllocatedLeases(tid, f, "ReapBreak");
    LeaseFsUnlock(f, locked);
    if (!listed) break;
    sync::step_boundary("ReapWait");
    sb_.wq.wait([&] { return !LeaseListed(f); }, "ReapWait");
  }
  sync::step_boundary("ReapPut");
  LeasePut(l, l.h_reap);
  l.state.fetch_and(~kLeaseReapQueued, kAcqRel);
  return 0;
}

// break_work (dax_lease_unlock_one): U1/U2 until DAX_LEASE_PAGES is set and
// the recorded page was seen idle once (polled every HZ in the patch; a
// sleep here), U3 setlease(F_UNLCK), U4 put C.
int Kernel::lease_break_work(int tid, int pi) {
  Lease& l = lease_[pi];
  const Pin& pin = pin_[pi];
  sync::step_boundary("BreakWorkQueued");
  if (!sb_.wq.wait_for_work(
          [&] { return (l.state.load(kAcquire) & kLeaseWorkQueued) != 0; },
          "BreakWorkQueued"))
    return 0;
  sync::step_boundary("BreakWorkWait");
  sb_.wq.wait(
      [&] {
        if (!(l.state.load(kAcquire) & kLeasePages)) return false;
        if (!pin.held.load(kAcquire)) return true;
        const int p = pin.page.load(kRelaxed);
        return p < 0 || p >= cfg_.phys_pages() || !DaxKernelBusy(pg_[p]);
      },
      "BreakWorkWait");
  sync::step_boundary("BreakWorkUnlock");
  LeaseUnlock(tid, l, "BreakWorkUnlock");
  sync::step_boundary("BreakWorkUnlink");
  LeaseUnlinkLate(tid, l, "BreakWorkUnlink");
  sync::step_boundary("BreakWorkPut");
  LeasePut(l, l.h_break);
  l.state.fetch_and(~kLeaseWorkQueued, kAcqRel);
  sb_.wq.wake_all("lease.work_done");  // flush_delayed_work waiters
  return 0;
}

// break_allocated(inode, wait=true): break once, wait until none listed.
int Kernel::break_layout(int tid, int f) {
  sync::step_boundary("DaxBreakLeases");
  BreakAllocatedLeases(tid, f, "DaxBreakLeases");
  sync::step_boundary("DaxWaitLeases");
  sb_.wq.wait([&] { return !LeaseListed(f); }, "DaxWaitLeases");
  return 0;
}

}  // namespace lifecheck::impl
