// The FL_ALLOCATED lease of seed 003 as posted (v3 12/13 "dax: handle
// truncate of dma-busy pages", 13/13 "xfs: wire up FL_ALLOCATED support";
// never merged). kernel-semantics §3.6.5, R-003d.
//
// GUP takes the lease (A1, __dax_truncate_lease) and, once its pages are
// recorded (A3, dax_lease_set_pages), queues reap_work. reap_work breaks the
// inode's leases and waits for them to go (xfs_vm_dax_flush_dma) before it
// drops its reference; lm_break takes a reference and queues break_work,
// which polls until the pages are idle and then unlocks the lease (its
// owner is the dax_lease itself: nothing else unlocks it, except a GUP that
// fails after A1). Truncate (xfs_break_allocated) breaks and waits with its
// locks dropped, and frees only once a break under XFS_MMAPLOCK_EXCL finds
// no lease; setlease runs under that lock too (xfs_file_setlease).
//
// dl_count's references are named holders: A = on the lease list (dropped
// by lm_change at unlock), B = the gup/reap owner, C = break_work in
// flight. Lease slot i belongs to pin slot i. The two works are kworker
// threads (`reap`, `break_work`) whose first step waits, idle, until the
// work is queued (IsIdleWaitStep).
#ifndef LIFECHECK_SPEC_LEASE_STEPS_H_
#define LIFECHECK_SPEC_LEASE_STEPS_H_

#include "spec/dax_steps.h"

namespace lifecheck {

// FL_ALLOCATED lease operations that take XFS_MMAPLOCK_EXCL around them
// (13/13: xfs_file_setlease, xfs_vm_dax_flush_dma) wait for a truncate that
// holds it; with lease_fs_lock=none (12/13 alone, a filesystem without the
// wiring) they run bare.
template <class D>
typename D::Bool LeaseFsLockFree(Machine<D>& m, typename D::Int f) {
  if (m.cfg.policy.lease_fs_lock == LeaseFsLock::kNone) return m.yes();
  return FaultLockFree(m, f);
}

// lm_break on every listed, not yet broken FL_ALLOCATED lease of file f
// (__break_lease under flc_lock): takes C and queues break_work. The
// atomic_inc must not see 0 (Layton: "what prevents you from doing a 0->1
// transition on the dl_count here?"). Returns whether a lease of f is
// listed afterwards (lm_break returns false: nothing is deleted now).
template <class D>
typename D::Bool BreakAllocated(Machine<D>& m, typename D::Int f) {
  typename D::Bool listed = m.no();
  for (int i = 0; i < m.cfg.pins; ++i) {
    auto& l = m.w.lease[i];
    auto mine = l.on_list && l.file == f;
    m.when(mine && !l.breaking, [&] {
      m.violate(l.dl_count <= 0 || l.freed, Inv::kRef2);
      m.set(l.breaking, true);
      m.add(l.dl_count, 1);
      m.add(l.h_break, 1);
      m.set(l.work_queued, true);
    });
    listed = listed || mine;
  }
  return listed;
}

// Is a lease of file f still on the list (a blocking breaker's wait)?
template <class D>
typename D::Bool LeaseListed(Machine<D>& m, typename D::Int f) {
  typename D::Bool listed = m.no();
  for (int i = 0; i < m.cfg.pins; ++i)
    listed = listed || (m.w.lease[i].on_list && m.w.lease[i].file == f);
  return listed;
}

// A1 (__dax_truncate_lease, once the VMA is found): allocate dl with
// dl_count = 2 {A, B} ("need dl alive until dax_lease_set_pages() and final
// put") and vfs_setlease(F_RDLCK) it onto the inode's list, under
// XFS_MMAPLOCK_EXCL (xfs_file_setlease).
template <class D>
void PinLeaseSetup(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  auto& pin = m.w.pin[m.arg(0)];
  auto& pte = m.w.pte[m.arg(1)];
  if (m.insn.op == Op::kPinLongterm &&
      m.cfg.policy.longterm_pin == LongtermPinOnFsdax::kReject) {
    m.ret(kEOPNOTSUPP);  // check_vma_flags runs before any lease exists
    return;
  }
  if (!m.await(LeaseFsLockFree(m, pte.file))) return;
  m.when(
      pin.held || (l.allocated && !l.freed) || pte.file == kNone,
      [&] { m.ret(m.ite(pte.file == kNone, kEFAULT, kEBUSY)); },
      [&] {
        m.set(l.allocated, true);
        m.set(l.freed, false);
        m.set(l.on_list, true);
        m.set(l.dl_count, 2);
        m.set(l.h_list, 1);
        m.set(l.h_reap, 1);
        m.set(l.h_break, 0);
        m.set(l.pages_set, false);
        m.set(l.breaking, false);
        m.set(l.reap_queued, false);
        m.set(l.work_queued, false);
        m.set(l.file, pte.file);
      });
}

// A3 (dax_lease_set_pages, result > 0): record the pages, set
// DAX_LEASE_PAGES and queue reap_work.
template <class D>
void PinLeasePages(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  m.set(l.pages_set, true);
  m.set(l.reap_queued, true);
  m.ret(1);
}

// A3 with result <= 0, after the F_UNLCK (PinLockPtl): the mutation's late
// unlink ...
template <class D>
void PinLeaseUnlink(Machine<D>& m) {
  LeaseUnlinkLate(m, m.w.lease[m.arg(0)]);
}

// ... flush_delayed_work(&dl->dl_break_work) (a break may have queued it),
// then put_dax_lease: drops B. The GUP fails.
template <class D>
void PinLeaseFail(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  if (!m.await(!l.work_queued)) return;
  LeasePut(m, l, l.h_reap);
  m.ret(kEFAULT);
}

// reap_work (dax_lease_reap_all), a kworker: idle until A3 queued it.
template <class D>
void ReapQueued(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  if (!m.await(l.reap_queued)) return;
}

// R1, a_ops->dax_flush_dma = xfs_vm_dax_flush_dma: under XFS_MMAPLOCK_EXCL a
// non-blocking break_allocated; if leases remain, xfs_break_allocated drops
// the lock and blocks (ReapWait), then retries.
template <class D>
void ReapBreak(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  if (!m.await(LeaseFsLockFree(m, l.file))) return;
  auto listed = BreakAllocated(m, l.file);
  m.when(!listed, [&] { m.go(Step::kReapPut); });
}

// break_allocated(inode, true): sleeps until no lease of the file is listed
// (break_time 0: only an unlock ends it).
template <class D>
void ReapWait(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  if (!m.await(!LeaseListed(m, l.file))) return;
  m.go(Step::kReapBreak);
}

// R2: put_dax_lease drops B; the work is done.
template <class D>
void ReapPut(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  LeasePut(m, l, l.h_reap);
  m.set(l.reap_queued, false);
  m.ret(0);
}

// break_work (dax_lease_unlock_one), a kworker: idle until lm_break queued
// it.
template <class D>
void BreakWorkQueued(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  if (!m.await(l.work_queued)) return;
}

// U1/U2: re-armed every HZ until DAX_LEASE_PAGES is set and every recorded
// page was seen idle once ("page_ref_count(dl_pages[i]) > 1": reschedule).
// A GUP that failed recorded no pages.
template <class D>
void BreakWorkWait(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  auto& pin = m.w.pin[m.arg(0)];
  auto idle = m.read(
      m.w.pg, pin.page, m.cfg.phys_pages(),
      [&](const auto& pg) { return !DaxKernelBusy(m, pg); }, m.yes());
  if (!m.await(l.pages_set && (idle || !pin.held))) return;
  m.violate(!l.pages_set, Inv::kLs5);
}

// U3: vfs_setlease(dl_file, F_UNLCK, &dl) ...
template <class D>
void BreakWorkUnlock(Machine<D>& m) {
  LeaseUnlock(m, m.w.lease[m.arg(0)]);
}

// ... (the mutation's late unlink) ...
template <class D>
void BreakWorkUnlink(Machine<D>& m) {
  LeaseUnlinkLate(m, m.w.lease[m.arg(0)]);
}

// U4: put_dax_lease drops C; the work is done.
template <class D>
void BreakWorkPut(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  LeasePut(m, l, l.h_break);
  m.set(l.work_queued, false);
  m.ret(0);
}

// The lease truncate's first step and its retry (xfs_break_allocated with
// XFS_IOLOCK_EXCL|XFS_MMAPLOCK_EXCL): a non-blocking break; no lease left
// -> free the range holding both locks; else drop them and block
// (DaxWaitLeases). break_lease (break_allocated(inode, true), no fs lock)
// breaks once and waits.
template <class D>
void DaxBreakLeases(Machine<D>& m) {
  const int f = m.arg(0);
  if (m.insn.op != Op::kTruncate) {
    BreakAllocated(m, m.lit(f));
    return;
  }
  if (!m.await(TruncLocksFree(m, f))) return;
  TakeTruncLocks(m, f);
  typename D::Bool shrinking = m.no();
  TruncNotShrinking(m, &shrinking);
  m.when(shrinking, [&] {
    auto listed = BreakAllocated(m, m.lit(f));
    m.when(
        listed,
        [&] {
          m.set(m.w.ino[f].rwsem, kNone);
          m.set(m.w.ino[f].mmaplock, kNone);
        },
        [&] { m.go(Step::kDaxTruncFree); });
  });
}

// The breaker sleeps until no lease of the file is listed (break_time == 0:
// only an unlock ends it); I-LS-3 is its postcondition. Truncate then
// re-takes its locks and breaks again (a GUP may have listed a new lease
// while the locks were dropped).
template <class D>
void DaxWaitLeases(Machine<D>& m) {
  const int f = m.arg(0);
  if (m.insn.op == Op::kBreakLease) {
    if (!m.await(!LeaseListed(m, m.lit(f)))) return;
    m.ret(0);
    return;
  }
  if (!m.await(!LeaseListed(m, m.lit(f)) && TruncLocksFree(m, f))) return;
  TakeTruncLocks(m, f);
  m.go(Step::kDaxBreakLeases);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_LEASE_STEPS_H_
