// The FL_ALLOCATED lease of seed 003 (spec/lease_steps.h): dl_count with its
// named holders (ghost A = on the list, B = gup/reap, C = break_work), the
// PAGES/BREAK state bits, and the breaker's wait.
#include "impl/kernel.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

// A put of dl_count: at 0, fput(dl_file) + kfree(dl) (ghost freed; freed
// exactly once, I-LS-1). acq_rel:
// every holder's accesses happen before the free. Wakes break waiters.
void Kernel::LeasePut(Lease& l, sync::Ghost<int16_t>& holder) {
  const int32_t now = l.dl_count.fetch_sub(1, kAcqRel, "lease.put") - 1;
  holder.add(-1);
  if (now == 0) l.freed.set(true);
  sb_.wq.wake_all("lease.put");
}

// dax_lease_lm_change: drops A.
void Kernel::LmChange(Lease& l) { LeasePut(l, l.h_list); }

int Kernel::lease_reap(int /*tid*/, int pi) {
  sync::step_boundary("ReapPut");
  Lease& l = lease_[pi];
  // The pending reap_work item is the B holder (ghost doubles as the
  // workqueue's pending bit).
  if (!l.allocated.get() || l.h_reap.get() <= 0) return kEINVAL;
  LeasePut(l, l.h_reap);
  return 0;
}

int Kernel::lease_unlock(int tid, int pi) {
  Lease& l = lease_[pi];
  if (cfg_.policy.lease_break_refs == LeaseBreakRefs::kPutBeforeUnlink) {
    // The R-003d mutation: drop A outside flc_lock, unlink afterwards.
    sync::step_boundary("LeaseUnlockPut");
    if (!l.on_list.load(kAcquire)) return kEAGAIN;
    LmChange(l);
    sync::step_boundary("LeaseUnlockUnlink");
    sb_.flc_lock.lock(tid, "LeaseUnlockUnlink");
    l.on_list.store(false, kRelease);
    sb_.flc_lock.unlock();
    sb_.wq.wake_all("lease.unlink");
    return 0;
  }
  sync::step_boundary("LeaseUnlockAtomic");
  sb_.flc_lock.lock(tid, "LeaseUnlockAtomic");
  if (!l.on_list.load(kRelaxed)) {
    sb_.flc_lock.unlock();
    return kEAGAIN;  // a second F_UNLCK finds no lease: no lm_change (I-LS-2)
  }
  l.on_list.store(false, kRelease);
  LmChange(l);
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.unlink");
  return 0;
}

int Kernel::lease_break_work(int tid, int pi) {
  Lease& l = lease_[pi];
  const Pin& pin = pin_[pi];
  sync::step_boundary("BreakWorkWait");
  // U1/U2: DAX_LEASE_PAGES and the pinned page idle (polled every HZ in
  // the patch; a sleep here). A freed dl (ghost) ends the wait: UAF input.
  auto ready = [&] {
    const uint32_t st = l.state.load(kAcquire);
    if (!(st & kLeaseBreak) || l.freed.get()) return true;
    const int p = pin.page.load(kRelaxed);
    const bool idle = p < 0 || p >= cfg_.phys_pages() || !DaxKernelBusy(pg_[p]);
    return (st & kLeasePages) && idle;
  };
  sb_.wq.wait(ready, "BreakWorkWait");
  if (!(l.state.load(kAcquire) & kLeaseBreak) || l.freed.get()) return kEINVAL;
  sync::step_boundary("BreakWorkUnlock");
  sb_.flc_lock.lock(tid, "BreakWorkUnlock");
  if (l.on_list.load(kRelaxed)) {
    l.on_list.store(false, kRelease);
    LmChange(l);
  }
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.unlink");
  sync::step_boundary("BreakWorkPut");
  LeasePut(l, l.h_break);
  return 0;
}

// __break_lease under flc_lock: lm_break on every FL_ALLOCATED lease of the
// file; the first break takes C (an atomic_inc that must not see 0,
// I-REF-2: the list reference A keeps dl_count > 0 while listed).
void Kernel::BreakAllocatedLeases(int tid, int f) {
  sb_.flc_lock.lock(tid, "DaxBreakLeases");
  for (int i = 0; i < cfg_.pins; ++i) {
    Lease& l = lease_[i];
    if (!l.on_list.load(kRelaxed) || l.file.load(kRelaxed) != f ||
        (l.state.load(kAcquire) & kLeaseBreak))
      continue;
    l.state.fetch_or(kLeaseBreak, kAcqRel);
    l.dl_count.fetch_add(1, kRelaxed);
    l.h_break.add(1);
  }
  sb_.flc_lock.unlock();
  sb_.wq.wake_all("lease.break");
}

// The breaker sleeps until no lease of the file is listed (break_time 0):
// afterwards no conflicting lease remains (I-LS-3).
void Kernel::WaitLeases(int f, const char* step) {
  sb_.wq.wait(
      [&] {
        for (int i = 0; i < cfg_.pins; ++i)
          if (lease_[i].on_list.load(kAcquire) &&
              lease_[i].file.load(kRelaxed) == f)
            return false;
        return true;
      },
      step);
}

int Kernel::break_layout(int tid, int f) {
  sync::step_boundary("DaxBreakLeases");
  BreakAllocatedLeases(tid, f);
  sync::step_boundary("DaxWaitLeases");
  WaitLeases(f, "DaxWaitLeases");
  return 0;
}

}  // namespace lifecheck::impl
