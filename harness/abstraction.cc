#include "harness/abstraction.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "config/no_coverage.h"
#include "impl/objects.h"

namespace lifecheck {
namespace {

using impl::sync::kRelaxed;

// The impl's warning slots are the spec's Warn, in order.
#define LC_WARN_SAME(e, code, text)                                     \
  static_assert(                                                        \
      static_cast<int>(impl::WarnSlot::e) == static_cast<int>(Warn::e), \
      "impl::WarnSlot::" #e " must match spec Warn::" #e);
LC_WARNINGS(LC_WARN_SAME)
#undef LC_WARN_SAME
static_assert(static_cast<int>(impl::WarnSlot::kCount) ==
              static_cast<int>(Warn::kCount));
static_assert(impl::kNumWarnings == kNumWarnSlots);
static_assert(impl::kGupPinBias == kGupPinBias);
static_assert(impl::kDentryDeadCount == kDentryDead);
static_assert(impl::kLostFoundOwner == kLostFound);

template <class T>
int16_t I(T v) {
  return static_cast<int16_t>(v);
}

LC_NO_COVERAGE void AbstractDentries(const impl::Kernel& k, CWorld& w, int n) {
  for (int i = 0; i < n; ++i) {
    const impl::Dentry& d = k.dentries()[i];
    auto& o = w.d[i];
    const uint32_t f = d.flags.load(kRelaxed);
    o.count = I(impl::LockrefCount(d.lockref.load(kRelaxed)));
    o.persistent = f & impl::kDcachePersistent;
    o.hashed = f & impl::kDcacheHashed;
    o.positive = f & impl::kDcachePositive;
    o.genocide = f & impl::kDcacheGenocide;
    o.freed = d.freed.get();
    o.h_persist = d.h_persist.get();
    o.h_pin = d.h_pin.get();
    o.h_child = d.h_child.get();
    o.h_root = d.h_root.get();
    for (int t = 0; t < kMaxThreads; ++t) o.h_thr[t] = d.h_thr[t].get();
  }
}

LC_NO_COVERAGE void AbstractInodes(const impl::Kernel& k, CWorld& w, int n) {
  for (int i = 0; i < n; ++i) {
    const impl::Inode& in = k.inodes()[i];
    auto& o = w.ino[i];
    const uint32_t st = in.i_state.load(kRelaxed);
    o.i_count = I(in.i_count.load(kRelaxed));
    o.i_nlink = I(in.i_nlink.load(kRelaxed));
    o.size = I(in.i_size.load(kRelaxed));
    o.freeing = st & impl::kIFreeing;
    o.on_lru = st & impl::kILru;
    o.rwsem = I(in.rwsem.owner());
    o.mmaplock = I(in.mmaplock.owner());
    o.freed = in.freed.get();
    o.h_alias = in.h_alias.get();
    o.h_vma = in.h_vma.get();
    for (int t = 0; t < kMaxThreads; ++t) o.h_thr[t] = in.h_thr[t].get();
    for (int x = 0; x < kMaxIdx; ++x) o.map[x] = in.map[x].load(kRelaxed);
  }
}

LC_NO_COVERAGE void AbstractPages(const impl::Kernel& k, CWorld& w, int n) {
  const int phys = k.config().phys_pages();
  for (int p = 0; p < n; ++p) {
    const impl::Page& pg = k.pages()[p];
    auto& o = w.pg[p];
    const uint32_t f = pg.flags.load(kRelaxed);
    const int owner = pg.mapping.load(kRelaxed);
    // st: on the allocator's free list, re-homed to lost+found, or owned
    // (a page-cache orphan is owned with no mapping until its last put).
    o.st = I(p >= phys || k.page_free(p)      ? kBlkFree
             : owner == impl::kLostFoundOwner ? kBlkSequestered
                                              : kBlkOwned);
    o.owner = I(owner);
    o.index = pg.index.load(kRelaxed);
    o.gen = pg.gen.get();
    o.refcount = I(pg.refcount.load(kRelaxed));
    o.mapcount = I(pg.mapcount.load(kRelaxed));
    o.locked = f & impl::kPgLocked;  // PG_waiters is not spec state
    o.lock_owner = pg.lock_owner.get();
    o.dirty = f & impl::kPgDirty;
    o.writeback = f & impl::kPgWriteback;
    o.fs_meta = f & impl::kPgPrivate;
    o.g_base = pg.g_base.get();
    o.g_trans = pg.g_trans.get();
    o.g_spec = pg.g_spec.get();
  }
}

LC_NO_COVERAGE void AbstractMm(const impl::Kernel& k, CWorld& w, int nptes,
                               int npins) {
  for (int e = 0; e < nptes; ++e) {
    const impl::Pte& pte = k.ptes()[e];
    auto& o = w.pte[e];
    const uint32_t word = pte.word.load(kRelaxed);
    o.present = word & impl::kPtePresent;
    o.page = I(impl::PtePage(word));
    o.writable = word & impl::kPteWrite;
    o.dirty = word & impl::kPteDirty;
    o.file = pte.vma_file.load(kRelaxed);
    o.index = pte.vma_index.load(kRelaxed);
  }
  for (int i = 0; i < npins; ++i) {
    const impl::Pin& pin = k.pins()[i];
    auto& o = w.pin[i];
    o.held = pin.held.load(kRelaxed);
    o.page = pin.page.load(kRelaxed);
    o.longterm = pin.longterm.load(kRelaxed);
    o.file = pin.file.get();
    o.index = pin.index.get();
    o.gen = pin.gen.get();
  }
  for (int i = 0; i < npins; ++i) {
    const impl::Lease& l = k.leases()[i];
    auto& o = w.lease[i];
    const uint32_t st = l.state.load(kRelaxed);
    o.on_list = l.on_list.load(kRelaxed);
    o.dl_count = I(l.dl_count.load(kRelaxed));
    o.pages_set = st & impl::kLeasePages;
    o.breaking = st & impl::kLeaseBreak;
    o.allocated = l.allocated.get();
    o.freed = l.freed.get();
    o.file = l.file.load(kRelaxed);
    o.h_list = l.h_list.get();
    o.h_reap = l.h_reap.get();
    o.h_break = l.h_break.get();
  }
}

LC_NO_COVERAGE void AbstractEvents(const impl::Kernel& k, CWorld& w, int n) {
  for (int e = 0; e < n; ++e) {
    const impl::Event& ev = k.events()[e];
    auto& o = w.ev[e];
    o.kref = I(ev.kref.load(kRelaxed));
    o.is_freed = ev.is_freed.load(kRelaxed);
    o.removed = ev.removed.get();
    o.ef_ref = I(ev.ef_ref.load(kRelaxed));
    o.ef_fl_freed = ev.ef_flags.load(kRelaxed) & impl::kEventFileFreed;
    o.ef_freed = ev.ef_freed.get();
    o.h_opens = ev.h_opens.get();
  }
}

LC_NO_COVERAGE void AbstractGlobals(const impl::Kernel& k, CWorld& w) {
  const impl::Super& sb = k.super();
  const uint32_t s = sb.s_flags.load(kRelaxed);
  w.sb_active = s & impl::kSbActive;
  w.sb_dying = s & impl::kSbDying;
  w.ptl_owner = I(sb.ptl.owner());
  w.violation = 0;  // spec-only
  for (int i = 0; i < kNumWarnSlots; ++i) w.warned[i] = sb.warned[i].get();
}

}  // namespace

LC_NO_COVERAGE void AbstractInto(const impl::Kernel& k, CWorld* out) {
  CWorld& w = *out;
  AbstractDentries(k, w, kMaxDentries);
  AbstractInodes(k, w, kMaxInodes);
  AbstractPages(k, w, kMaxPages);
  AbstractMm(k, w, kMaxPtes, kMaxPins);
  AbstractEvents(k, w, kMaxEvents);
  for (auto& th : w.th) th = {};  // thread-local: no impl counterpart
  AbstractGlobals(k, w);
}

LC_NO_COVERAGE void AbstractUsedInto(const impl::Kernel& k, CWorld* out) {
  const Config& c = k.config();
  CWorld& w = *out;
  AbstractDentries(k, w, c.dentries());
  AbstractInodes(k, w, c.inodes());
  AbstractPages(k, w, c.phys_pages());
  AbstractMm(k, w, c.ptes, c.pins);
  AbstractEvents(k, w, c.events);
  AbstractGlobals(k, w);
}

// The scheduler's copy of this file (harness/sched/, against the hooked
// impl) defines only the functions that take a Kernel: the rest exist once.
#ifndef LIFECHECK_ABSTRACTION_KERNEL_ONLY
namespace {

// memcmp(a, b, n) == 0 without a call: a branch-free loop the compiler
// vectorises (a fuzzer build routes memcmp through libFuzzer's interceptor).
LC_NO_COVERAGE bool SameBytes(const void* a, const void* b, size_t n) {
  const auto* p = static_cast<const unsigned char*>(a);
  const auto* q = static_cast<const unsigned char*>(b);
  uint64_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, p + i, 8);
    std::memcpy(&y, q + i, 8);
    diff |= x ^ y;
  }
  for (; i < n; ++i) diff |= p[i] ^ q[i];
  return diff == 0;
}

// The first n objects of two arrays are equal. Fast path: equal bytes
// imply equal fields (every field is an int16_t or a bool holding 0 or 1),
// and at a call boundary the states almost always agree, so the bytes
// decide. Bytes can differ while fields agree only in padding, which the
// field-wise comparison then settles: the verdict never rests on padding.
template <class A>
LC_NO_COVERAGE bool PrefixEq(const A& a, const A& b, int n) {
  static_assert(std::is_trivially_copyable_v<typename A::value_type>);
  if (SameBytes(a.data(), b.data(), n * sizeof(a[0]))) return true;
  for (int i = 0; i < n; ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

}  // namespace

LC_NO_COVERAGE bool AbstractUsedEquals(const Config& c, const CWorld& a,
                                       const CWorld& s) {
  return PrefixEq(a.d, s.d, c.dentries()) &&
         PrefixEq(a.ino, s.ino, c.inodes()) &&
         PrefixEq(a.pg, s.pg, c.phys_pages()) &&
         PrefixEq(a.pte, s.pte, c.ptes) && PrefixEq(a.pin, s.pin, c.pins) &&
         PrefixEq(a.lease, s.lease, c.pins) && PrefixEq(a.ev, s.ev, c.events) &&
         a.sb_active == s.sb_active && a.sb_dying == s.sb_dying &&
         a.ptl_owner == s.ptl_owner && a.warned == s.warned;
}

#endif  // LIFECHECK_ABSTRACTION_KERNEL_ONLY

CWorld Abstract(const impl::Kernel& k) {
  CWorld w{};
  AbstractInto(k, &w);
  return w;
}

#ifndef LIFECHECK_ABSTRACTION_KERNEL_ONLY
CWorld SpecWorldAtBoundary(const CWorld& w) {
  CWorld out = w;
  for (auto& th : out.th) th = {};
  out.violation = 0;
  return out;
}

LC_NO_COVERAGE bool AbstractEquals(const CWorld& a, const CWorld& s) {
  return a.d == s.d && a.ino == s.ino && a.pg == s.pg && a.pte == s.pte &&
         a.pin == s.pin && a.lease == s.lease && a.ev == s.ev &&
         a.sb_active == s.sb_active && a.sb_dying == s.sb_dying &&
         a.ptl_owner == s.ptl_owner && a.warned == s.warned;
}

#endif  // LIFECHECK_ABSTRACTION_KERNEL_ONLY

}  // namespace lifecheck
