// Helpers shared by the step functions of every subsystem: page references,
// idleness as the kernel sees it and as the oracle knows it, zapping a PTE.
// Like the steps, they are generic over the value domain (spec/machine.h).
#ifndef LIFECHECK_SPEC_STEPS_COMMON_H_
#define LIFECHECK_SPEC_STEPS_COMMON_H_

#include "spec/machine.h"

namespace lifecheck {

// Errno values the ops return (negative, as the kernel does).
inline constexpr int kENOENT = -2;
inline constexpr int kEFAULT = -14;
inline constexpr int kEBUSY = -16;
inline constexpr int kEINVAL = -22;
inline constexpr int kENOSPC = -28;
inline constexpr int kEAGAIN = -11;
inline constexpr int kEBADF = -9;
inline constexpr int kENODEV = -19;
inline constexpr int kEOPNOTSUPP = -95;

// The inode a dentry names: dentry i <-> inode i for the root and the files;
// eventfs dentries have no inode in the model.
inline int InodeOfDentry(const Config& cfg, int d) {
  return d <= cfg.files ? d : kNone;
}

// Does a PTE mapping count in the page refcount? Page-cache pages: yes;
// fs-dax pages only with ZERO_BASED refcounts (kernel-semantics §2.4).
inline bool MapsTakeRef(const Config& cfg) {
  return !cfg.is_dax() || cfg.policy.dax_ref_base == DaxRefBase::kZeroBased;
}
// The refcount of an idle DAX page (free block): 1 ONE_BASED, 0 ZERO_BASED.
inline int DaxIdleRef(const Config& cfg) {
  return cfg.policy.dax_ref_base == DaxRefBase::kOneBased ? 1 : 0;
}

// Number of held pins on physical page p (ghost: from the pin table).
template <class D>
typename D::Int PinsOn(Machine<D>& m, typename D::Int p) {
  typename D::Int n = m.lit(0);
  for (int i = 0; i < m.cfg.pins; ++i)
    n = n + m.ite(m.w.pin[i].held && m.w.pin[i].page == p, 1, 0);
  return n;
}

// The kernel's view of "busy" (dax_busy_page / the ONE_BASED refcount > 1).
template <class D>
typename D::Bool DaxKernelBusy(Machine<D>& m,
                               const typename World<D>::Page& pg) {
  if (m.cfg.policy.dax_ref_base == DaxRefBase::kOneBased)
    return pg.refcount > 1;
  return pg.refcount - pg.mapcount != 0;
}
// The kernel's view of idle for wait_page_idle (dax_page_is_idle).
template <class D>
typename D::Bool DaxKernelIdle(Machine<D>& m,
                               const typename World<D>::Page& pg) {
  return pg.refcount == DaxIdleRef(m.cfg);
}

// The oracle's view: no pin, transient reference or mapping on page p.
// `pins_on_p` is PinsOn(m, p), for callers that counted it already.
template <class D>
typename D::Bool PageIdleTruth(Machine<D>& m, int p,
                               typename D::Int pins_on_p) {
  return pins_on_p == 0 && m.w.pg[p].g_trans == 0 && m.w.pg[p].mapcount == 0;
}
template <class D>
typename D::Bool PageIdleTruth(Machine<D>& m, int p) {
  return PageIdleTruth(m, p, PinsOn(m, m.lit(p)));
}

// PinsOn for every page at once, for the invariants checked after every
// step. The concrete domain counts with one pass over the pin table (the
// per-page scan was the hot spot of fuzzing); the symbolic domain keeps the
// PinsOn sum, so the Z3 encoding is unchanged. Same values either way: a
// held pin counts on page p iff its page field equals p.
template <class D>
class PinsPerPage {
 public:
  explicit PinsPerPage(Machine<D>& m) : m_(m) {
    if constexpr (!D::kSymbolic) {
      for (int i = 0; i < m.cfg.pins; ++i) {
        const auto& pin = m.w.pin[i];
        if (pin.held && pin.page >= 0 && pin.page < kMaxPages)
          counts_[pin.page] = static_cast<int16_t>(counts_[pin.page] + 1);
      }
    }
  }
  typename D::Int operator()(int p) const {
    if constexpr (!D::kSymbolic) {
      return counts_[p];
    } else {
      return PinsOn(m_, m_.lit(p));
    }
  }

 private:
  Machine<D>& m_;
  std::array<int16_t, kMaxPages> counts_{};
};

// A page-cache page truncated while referenced survives as an orphan; the
// last put frees it (kernel-semantics §3.4.2). DAX blocks are freed by the fs.
template <class D>
void FreeOrphanAtZero(Machine<D>& m, typename World<D>::Page& pg) {
  if (m.cfg.is_dax()) return;
  m.when(pg.refcount == 0 && pg.owner == kNone,
         [&] { m.set(pg.st, kBlkFree); });
}

// Zaps PTE slot e if present (zap_pte_range): dirty transfers to the page,
// the mapping's page reference is dropped. The VMA (pte.file) stays.
template <class D>
void ZapPte(Machine<D>& m, int e) {
  auto& pte = m.w.pte[e];
  m.when(pte.present, [&] {
    m.with(m.w.pg, pte.page, m.cfg.phys_pages(), [&](auto& pg) {
      if (!m.cfg.is_dax()) m.when(pte.dirty, [&] { m.set(pg.dirty, true); });
      m.add(pg.mapcount, -1);
      if (MapsTakeRef(m.cfg)) m.add(pg.refcount, -1);
      FreeOrphanAtZero(m, pg);
    });
    m.set(pte.present, false);
    m.set(pte.writable, false);
    m.set(pte.dirty, false);
    m.set(pte.page, kNone);
  });
}

// unmap_mapping_range(file, from index `from`): zaps every PTE of the file at
// or beyond `from`.
template <class D>
void UnmapRange(Machine<D>& m, int file, int from) {
  for (int e = 0; e < m.cfg.ptes; ++e) {
    auto& pte = m.w.pte[e];
    m.when(pte.file == file && pte.index >= from, [&] { ZapPte(m, e); });
  }
}

// Is the PTL free for this thread? Steps that run under the PTL await it.
template <class D>
typename D::Bool PtlFree(Machine<D>& m) {
  return m.w.ptl_owner == kNone || m.w.ptl_owner == m.t;
}

// A put of dl_count: at 0, fput(dl_file) and kfree(dl).
template <class D>
void LeasePut(Machine<D>& m, typename World<D>::Lease& l, typename D::Int& h) {
  m.violate(l.freed, Inv::kRef4);
  m.violate(l.dl_count <= 0, Inv::kRef3);
  m.add(l.dl_count, -1);
  m.add(h, -1);
  m.when(l.dl_count == 0, [&] {
    m.violate(l.freed, Inv::kLs1);
    m.set(l.freed, true);
  });
}

// lease_modify(F_UNLCK) under flc_lock: unlink from the inode's list.
template <class D>
void LeaseUnlink(Machine<D>& m, typename World<D>::Lease& l) {
  m.set(l.on_list, false);
}

// dax_lease_lm_change: drops A. Called once per lease: a second call (the
// list reference already dropped) is a second put (I-LS-2).
template <class D>
void LmChange(Machine<D>& m, typename World<D>::Lease& l) {
  m.violate(l.h_list <= 0, Inv::kLs2);
  LeasePut(m, l, l.h_list);
}

// setlease(F_UNLCK) of one lease, first half. As posted (lease_break_refs=
// correct) lease_modify unlinks it and lm_change drops A in one flc_lock
// section. The R-003d mutation drops A here, outside flc_lock, and unlinks
// in the next step (LeaseUnlinkLate). A lease no longer listed is -EAGAIN
// without lm_change (I-LS-2).
template <class D>
void LeaseUnlock(Machine<D>& m, typename World<D>::Lease& l) {
  const bool late =
      m.cfg.policy.lease_break_refs == LeaseBreakRefs::kPutBeforeUnlink;
  m.when(l.on_list, [&] {
    if (!late) LeaseUnlink(m, l);
    LmChange(m, l);
  });
}
template <class D>
void LeaseUnlinkLate(Machine<D>& m, typename World<D>::Lease& l) {
  if (m.cfg.policy.lease_break_refs == LeaseBreakRefs::kPutBeforeUnlink)
    LeaseUnlink(m, l);
}

// A zap's PTL: free for us, or not taken at all (ptl_on_zap=false).
template <class D>
typename D::Bool ZapPtlFree(Machine<D>& m) {
  return m.cfg.policy.ptl_on_zap ? PtlFree(m) : m.yes();
}

// Truncate holds i_rwsem and the fault lock (XFS MMAPLOCK, ext4
// invalidate_lock) exclusive: truncates are serialised and no fault maps a
// page of the file meanwhile. Both are released when the call returns
// (Machine::ret). The first step of every truncate awaits TruncLocksFree and
// then calls TakeTruncLocks.
template <class D>
typename D::Bool TruncLocksFree(Machine<D>& m, int f) {
  auto& in = m.w.ino[f];
  return (in.rwsem == kNone || in.rwsem == m.t) &&
         (in.mmaplock == kNone || in.mmaplock == m.t);
}
template <class D>
void TakeTruncLocks(Machine<D>& m, int f) {
  m.set(m.w.ino[f].rwsem, m.t);
  m.set(m.w.ino[f].mmaplock, m.t);
}
// A DAX fault takes the fault lock shared: it waits for a truncate.
template <class D>
typename D::Bool FaultLockFree(Machine<D>& m, typename D::Int f) {
  if (!m.cfg.is_dax()) return m.yes();
  auto owner = m.read(
      m.w.ino, f, m.cfg.inodes(), [](const auto& in) { return in.mmaplock; },
      m.lit(kNone));
  return owner == kNone || owner == m.t;
}

// Returns from a call that releases a path: the userspace dput and stat
// (path_put) and munmap (the VMA file's last fput, __fput). Both drop the
// dentry and its inode first, with any kill and eviction that follows, and
// the mount reference last, so umount(2) stays -EBUSY until they are done.
// Other calls that end in the same steps (discard, unlink, remove_work,
// iput) hold no mount.
template <class D>
void PathPutRet(Machine<D>& m) {
  const Op op = m.insn.op;
  if (op == Op::kDput || op == Op::kStat || op == Op::kMunmap)
    m.add(m.w.mnt_count, -1);
  m.ret(0);
}

// ---- eventfs references (seed 002), shared by the dcache's d_release ----

// Does the eventfs_inode hold a reference on its trace_event_file? Only
// with the event-file refcount (guard on) and the release callback.
inline bool EiHoldsEventFile(const Config& cfg) {
  return cfg.policy.event_file_guard == EventFileGuard::kOn &&
         cfg.policy.eventfs_release_cb == EventfsReleaseCb::kOn;
}

// A read of the event file's fields (file->tr, file->flags): on a freed
// trace_event_file it is the use-after-free of R-002b.
template <class D>
void ReadEventFile(Machine<D>& m, typename World<D>::Event& ev) {
  m.violate(ev.ef_freed, Inv::kEv3);
}

// Drops one event-file reference (the caller adjusts its ghost holder).
// At 0 the file is freed if FL_FREED is set, as kernel/trace/trace_events.c
// event_file_put (bb32500fb9b7) does; it warns otherwise.
template <class D>
void EventFilePut(Machine<D>& m, typename World<D>::Event& ev) {
  ReadEventFile(m, ev);
  m.warn(ev.ef_ref <= 0, Warn::kRefcountSubUaf);
  m.add(ev.ef_ref, -1);
  m.warn(ev.ef_ref == 0 && !ev.ef_fl_freed, Warn::kEvfilePutZero);
  m.when(ev.ef_ref == 0 && ev.ef_fl_freed, [&] { m.set(ev.ef_freed, true); });
}

// put_ei: at kref 0, release_ei (fs/tracefs/event_inode.c) warns unless
// free_ei ran, and calls each entry's ->release: the "enable" entry's
// event_release drops the event-file reference event_create_dir took
// (b63db58e2fa5; eventfs_release_cb=on).
template <class D>
void PutEi(Machine<D>& m, typename World<D>::Event& ev) {
  m.add(ev.kref, -1);
  m.when(ev.kref == 0, [&] {
    m.warn(!ev.is_freed, Warn::kEiReleaseNotFreed);
    m.violate(!ev.is_freed, Inv::kEv2);
    if (EiHoldsEventFile(m.cfg)) {
      m.add(ev.h_ei, -1);
      EventFilePut(m, ev);
    }
  });
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_STEPS_COMMON_H_
