// The FL_ALLOCATED lease of seed 003 (v3, never merged): GUP takes a lease
// that truncate breaks and waits for; break_work unlocks it once the pinned
// pages were seen idle. kernel-semantics §3.6.5, R-003d.
//
// dl_count's references are named holders: A = on the lease list (dropped by
// lm_change at unlock), B = the gup/reap owner, C = break_work in flight.
// Lease slot i belongs to pin slot i.
#ifndef LIFECHECK_SPEC_LEASE_STEPS_H_
#define LIFECHECK_SPEC_LEASE_STEPS_H_

#include "spec/dax_steps.h"

namespace lifecheck {

// A1 (__dax_truncate_lease): allocate dl with dl_count = 2 {A, B} and put
// the F_RDLCK FL_ALLOCATED lease on the inode's list.
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
  m.when(
      pin.held || (l.allocated && !l.freed) || !pte.present,
      [&] { m.ret(m.ite(pte.present, kEBUSY, kEFAULT)); },
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
        m.set(l.file, pte.file);
      });
}

// A3 (dax_lease_set_pages): record the pages, set DAX_LEASE_PAGES; reap_work
// is queued (the `reap` op).
template <class D>
void PinLeasePages(Machine<D>& m) {
  m.set(m.w.lease[m.arg(0)].pages_set, true);
  m.ret(1);
}

// reap_work R2: drop B.
template <class D>
void ReapPut(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  m.when(
      !l.allocated || l.h_reap <= 0, [&] { m.ret(kEINVAL); },
      [&] {
        LeasePut(m, l, l.h_reap);
        m.ret(0);
      });
}

// F_UNLCK, as posted: under flc_lock unlink, then lm_change drops A. A second
// unlock finds no lease: -EAGAIN without lm_change (I-LS-2).
template <class D>
void LeaseUnlockAtomic(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  m.when(
      !l.on_list, [&] { m.ret(kEAGAIN); },
      [&] {
        LeaseUnlink(m, l);
        LmChange(m, l);
        m.ret(0);
      });
}

// The "put before unlink" mutation of R-003d: drop A outside flc_lock while
// the lease is still on the list ...
template <class D>
void LeaseUnlockPut(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  m.when(
      !l.on_list, [&] { m.ret(kEAGAIN); }, [&] { LmChange(m, l); });
}

// ... and unlink it afterwards.
template <class D>
void LeaseUnlockUnlink(Machine<D>& m) {
  LeaseUnlink(m, m.w.lease[m.arg(0)]);
  m.ret(0);
}

// break_work U1/U2: wait for DAX_LEASE_PAGES and for the pinned page to be
// idle (polled every HZ in the patch; a disabled step here).
template <class D>
void BreakWorkWait(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  auto& pin = m.w.pin[m.arg(0)];
  auto idle = m.read(
      m.w.pg, pin.page, m.cfg.phys_pages(),
      [&](const auto& pg) { return !DaxKernelBusy(m, pg); }, m.yes());
  if (!m.await(!l.breaking || l.freed || (l.pages_set && idle))) return;
  m.when(
      !l.breaking || l.freed, [&] { m.ret(kEINVAL); },
      [&] { m.violate(!l.pages_set, Inv::kLs5); });
}

// U3: setlease(F_UNLCK) -> lm_change: unlink + drop A (if still listed).
template <class D>
void BreakWorkUnlock(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  m.when(l.on_list, [&] {
    LeaseUnlink(m, l);
    LmChange(m, l);
  });
}

// U4: drop C.
template <class D>
void BreakWorkPut(Machine<D>& m) {
  auto& l = m.w.lease[m.arg(0)];
  LeasePut(m, l, l.h_break);
  m.ret(0);
}

// __break_lease under flc_lock: lm_break on every FL_ALLOCATED lease of the
// file. The first break takes C: an atomic_inc that must not see 0 (Layton:
// "what prevents you from doing a 0->1 transition on the dl_count here?").
template <class D>
void DaxBreakLeases(Machine<D>& m) {
  const int f = m.arg(0);
  auto break_all = [&] {
    for (int i = 0; i < m.cfg.pins; ++i) {
      auto& l = m.w.lease[i];
      m.when(l.on_list && l.file == f && !l.breaking, [&] {
        m.violate(l.dl_count <= 0 || l.freed, Inv::kRef2);
        m.set(l.breaking, true);
        m.add(l.dl_count, 1);
        m.add(l.h_break, 1);
      });
    }
  };
  if (m.insn.op != Op::kTruncate) {
    break_all();
    return;
  }
  if (!m.await(TruncLocksFree(m, f))) return;
  TakeTruncLocks(m, f);
  typename D::Bool shrinking = m.no();
  TruncNotShrinking(m, &shrinking);
  m.when(shrinking, break_all);
}

// The breaker sleeps until no conflicting lease is left (break_time == 0:
// only the owner's unlock ends it). I-LS-3 is its postcondition.
template <class D>
void DaxWaitLeases(Machine<D>& m) {
  const int f = m.arg(0);
  typename D::Bool listed = m.no();
  for (int i = 0; i < m.cfg.pins; ++i)
    listed = listed || (m.w.lease[i].on_list && m.w.lease[i].file == f);
  if (!m.await(!listed)) return;
  if (m.insn.op == Op::kBreakLease) m.ret(0);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_LEASE_STEPS_H_
