#include "harness/run/abstraction.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

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
  o.reap_queued = st & impl::kLeaseReapQueued;
  o.work_queued = st & impl::kLeaseWorkQueued;
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
  o.h_ei = ev.h_ei.get();
}

LC_NO_COVERAGE void AbstractGlobals(const impl::Kernel& k, CWorld& w) {
  const impl::Super& sb = k.super();
  const uint32_t s = sb.s_flags.load(kRelaxed);
  w.sb_active = s & impl::kSbActive;
  w.sb_dying = s & impl::kSbDying;
  w.mnt_count = I(sb.mnt_count.load(kRelaxed));
  w.rm_work = I(sb.rm_work.load(kRelaxed));
  w.work_cancelled = sb.work_cancelled.load(kRelaxed);
  w.ptl_owner = I(sb.ptl.owner());
  w.violation = 0;  // spec-only
  for (int i = 0; i < kNumWarnSlots; ++i) w.warned[i] = sb.warned[i].get();
}

// Calls f(i) for every bit i of `mask`, lowest first.
template <class F>
LC_NO_COVERAGE void ForEachBit(uint32_t mask, F f) {
  for (; mask != 0; mask &= mask - 1) f(std::countr_zero(mask));
}

// Bits 0..n-1.
LC_NO_COVERAGE uint32_t Prefix(int n) {
  return n >= 32 ? ~uint32_t{0} : (uint32_t{1} << n) - 1;
}

// The objects of `t` (every bit a slot of the arrays) and the globals.
LC_NO_COVERAGE void AbstractObjects(const impl::Kernel& k, const Touched& t,
                                    CWorld& w) {
  ForEachBit(t.d, [&](int i) { AbstractDentry(k.dentries()[i], w.d[i]); });
  ForEachBit(t.ino, [&](int i) { AbstractInode(k.inodes()[i], w.ino[i]); });
  ForEachBit(t.pg, [&](int p) { AbstractPage(k, p, w.pg[p]); });
  ForEachBit(t.pte, [&](int e) { AbstractPte(k.ptes()[e], w.pte[e]); });
  ForEachBit(t.pin, [&](int i) { AbstractPin(k.pins()[i], w.pin[i]); });
  ForEachBit(t.lease, [&](int i) { AbstractLease(k.leases()[i], w.lease[i]); });
  ForEachBit(t.ev, [&](int e) { AbstractEvent(k.events()[e], w.ev[e]); });
  AbstractGlobals(k, w);
}

}  // namespace

#ifndef LIFECHECK_ABSTRACTION_KERNEL_ONLY
// A prefix of each array (leases go with pins). Once, in the unhooked copy:
// it takes no Kernel (see below).
LC_NO_COVERAGE Touched UsedSlots(const Config& c) {
  return {.d = Prefix(c.dentries()),
          .ino = Prefix(c.inodes()),
          .pg = Prefix(c.phys_pages()),
          .lease = Prefix(c.pins),
          .ev = Prefix(c.events),
          .pte = Prefix(c.ptes),
          .pin = Prefix(c.pins)};
}
#endif

LC_NO_COVERAGE void AbstractInto(const impl::Kernel& k, CWorld* out) {
  const Touched all = {.d = Prefix(kMaxDentries),
                       .ino = Prefix(kMaxInodes),
                       .pg = Prefix(kMaxPages),
                       .lease = Prefix(kMaxPins),
                       .ev = Prefix(kMaxEvents),
                       .pte = Prefix(kMaxPtes),
                       .pin = Prefix(kMaxPins)};
  AbstractObjects(k, all, *out);
  for (auto& th : out->th) th = {};  // thread-local: no impl counterpart
}

LC_NO_COVERAGE void AbstractUsedInto(const impl::Kernel& k, CWorld* out) {
  AbstractObjects(k, UsedSlots(k.config()), *out);
}

namespace {

// Where each write address of the kernel's objects belongs, by a table over
// 2-byte granules from the first dentry to the end of the last object: a few
// loads per logged write instead of a range test per array. Every impl object
// starts at an even offset (each holds an int16_t or wider), so a granule
// never straddles two objects. The layout is the type's, so the table, built
// from the first kernel seen, serves every kernel.
class WriteMap {
 public:
  enum Kind : uint8_t {
    kUnplaced,  // padding or a member the abstraction does not know
    kSuper,     // the globals: always re-abstracted
    kAllocator,
    kObjects,  // kObjects + i: field kFields[i] of Touched
  };
  explicit WriteMap(const impl::Kernel& k) : base_(Addr(k.dentries().data())) {
    Mark(k.dentries(), 0);
    Mark(k.inodes(), 1);
    Mark(k.pages(), 2);
    Mark(k.ptes(), 3);
    Mark(k.pins(), 4);
    Mark(k.leases(), 5);
    Mark(k.events(), 6);
    MarkRange(Addr(&k.super()), sizeof(k.super()), kSuper, 0);
    MarkRange(Addr(&k.free_mask_word()), sizeof(k.free_mask_word()), kAllocator,
              0);
  }
  static constexpr uint32_t Touched::*kFields[] = {
      &Touched::d,   &Touched::ino,   &Touched::pg, &Touched::pte,
      &Touched::pin, &Touched::lease, &Touched::ev};

  // Adds the write at `a` of kernel `k` to `o`; false if it cannot place it.
  LC_NO_COVERAGE bool Place(const impl::Kernel& k, const void* a,
                            Touched& o) const {
    const uintptr_t off = Addr(a) - Addr(k.dentries().data());
    if (off / 2 >= granules_.size()) return false;
    const Granule g = granules_[off / 2];
    if (g.kind >= kObjects) {
      o.*kFields[g.kind - kObjects] |= uint32_t{1} << g.index;
      return true;
    }
    if (g.kind == kAllocator) o.pg = ~uint32_t{0};  // every page's st
    return g.kind != kUnplaced;
  }

 private:
  struct Granule {
    uint8_t kind = kUnplaced;
    uint8_t index = 0;
  };
  static uintptr_t Addr(const void* p) {
    return reinterpret_cast<uintptr_t>(p);
  }
  template <class Arr>
  void Mark(const Arr& arr, int field) {
    static_assert(sizeof(arr[0]) % 2 == 0 && alignof(decltype(arr[0])) >= 2);
    for (size_t i = 0; i < arr.size(); ++i)
      MarkRange(Addr(&arr[i]), sizeof(arr[i]), kObjects + field, i);
  }
  void MarkRange(uintptr_t begin, size_t size, int kind, size_t index) {
    LC_CHECK(begin >= base_ && (begin - base_) % 2 == 0);
    const size_t first = (begin - base_) / 2, last = first + (size + 1) / 2;
    if (granules_.size() < last) granules_.resize(last);
    for (size_t g = first; g < last; ++g)
      granules_[g] = {static_cast<uint8_t>(kind), static_cast<uint8_t>(index)};
  }
  uintptr_t base_;
  std::vector<Granule> granules_;
};

}  // namespace

LC_NO_COVERAGE bool ImplFootprint(const impl::Kernel& k,
                                  const impl::sync::WriteLog& log,
                                  Touched* out) {
  static const WriteMap map(k);
  if (log.overflowed()) return false;
  for (uint32_t j = 0; j < log.n; ++j)
    if (!map.Place(k, log.addr[j], *out)) return false;
  return true;
}

LC_NO_COVERAGE void AbstractTouchedInto(const impl::Kernel& k, const Touched& t,
                                        CWorld* out) {
  AbstractObjects(k, t, *out);
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

// Objects i of `mask` are equal in both arrays. Fast path: equal bytes
// imply equal fields (every field is an int16_t or a bool holding 0 or 1),
// and at a call boundary the states almost always agree, so the bytes
// decide. Bytes can differ while fields agree only in padding, which the
// field-wise comparison then settles: the verdict never rests on padding.
template <class A>
LC_NO_COVERAGE bool MaskedEq(const A& a, const A& b, uint32_t mask) {
  static_assert(std::is_trivially_copyable_v<typename A::value_type>);
  bool eq = true;
  ForEachBit(mask, [&](int i) {
    eq = eq && (SameBytes(&a[i], &b[i], sizeof(a[i])) || a[i] == b[i]);
  });
  return eq;
}

LC_NO_COVERAGE bool GlobalsEq(const CWorld& a, const CWorld& s) {
  return a.sb_active == s.sb_active && a.sb_dying == s.sb_dying &&
         a.mnt_count == s.mnt_count && a.rm_work == s.rm_work &&
         a.work_cancelled == s.work_cancelled && a.ptl_owner == s.ptl_owner &&
         a.warned == s.warned;
}

}  // namespace

LC_NO_COVERAGE bool AbstractTouchedEquals(const Touched& m, const CWorld& a,
                                          const CWorld& s) {
  return MaskedEq(a.d, s.d, m.d) && MaskedEq(a.ino, s.ino, m.ino) &&
         MaskedEq(a.pg, s.pg, m.pg) && MaskedEq(a.pte, s.pte, m.pte) &&
         MaskedEq(a.pin, s.pin, m.pin) && MaskedEq(a.lease, s.lease, m.lease) &&
         MaskedEq(a.ev, s.ev, m.ev) && GlobalsEq(a, s);
}

LC_NO_COVERAGE bool AbstractUsedEquals(const Config& c, const CWorld& a,
                                       const CWorld& s) {
  return AbstractTouchedEquals(UsedSlots(c), a, s);
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
         GlobalsEq(a, s);
}

#endif  // LIFECHECK_ABSTRACTION_KERNEL_ONLY

}  // namespace lifecheck
