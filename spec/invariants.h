// The "always" invariants, checked after every step (kernel-semantics §4).
// Event invariants are checked inside the steps where their event happens;
// docs/invariants.md lists both kinds. Generic over the value domain so the
// Z3 encoding checks exactly these predicates.
#ifndef LIFECHECK_SPEC_INVARIANTS_H_
#define LIFECHECK_SPEC_INVARIANTS_H_

#include <bit>
#include <cstdint>

#include "config/no_coverage.h"
#include "spec/steps_common.h"

namespace lifecheck {

// The always-invariants run after every step, so every fuzz input covers all
// of their edges: LC_NO_COVERAGE (config/no_coverage.h).

// Which objects the checks visit. AllObjects: every one (CheckAlways, every
// engine; the same objects in the same order as a plain loop, so the Z3
// encoding is unchanged). TouchedObjects: after a concrete step whose world
// before it passed the checks, only the objects the step changed and those
// whose invariants read them. Every other object's invariants read
// unchanged fields, so they still hold; objects are visited in the full
// check's order, so the first violation recorded is the same
// (ExecStepTouched cross-checks this when assertions are on).
enum class Obj { kDentry, kInode, kPage, kLease, kEvent };

struct AllObjects {
  static constexpr uint32_t mask(Obj) { return ~uint32_t{0}; }
};

class TouchedObjects {
 public:
  // A page's invariants read the pins and PTEs that refer to it (pins per
  // page; I-PG-1's writable or dirty PTE): a touched pin or PTE selects the
  // page it refers to after the step, and Machine::Touch recorded the one
  // before. An event's kref counts its dentry: any touched dentry selects
  // every event.
  LC_NO_COVERAGE TouchedObjects(const World<Concrete>& w, const Touched& t)
      : t_(t) {
    pg_ = t.pg;
    for (int i = 0; i < kMaxPins; ++i)
      if ((t.pin >> i) & 1) Page(w.pin[i].page);
    for (int e = 0; e < kMaxPtes; ++e)
      if ((t.pte >> e) & 1) Page(w.pte[e].page);
    ev_ = t.d != 0 ? ~uint32_t{0} : t.ev;
  }
  LC_NO_COVERAGE uint32_t mask(Obj k) const {
    switch (k) {
      case Obj::kDentry:
        return t_.d;
      case Obj::kInode:
        return t_.ino;
      case Obj::kPage:
        return pg_;
      case Obj::kLease:
        return t_.lease;
      case Obj::kEvent:
        return ev_;
    }
    return 0;
  }

 private:
  LC_NO_COVERAGE void Page(int p) {
    if (p >= 0 && p < kMaxPages) pg_ |= uint32_t{1} << p;
  }
  const Touched& t_;
  uint32_t pg_ = 0;
  uint32_t ev_ = 0;
};

// The objects i < n of kind k that `sel` selects, in increasing order:
//   for (int p : Selected(sel, Obj::kPage, n)) ...
// A range, not a callback, so the loop bodies stay inside the LC_NO_COVERAGE
// checks.
class SelectedObjs {
 public:
  struct It {
    uint32_t b;
    LC_NO_COVERAGE int operator*() const { return std::countr_zero(b); }
    LC_NO_COVERAGE It& operator++() {
      b &= b - 1;
      return *this;
    }
    LC_NO_COVERAGE bool operator!=(const It& o) const { return b != o.b; }
  };
  LC_NO_COVERAGE explicit SelectedObjs(uint32_t b) : b_(b) {}
  LC_NO_COVERAGE It begin() const { return {b_}; }
  LC_NO_COVERAGE It end() const { return {0}; }

 private:
  uint32_t b_;
};
template <class Sel>
LC_NO_COVERAGE SelectedObjs Selected(const Sel& sel, Obj k, int n) {
  return SelectedObjs(sel.mask(k) &
                      static_cast<uint32_t>((uint64_t{1} << n) - 1));
}

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
template <class D, class Sel = AllObjects>
LC_NO_COVERAGE void CheckFreeBlocksIdle(Machine<D>& m,
                                        const PinsPerPage<D>& pins,
                                        const Sel& sel = {}) {
  if (!m.cfg.is_dax()) return;
  for (int p : Selected(sel, Obj::kPage, m.cfg.phys_pages())) {
    m.violate(m.w.pg[p].st == kBlkFree && !PageIdleTruth(m, p, pins(p)),
              Inv::kDax1);
  }
}

// I-DC-1 and I-DC-3 for every dentry.
template <class D, class Sel = AllObjects>
LC_NO_COVERAGE void CheckDentryFlags(Machine<D>& m, const Sel& sel = {}) {
  for (int i : Selected(sel, Obj::kDentry, m.cfg.dentries())) {
    auto& d = m.w.d[i];
    m.violate(d.persistent && !(d.count >= 1 && d.h_persist == 1 && d.positive),
              Inv::kDc1);
    m.violate(!d.persistent && d.h_persist != 0, Inv::kDc1);
    m.violate(d.count == kDentryDead && (d.hashed || d.positive), Inv::kDc3);
  }
}

// I-PG-1: a dirty page, or a page under a writable or dirty PTE, carries the
// filesystem's metadata (seed 001).
template <class D, class Sel = AllObjects>
LC_NO_COVERAGE void CheckDirtyHasMeta(Machine<D>& m, const Sel& sel = {}) {
  if (m.cfg.is_dax()) return;
  for (int p : Selected(sel, Obj::kPage, m.cfg.phys_pages())) {
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
template <class D, class Sel = AllObjects>
LC_NO_COVERAGE void CheckRefConservation(Machine<D>& m,
                                         const PinsPerPage<D>& pins_on,
                                         const Sel& sel = {}) {
  for (int i : Selected(sel, Obj::kDentry, m.cfg.dentries())) {
    auto& d = m.w.d[i];
    auto holders =
        d.h_persist + d.h_pin + d.h_child + d.h_root + SumOf(m, d.h_thr);
    m.violate(
        d.count != kDentryDead && (d.count != holders || d.h_pin < 0 ||
                                   d.h_persist < 0 || AnyNegative(m, d.h_thr)),
        Inv::kRef1);
  }
  for (int i : Selected(sel, Obj::kInode, m.cfg.inodes())) {
    auto& in = m.w.ino[i];
    m.violate(!in.freed &&
                  (in.i_count != in.h_alias + in.h_vma + SumOf(m, in.h_thr) ||
                   in.h_alias < 0 || in.h_vma < 0 || AnyNegative(m, in.h_thr)),
              Inv::kRef1);
  }
  const bool maps = MapsTakeRef(m.cfg);
  for (int p : Selected(sel, Obj::kPage, m.cfg.phys_pages())) {
    auto& pg = m.w.pg[p];
    const auto pins = pins_on(p);
    auto expect = pg.g_base + pg.g_trans + (pins + pg.g_spec) * kGupPinBias;
    if (maps) expect = expect + pg.mapcount;
    m.violate(pg.refcount != expect || pg.g_trans < 0 || pg.mapcount < 0,
              Inv::kRef1);
    // I-GUP-1: folio_maybe_dma_pinned has no false negative.
    m.violate(pins > 0 && pg.refcount < kGupPinBias, Inv::kGup1);
  }
  for (int i : Selected(sel, Obj::kLease, m.cfg.pins)) {
    auto& l = m.w.lease[i];
    m.violate(l.allocated && !l.freed &&
                  (l.dl_count != l.h_list + l.h_reap + l.h_break ||
                   l.h_list < 0 || l.h_reap < 0 || l.h_break < 0),
              Inv::kRef1);
  }
  const bool guard = m.cfg.policy.event_file_guard == EventFileGuard::kOn;
  for (int e : Selected(sel, Obj::kEvent, m.cfg.events)) {
    auto& ev = m.w.ev[e];
    auto& d = m.w.d[m.cfg.event_dentry(e)];
    auto live_dentry = m.ite(d.positive && d.count != kDentryDead, 1, 0);
    m.violate(ev.kref != m.ite(ev.is_freed, 0, 1) + live_dentry, Inv::kRef1);
    if (guard)
      m.violate(!ev.ef_freed && ev.ef_ref != m.ite(ev.ef_fl_freed, 0, 1) +
                                                 ev.h_opens + ev.h_ei,
                Inv::kRef1);
    // I-EV-2: an eventfs_inode is released only after free_ei.
    m.violate(ev.kref == 0 && !ev.is_freed, Inv::kEv2);
  }
}

// Order matters only for which ID a step that breaks several reports first:
// the specific protocol invariants come before the generic conservation law.
template <class D, class Sel = AllObjects>
LC_NO_COVERAGE void CheckAlways(Machine<D>& m, const Sel& sel = {}) {
  const PinsPerPage<D> pins(m);  // state does not change during the checks
  CheckFreeBlocksIdle(m, pins, sel);
  CheckDentryFlags(m, sel);
  CheckDirtyHasMeta(m, sel);
  CheckRefConservation(m, pins, sel);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_INVARIANTS_H_
