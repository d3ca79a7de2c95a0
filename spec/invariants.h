// The "always" invariants, checked after every step (kernel-semantics §4).
// Event invariants are checked inside the steps where their event happens;
// docs/invariants.md lists both kinds. Generic over the value domain so the
// Z3 encoding checks exactly these predicates.
#ifndef LIFECHECK_SPEC_INVARIANTS_H_
#define LIFECHECK_SPEC_INVARIANTS_H_

#include "spec/steps_common.h"

namespace lifecheck {

// The always-invariants run over every object after every step, so every
// fuzz input covers all of their edges; coverage instrumentation there tells
// the fuzzer nothing and costs it most of its time per input (the engine
// processes each hit counter on every run; docs/performance.md). Their
// verdict is not affected.
#if defined(__clang__)
#define LC_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define LC_NO_COVERAGE
#endif

template <class D, size_t N>
typename D::Int SumOf(Machine<D>& m, const std::array<typename D::Int, N>& a) {
  typename D::Int s = m.lit(0);
  for (size_t i = 0; i < N; ++i) s = s + a[i];
  return s;
}
template <class D, size_t N>
typename D::Bool AnyNegative(Machine<D>& m,
                             const std::array<typename D::Int, N>& a) {
  typename D::Bool b = m.no();
  for (size_t i = 0; i < N; ++i) b = b || a[i] < 0;
  return b;
}

// I-DAX-1 as a state predicate: a free block is idle (no pin, no transient
// reference, no mapping). Freeing a busy block, or pinning a freed one
// through a stale PTE read, both land here.
template <class D>
LC_NO_COVERAGE void CheckFreeBlocksIdle(Machine<D>& m,
                                        const PinsPerPage<D>& pins) {
  if (!m.cfg.is_dax()) return;
  for (int p = 0; p < m.cfg.phys_pages(); ++p)
    m.violate(m.w.pg[p].st == kBlkFree && !PageIdleTruth(m, p, pins(p)),
              Inv::kDax1);
}

// I-DC-1 and I-DC-3 for every dentry.
template <class D>
LC_NO_COVERAGE void CheckDentryFlags(Machine<D>& m) {
  for (int i = 0; i < m.cfg.dentries(); ++i) {
    auto& d = m.w.d[i];
    m.violate(d.persistent && !(d.count >= 1 && d.h_persist == 1 && d.positive),
              Inv::kDc1);
    m.violate(!d.persistent && d.h_persist != 0, Inv::kDc1);
    m.violate(d.count == kDentryDead && (d.hashed || d.positive), Inv::kDc3);
  }
}

// I-PG-1: a dirty page, or a page under a writable or dirty PTE, carries the
// filesystem's metadata (seed 001).
template <class D>
LC_NO_COVERAGE void CheckDirtyHasMeta(Machine<D>& m) {
  if (m.cfg.is_dax()) return;
  for (int p = 0; p < m.cfg.phys_pages(); ++p) {
    auto& pg = m.w.pg[p];
    typename D::Bool pte_dirty = m.no();
    for (int e = 0; e < m.cfg.ptes; ++e) {
      auto& pte = m.w.pte[e];
      pte_dirty = pte_dirty ||
                  (pte.present && pte.page == p && (pte.writable || pte.dirty));
    }
    m.violate(pg.owner != kNone && (pg.dirty || pte_dirty) && !pg.fs_meta,
              Inv::kPg1);
  }
}

// I-REF-1: every counter equals its ghost holders, and no holder is negative
// (a put of a reference one does not hold).
template <class D>
LC_NO_COVERAGE void CheckRefConservation(Machine<D>& m,
                                         const PinsPerPage<D>& pins_on) {
  for (int i = 0; i < m.cfg.dentries(); ++i) {
    auto& d = m.w.d[i];
    auto holders =
        d.h_persist + d.h_pin + d.h_child + d.h_root + SumOf(m, d.h_thr);
    m.violate(
        d.count != kDentryDead && (d.count != holders || d.h_pin < 0 ||
                                   d.h_persist < 0 || AnyNegative(m, d.h_thr)),
        Inv::kRef1);
  }
  for (int i = 0; i < m.cfg.inodes(); ++i) {
    auto& in = m.w.ino[i];
    m.violate(!in.freed &&
                  (in.i_count != in.h_alias + in.h_vma + SumOf(m, in.h_thr) ||
                   in.h_alias < 0 || in.h_vma < 0 || AnyNegative(m, in.h_thr)),
              Inv::kRef1);
  }
  const bool maps = MapsTakeRef(m.cfg);
  for (int p = 0; p < m.cfg.phys_pages(); ++p) {
    auto& pg = m.w.pg[p];
    const auto pins = pins_on(p);
    auto expect = pg.g_base + pg.g_trans + (pins + pg.g_spec) * kGupPinBias;
    if (maps) expect = expect + pg.mapcount;
    m.violate(pg.refcount != expect || pg.g_trans < 0 || pg.mapcount < 0,
              Inv::kRef1);
    // I-GUP-1: folio_maybe_dma_pinned has no false negative.
    m.violate(pins > 0 && pg.refcount < kGupPinBias, Inv::kGup1);
  }
  for (int i = 0; i < m.cfg.pins; ++i) {
    auto& l = m.w.lease[i];
    m.violate(l.allocated && !l.freed &&
                  (l.dl_count != l.h_list + l.h_reap + l.h_break ||
                   l.h_list < 0 || l.h_reap < 0 || l.h_break < 0),
              Inv::kRef1);
  }
  const bool guard = m.cfg.policy.event_file_guard == EventFileGuard::kOn;
  for (int e = 0; e < m.cfg.events; ++e) {
    auto& ev = m.w.ev[e];
    auto& d = m.w.d[m.cfg.event_dentry(e)];
    auto live_dentry = m.ite(d.positive && d.count != kDentryDead, 1, 0);
    m.violate(ev.kref != m.ite(ev.is_freed, 0, 1) + live_dentry, Inv::kRef1);
    if (guard)
      m.violate(
          !ev.ef_freed && ev.ef_ref != m.ite(ev.ef_fl_freed, 0, 1) + ev.h_opens,
          Inv::kRef1);
    // I-EV-2: an eventfs_inode is released only after free_ei.
    m.violate(ev.kref == 0 && !ev.is_freed, Inv::kEv2);
  }
}

// Order matters only for which ID a step that breaks several reports first:
// the specific protocol invariants come before the generic conservation law.
template <class D>
LC_NO_COVERAGE void CheckAlways(Machine<D>& m) {
  const PinsPerPage<D> pins(m);  // state does not change during the checks
  CheckFreeBlocksIdle(m, pins);
  CheckDentryFlags(m);
  CheckDirtyHasMeta(m);
  CheckRefConservation(m, pins);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_INVARIANTS_H_
