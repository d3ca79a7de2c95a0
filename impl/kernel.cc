// Kernel: construction, Reset (the initial world), the block allocator and
// the quiescent-point consistency checks.
#include "impl/kernel.h"

#include <bit>
#include <string>

#include "config/no_coverage.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

Kernel::Kernel(const Config& cfg) { Reset(cfg); }

// Mirrors the spec's InitWorld over every capacity slot (unused slots hold
// the same defaults), so the abstraction needs no configuration cases.
LC_NO_COVERAGE void Kernel::Reset(const Config& cfg) {
  cfg_ = cfg;
  const bool dax = cfg.is_dax();
  const bool one_based =
      dax && cfg.policy.dax_ref_base == DaxRefBase::kOneBased;
  for (auto& d : d_) {
    d.lockref.store(LockrefPack(0, 0), kRelaxed);
    d.flags.store(0, kRelaxed);
    d.freed.set(false);
    d.h_persist.set(0);
    d.h_pin.set(0);
    d.h_child.set(0);
    d.h_root.set(0);
    for (auto& h : d.h_thr) h.set(0);
  }
  for (auto& in : ino_) {
    in.i_count.store(0, kRelaxed);
    in.i_nlink.store(0, kRelaxed);
    in.i_size.store(0, kRelaxed);
    in.i_state.store(0, kRelaxed);
    // A run abandoned mid-call (sync::WouldBlock) may leave locks held.
    in.i_lock.reset();
    in.rwsem.reset();
    in.mmaplock.reset();
    for (auto& m : in.map) m.store(kNoObj, kRelaxed);
    in.freed.set(false);
    in.h_alias.set(0);
    in.h_vma.set(0);
    for (auto& h : in.h_thr) h.set(0);
  }
  for (auto& pg : pg_) {
    pg.flags.store(0, kRelaxed);
    pg.refcount.store(0, kRelaxed);
    pg.mapcount.store(0, kRelaxed);
    pg.mapping.store(kNoObj, kRelaxed);
    pg.index.store(0, kRelaxed);
    pg.gen.set(0);
    pg.lock_owner.set(kNoObj);
    pg.g_base.set(0);
    pg.g_trans.set(0);
    pg.g_spec.set(0);
  }
  for (auto& pte : pte_) {
    pte.word.store(PteMake(kNoObj, 0), kRelaxed);
    pte.vma_file.store(kNoObj, kRelaxed);
    pte.vma_index.store(0, kRelaxed);
  }
  for (auto& pin : pin_) {
    pin.held.store(false, kRelaxed);
    pin.page.store(kNoObj, kRelaxed);
    pin.longterm.store(false, kRelaxed);
    pin.file.set(kNoObj);
    pin.index.set(0);
    pin.gen.set(0);
  }
  for (auto& l : lease_) {
    l.dl_count.store(0, kRelaxed);
    l.state.store(0, kRelaxed);
    l.on_list.store(false, kRelaxed);
    l.file.store(kNoObj, kRelaxed);
    l.allocated.set(false);
    l.freed.set(false);
    l.h_list.set(0);
    l.h_reap.set(0);
    l.h_break.set(0);
  }
  for (auto& ev : ev_) {
    ev.kref.store(0, kRelaxed);
    ev.is_freed.store(false, kRelaxed);
    ev.ef_ref.store(0, kRelaxed);
    ev.ef_flags.store(0, kRelaxed);
    ev.removed.set(false);
    ev.ef_freed.set(false);
    ev.h_opens.set(0);
    ev.h_ei.set(0);
  }
  sb_.s_flags.store(kSbActive, kRelaxed);
  sb_.mnt_count.store(0, kRelaxed);
  sb_.rm_work.store(kNoObj, kRelaxed);
  sb_.work_cancelled.store(false, kRelaxed);
  sb_.ptl.reset();
  sb_.flc_lock.reset();
  sb_.event_mutex.reset();
  for (auto& w : sb_.warned) w.set(false);

  // The root: pinned by sb->s_root, one alias on inode 0.
  int root_count = 1;
  d_[0].flags.store(kDcacheHashed | kDcachePositive, kRelaxed);
  d_[0].h_root.set(1);
  ino_[0].i_count.store(1, kRelaxed);
  ino_[0].h_alias.set(1);
  ino_[0].i_nlink.store(2, kRelaxed);
  // Files: a libfs pins each dentry; a disk fs caches it at count 0.
  for (int f = 1; f <= cfg.files; ++f) {
    Dentry& d = d_[f];
    uint32_t flags = kDcacheHashed | kDcachePositive;
    ++root_count;
    d_[0].h_child.add(1);
    if (cfg.fs == FsKind::kLibfs) {
      d.lockref.store(LockrefPack(1, 0), kRelaxed);
      if (cfg.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
        flags |= kDcachePersistent;
        d.h_persist.set(1);
      } else {
        d.h_pin.set(1);
      }
    }
    d.flags.store(flags, kRelaxed);
    Inode& in = ino_[f];
    in.i_count.store(1, kRelaxed);
    in.h_alias.set(1);
    in.i_nlink.store(1, kRelaxed);
    in.i_size.store(cfg.pages, kRelaxed);
    for (int x = 0; x < cfg.pages; ++x) {
      const int p = (f - 1) * cfg.pages + x;
      Page& pg = pg_[p];
      pg.mapping.store(static_cast<int16_t>(f), kRelaxed);
      pg.index.store(static_cast<int16_t>(x), kRelaxed);
      pg.gen.set(1);
      in.map[x].store(static_cast<int16_t>(p), kRelaxed);
      if (!dax || one_based) {
        pg.refcount.store(1, kRelaxed);
        pg.g_base.set(1);
      }
    }
  }
  d_[0].lockref.store(LockrefPack(root_count, 0), kRelaxed);
  uint64_t free_mask = 0;
  for (int p = cfg.files * cfg.pages; p < cfg.phys_pages(); ++p) {
    free_mask |= uint64_t{1} << p;
    if (one_based) {
      pg_[p].refcount.store(1, kRelaxed);
      pg_[p].g_base.set(1);
    }
  }
  free_mask_.store(free_mask, kRelease);
  // The ei's reference on its event file (b63db58e2fa5), as InitWorld.
  const int ei_ref = EiHoldsEventFile() ? 1 : 0;
  for (int e = 0; e < cfg.events; ++e) {
    ev_[e].kref.store(1, kRelaxed);
    ev_[e].ef_ref.store(1 + ei_ref, kRelaxed);
    ev_[e].h_ei.set(static_cast<int16_t>(ei_ref));
  }
}

// ---- the lock-free block allocator ----

// Claims the lowest free page (the spec's AllocBlock scan order). Acquire:
// the claimer sees the freer's last writes to the page. Returns -1 if none.
int Kernel::AllocFreePage() {
  uint64_t m = free_mask_.load(kAcquire, "alloc.read");
  for (;;) {
    if (m == 0) return kNoObj;
    const int p = std::countr_zero(m);
    if (free_mask_.cas(m, m & ~(uint64_t{1} << p), kAcqRel, kAcquire,
                       "alloc.claim"))
      return p;
    // m now holds the current mask: retry (a stutter step).
  }
}

// Returns page p to the allocator. Release: publishes the page's reset
// fields to the next claimer. Precondition: p is not free.
void Kernel::FreePageToAllocator(int p) {
  free_mask_.fetch_or(uint64_t{1} << p, kRelease, "alloc.free");
}

uint64_t Kernel::sleeps() const {
  uint64_t n = sb_.wq.sleeps();
  for (const Page& pg : pg_) n += pg.lock_wq.sleeps();
  return n;
}

// ---- quiescent checks ----

LC_NO_COVERAGE bool Kernel::LocksReleasedIn(uint32_t dentries, uint32_t inodes,
                                            uint32_t pages) const {
  // Visits bit i of `mask` below n, lowest first, while ok(i) holds.
  auto all = [](uint32_t mask, int n, auto ok) {
    if (n < 32) mask &= (uint32_t{1} << n) - 1;
    for (; mask != 0; mask &= mask - 1)
      if (!ok(std::countr_zero(mask))) return false;
    return true;
  };
  return all(dentries, cfg_.dentries(),
             [&](int i) {
               return !LockrefLocked(d_[i].lockref.load(kRelaxed));
             }) &&
         all(inodes, cfg_.inodes(),
             [&](int i) {
               const Inode& n = ino_[i];
               return n.i_lock.owner() == sync::SpinLock::kUnlocked &&
                      n.rwsem.owner() == sync::SleepLock::kUnlocked &&
                      n.mmaplock.owner() == sync::SleepLock::kUnlocked;
             }) &&
         all(pages, cfg_.phys_pages(),
             [&](int p) {
               return !(pg_[p].flags.load(kRelaxed) & kPgLocked) &&
                      pg_[p].lock_wq.waiters() == 0;
             }) &&
         sb_.ptl.owner() == sync::SpinLock::kUnlocked &&
         sb_.rm_work.load(kRelaxed) == kNoObj &&
         sb_.flc_lock.owner() == sync::SpinLock::kUnlocked &&
         sb_.event_mutex.owner() == sync::SpinLock::kUnlocked &&
         sb_.wq.waiters() == 0;
}

std::vector<QuiescentFailure> Kernel::CheckQuiescent(unsigned which) const {
  std::vector<QuiescentFailure> out;
  const bool locks = which & kLocksAndSleepers;
  const bool cons = which & kConservation;
  const bool alloc = which & kAllocator;
  auto fail = [&](const char* check, const char* kind, int i,
                  std::string detail) {
    std::string name = kind;
    if (i >= 0) name += "[" + std::to_string(i) + "]";
    out.push_back({check, name + detail});
  };
  for (int i = 0; i < cfg_.dentries(); ++i) {
    const Dentry& d = d_[i];
    const uint64_t w = d.lockref.load(kRelaxed);
    if (locks && LockrefLocked(w)) fail("dentry-unlocked", "d", i, "");
    const int c = LockrefCount(w);
    int holders =
        d.h_persist.get() + d.h_pin.get() + d.h_child.get() + d.h_root.get();
    for (const auto& h : d.h_thr) holders += h.get();
    if (cons && c != kDentryDeadCount && c != holders)
      fail("dentry-count-holders", "d", i,
           ": count " + std::to_string(c) + ", holders " +
               std::to_string(holders));
  }
  for (int i = 0; i < cfg_.inodes(); ++i) {
    const Inode& in = ino_[i];
    if (locks && in.i_lock.owner() != sync::SpinLock::kUnlocked)
      fail("inode-unlocked", "inode", i, ".i_lock");
    if (locks && in.rwsem.owner() != sync::SleepLock::kUnlocked)
      fail("inode-unlocked", "inode", i, ".i_rwsem");
    if (locks && in.mmaplock.owner() != sync::SleepLock::kUnlocked)
      fail("inode-unlocked", "inode", i, ".mmaplock");
    if (!cons || in.freed.get()) continue;
    int holders = in.h_alias.get() + in.h_vma.get();
    for (const auto& h : in.h_thr) holders += h.get();
    const int c = in.i_count.load(kRelaxed);
    if (c != holders)
      fail("inode-count-holders", "inode", i,
           ": i_count " + std::to_string(c) + ", holders " +
               std::to_string(holders));
  }
  const bool maps_ref = MapsTakeRef();
  // How many map slots name each page (one pass, not one per page).
  std::array<int, kMaxPages> map_refs{};
  if (alloc)
    for (int i = 0; i < cfg_.inodes(); ++i)
      for (int x = 0; x < cfg_.pages; ++x) {
        const int p = ino_[i].map[x].load(kRelaxed);
        if (p >= 0 && p < kMaxPages) ++map_refs[p];
      }
  for (int p = 0; p < cfg_.phys_pages(); ++p) {
    const Page& pg = pg_[p];
    // A stale PG_waiters without sleepers is legal (cleared by the next
    // unlock, as folio_unlock does); a sleeper at quiescence is not.
    if (locks && (pg.flags.load(kRelaxed) & kPgLocked))
      fail("page-unlocked", "pg", p, "");
    if (locks && pg.lock_wq.waiters() != 0)
      fail("no-sleepers", "pg", p, ".lock_wq");
    if (cons) {
      int pins = 0;
      for (int i = 0; i < cfg_.pins; ++i)
        if (pin_[i].held.load(kRelaxed) && pin_[i].page.load(kRelaxed) == p)
          ++pins;
      int expect = pg.g_base.get() + pg.g_trans.get() +
                   (pins + pg.g_spec.get()) * kGupPinBias;
      if (maps_ref) expect += pg.mapcount.load(kRelaxed);
      const int rc = pg.refcount.load(kRelaxed);
      if (rc != expect)
        fail("page-refcount-holders", "pg", p,
             ": refcount " + std::to_string(rc) + ", tracked " +
                 std::to_string(expect));
      if (pins > 0 && !FolioMaybeDmaPinned(rc))
        fail("folio-maybe-dma-pinned", "pg", p, "");
    }
    if (!alloc) continue;
    const bool free = page_free(p);
    if (free && pg.mapping.load(kRelaxed) != kNoObj)
      fail("allocator-consistent", "pg", p, " is free but has a mapping");
    const int mapped_by = map_refs[p];
    if (free && mapped_by != 0)
      fail("allocator-consistent", "pg", p, " is free but in a file's map");
    if (mapped_by > 1)
      fail("allocator-consistent", "pg", p, " is in two map slots");
  }
  if (alloc && (free_mask_.load(kRelaxed) >> cfg_.phys_pages()) != 0)
    fail("allocator-consistent", "free_mask", -1, ": bit beyond the pages");
  if (locks) {
    if (sb_.ptl.owner() != sync::SpinLock::kUnlocked)
      fail("ptl-unlocked", "ptl", -1, "");
    if (sb_.flc_lock.owner() != sync::SpinLock::kUnlocked)
      fail("flc-unlocked", "flc_lock", -1, "");
    if (sb_.event_mutex.owner() != sync::SpinLock::kUnlocked)
      fail("event-mutex-unlocked", "event_mutex", -1, "");
    if (sb_.wq.waiters() != 0) fail("no-sleepers", "sb.wq", -1, "");
  }
  for (int i = 0; cons && i < cfg_.pins; ++i) {
    const Lease& l = lease_[i];
    if (!l.allocated.get() || l.freed.get()) continue;
    const int c = l.dl_count.load(kRelaxed);
    const int h = l.h_list.get() + l.h_reap.get() + l.h_break.get();
    if (c != h)
      fail(
          "lease-count-holders", "lease", i,
          ": dl_count " + std::to_string(c) + ", holders " + std::to_string(h));
  }
  return out;
}

}  // namespace lifecheck::impl
