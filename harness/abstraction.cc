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

// One object each: impl object -> spec object.
LC_NO_COVERAGE void AbstractDentry(const impl::Dentry& d, CWorld::Dentry& o) {
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

LC_NO_COVERAGE void AbstractInode(const impl::Inode& in, CWorld::Inode& o) {
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

LC_NO_COVERAGE void AbstractPage(const impl::Kernel& k, int p,
                                 CWorld::Page& o) {
  const impl::Page& pg = k.pages()[p];
  const uint32_t f = pg.flags.load(kRelaxed);
  const int owner = pg.mapping.load(kRelaxed);
  // st: on the allocator's free list, re-homed to lost+found, or owned
  // (a page-cache orphan is owned with no mapping until its last put).
  o.st = I(p >= k.config().phys_pages() || k.page_free(p) ? kBlkFree
           : owner == impl::kLostFoundOwner               ? kBlkSequestered
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

LC_NO_COVERAGE void AbstractPte(const impl::Pte& pte, CWorld::Pte& o) {
  const uint32_t word = pte.word.load(kRelaxed);
  o.present = word & impl::kPtePresent;
  o.page = I(impl::PtePage(word));
  o.writable = word & impl::kPteWrite;
  o.dirty = word & impl::kPteDirty;
  o.file = pte.vma_file.load(kRelaxed);
  o.index = pte.vma_index.load(kRelaxed);
}

LC_NO_COVERAGE void AbstractPin(const impl::Pin& pin, CWorld::Pin& o) {
  o.held = pin.held.load(kRelaxed);
  o.page = pin.page.load(kRelaxed);
  o.longterm = pin.longterm.load(kRelaxed);
  o.file = pin.file.get();
  o.index = pin.index.get();
  o.gen = pin.gen.get();
}

LC_NO_COVERAGE void AbstractLease(const impl::Lease& l, CWorld::Lease& o) {
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

LC_NO_COVERAGE void AbstractEvent(const impl::Event& ev, CWorld::Event& o) {
  o.kref = I(ev.kref.load(kRelaxed));
  o.is_freed = ev.is_freed.load(kRelaxed);
  o.removed = ev.removed.get();
  o.ef_ref = I(ev.ef_ref.load(kRelaxed));
  o.ef_fl_freed = ev.ef_flags.load(kRelaxed) & impl::kEventFileFreed;
  o.ef_freed = ev.ef_freed.get();
  o.h_opens = ev.h_opens.get();
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

// Every object of the first `n` of each kind (a Counts) into `w`.
struct Counts {
  int d, ino, pg, pte, pin, ev;
};

LC_NO_COVERAGE void AbstractPrefix(const impl::Kernel& k, const Counts& n,
                                   CWorld& w) {
  for (int i = 0; i < n.d; ++i) AbstractDentry(k.dentries()[i], w.d[i]);
  for (int i = 0; i < n.ino; ++i) AbstractInode(k.inodes()[i], w.ino[i]);
  for (int p = 0; p < n.pg; ++p) AbstractPage(k, p, w.pg[p]);
  for (int e = 0; e < n.pte; ++e) AbstractPte(k.ptes()[e], w.pte[e]);
  for (int i = 0; i < n.pin; ++i) AbstractPin(k.pins()[i], w.pin[i]);
  for (int i = 0; i < n.pin; ++i) AbstractLease(k.leases()[i], w.lease[i]);
  for (int e = 0; e < n.ev; ++e) AbstractEvent(k.events()[e], w.ev[e]);
  AbstractGlobals(k, w);
}

// Calls f(i) for every bit i of `mask`, lowest first.
template <class F>
LC_NO_COVERAGE void ForEachBit(uint32_t mask, F f) {
  for (; mask != 0; mask &= mask - 1) f(__builtin_ctz(mask));
}

// Bits 0..n-1.
LC_NO_COVERAGE uint32_t Prefix(int n) {
  return n >= 32 ? ~uint32_t{0} : (uint32_t{1} << n) - 1;
}

// Index of `a` in `arr`, or -1 if `a` is not inside it.
template <class Arr>
LC_NO_COVERAGE int IndexIn(uintptr_t a, const Arr& arr) {
  const auto b = reinterpret_cast<uintptr_t>(arr.data());
  if (a - b >= sizeof(arr)) return -1;
  return static_cast<int>((a - b) / sizeof(arr[0]));
}

template <class T>
LC_NO_COVERAGE bool Inside(uintptr_t a, const T& obj) {
  return a - reinterpret_cast<uintptr_t>(&obj) < sizeof(obj);
}

}  // namespace

LC_NO_COVERAGE void AbstractInto(const impl::Kernel& k, CWorld* out) {
  AbstractPrefix(k,
                 {kMaxDentries, kMaxInodes, kMaxPages, kMaxPtes, kMaxPins,
                  kMaxEvents},
                 *out);
  for (auto& th : out->th) th = {};  // thread-local: no impl counterpart
}

LC_NO_COVERAGE void AbstractUsedInto(const impl::Kernel& k, CWorld* out) {
  const Config& c = k.config();
  AbstractPrefix(k,
                 {c.dentries(), c.inodes(), c.phys_pages(), c.ptes, c.pins,
                  c.events},
                 *out);
}

LC_NO_COVERAGE bool ImplFootprint(const impl::Kernel& k,
                                  const impl::sync::WriteLog& log,
                                  Touched* out) {
  if (log.overflowed()) return false;
  Touched& o = *out;
  for (uint32_t j = 0; j < log.n; ++j) {
    const auto a = reinterpret_cast<uintptr_t>(log.addr[j]);
    int i;
    if ((i = IndexIn(a, k.dentries())) >= 0) {
      o.d |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.inodes())) >= 0) {
      o.ino |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.pages())) >= 0) {
      o.pg |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.ptes())) >= 0) {
      o.pte |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.pins())) >= 0) {
      o.pin |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.leases())) >= 0) {
      o.lease |= uint32_t{1} << i;
    } else if ((i = IndexIn(a, k.events())) >= 0) {
      o.ev |= uint32_t{1} << i;
    } else if (Inside(a, k.free_mask_word())) {
      o.pg = ~uint32_t{0};  // the allocator: any page's st may have changed
    } else if (!Inside(a, k.super())) {  // globals: always re-abstracted
      return false;  // a write the abstraction cannot place
    }
  }
  return true;
}

LC_NO_COVERAGE void AbstractTouchedInto(const impl::Kernel& k,
                                        const Touched& t, CWorld* out) {
  const Config& c = k.config();
  CWorld& w = *out;
  ForEachBit(t.d & Prefix(c.dentries()),
             [&](int i) { AbstractDentry(k.dentries()[i], w.d[i]); });
  ForEachBit(t.ino & Prefix(c.inodes()),
             [&](int i) { AbstractInode(k.inodes()[i], w.ino[i]); });
  ForEachBit(t.pg & Prefix(c.phys_pages()),
             [&](int p) { AbstractPage(k, p, w.pg[p]); });
  ForEachBit(t.pte & Prefix(c.ptes),
             [&](int e) { AbstractPte(k.ptes()[e], w.pte[e]); });
  ForEachBit(t.pin & Prefix(c.pins),
             [&](int i) { AbstractPin(k.pins()[i], w.pin[i]); });
  ForEachBit(t.lease & Prefix(c.pins),
             [&](int i) { AbstractLease(k.leases()[i], w.lease[i]); });
  ForEachBit(t.ev & Prefix(c.events),
             [&](int e) { AbstractEvent(k.events()[e], w.ev[e]); });
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

// Objects i of `mask` (bits below n) are equal in both arrays.
template <class A>
LC_NO_COVERAGE bool MaskedEq(const A& a, const A& b, uint32_t mask, int n) {
  bool eq = true;
  ForEachBit(mask & Prefix(n), [&](int i) {
    eq = eq && (SameBytes(&a[i], &b[i], sizeof(a[i])) || a[i] == b[i]);
  });
  return eq;
}

LC_NO_COVERAGE bool GlobalsEq(const CWorld& a, const CWorld& s) {
  return a.sb_active == s.sb_active && a.sb_dying == s.sb_dying &&
         a.ptl_owner == s.ptl_owner && a.warned == s.warned;
}

}  // namespace

LC_NO_COVERAGE bool AbstractTouchedEquals(const Config& c, const Touched& t,
                                          const CWorld& a, const CWorld& s) {
  return MaskedEq(a.d, s.d, t.d, c.dentries()) &&
         MaskedEq(a.ino, s.ino, t.ino, c.inodes()) &&
         MaskedEq(a.pg, s.pg, t.pg, c.phys_pages()) &&
         MaskedEq(a.pte, s.pte, t.pte, c.ptes) &&
         MaskedEq(a.pin, s.pin, t.pin, c.pins) &&
         MaskedEq(a.lease, s.lease, t.lease, c.pins) &&
         MaskedEq(a.ev, s.ev, t.ev, c.events) && GlobalsEq(a, s);
}

LC_NO_COVERAGE bool AbstractUsedEquals(const Config& c, const CWorld& a,
                                       const CWorld& s) {
  return PrefixEq(a.d, s.d, c.dentries()) &&
         PrefixEq(a.ino, s.ino, c.inodes()) &&
         PrefixEq(a.pg, s.pg, c.phys_pages()) &&
         PrefixEq(a.pte, s.pte, c.ptes) && PrefixEq(a.pin, s.pin, c.pins) &&
         PrefixEq(a.lease, s.lease, c.pins) && PrefixEq(a.ev, s.ev, c.events) &&
         GlobalsEq(a, s);
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
