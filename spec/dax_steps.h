// DAX + GUP steps (seeds 003, 004): block allocation, pins and DMA, and the
// DAX truncate frame with its policies. kernel-semantics §3.4, §3.5.
//
// On a DAX file the page IS the storage block: freeing it hands the block to
// the allocator, so a DMA through a stale pin lands in another file's data.
#ifndef LIFECHECK_SPEC_DAX_STEPS_H_
#define LIFECHECK_SPEC_DAX_STEPS_H_

#include "spec/inode_steps.h"
#include "spec/pagecache_steps.h"

namespace lifecheck {

// write(2) into a hole (or a write fault on one): allocate a free block.
template <class D>
void AllocBlock(Machine<D>& m) {
  const int f = m.arg(0), x = m.arg(1);
  auto& in = m.w.ino[f];
  m.when(
      in.freeing || in.freed, [&] { m.ret(kENOENT); },
      [&] {
        m.when(
            in.map[x] != kNone, [&] { m.ret(in.map[x]); },
            [&] {
              typename D::Bool found = m.no();
              for (int p = 0; p < m.cfg.phys_pages(); ++p) {
                auto& pg = m.w.pg[p];
                auto take = !found && pg.st == kBlkFree;
                m.when(take, [&] {
                  m.set(pg.st, kBlkOwned);
                  m.set(pg.owner, f);
                  m.set(pg.index, x);
                  m.add(pg.gen, 1);
                  if (!m.cfg.is_dax()) {  // a fresh page-cache page
                    m.set(pg.refcount, 1);
                    m.set(pg.g_base, 1);
                  }
                  m.set(in.map[x], p);
                  m.when(in.size <= x, [&] { m.set(in.size, x + 1); });
                  m.ret(p);
                });
                found = found || take;
              }
              m.when(!found, [&] { m.ret(kENOSPC); });
            });
      });
}

// ---- pins ----

// What GUP read from the PTE: r[0] page, r[1] file, r[2] index, r[3] the
// block's generation. The pin records these, not what it finds at grab time:
// a grab through a stale read must look stale to the oracle (I-DAX-2).
template <class D>
void ReadPteForPin(Machine<D>& m, const typename World<D>::Pte& pte) {
  auto& th = m.w.th[m.t];
  m.set(th.r[0], pte.page);
  m.set(th.r[1], pte.file);
  m.set(th.r[2], pte.index);
  m.set(th.r[3], m.read(
                     m.w.pg, pte.page, m.cfg.phys_pages(),
                     [](const auto& pg) { return pg.gen; }, m.lit(0)));
}

// A GUP that fails. Without the lease it returns `err`; with the v3 lease
// (A3 with result <= 0) it sets DAX_LEASE_PAGES with no pages recorded and
// unlocks its lease (setlease(F_UNLCK)); PinLeaseUnlink/PinLeaseFail then
// flush break_work, drop B and return -EFAULT.
template <class D>
void PinFail(Machine<D>& m, typename D::Int err) {
  if (StepIndex(m.insn.op, m.cfg, Step::kPinLeaseSetup) < 0) {
    m.ret(err);
    return;
  }
  auto& l = m.w.lease[m.arg(0)];
  m.set(l.pages_set, true);
  LeaseUnlock(m, l);
  m.go(Step::kPinLeaseUnlink);
}

// GUP slow path (FOLL_PIN | FOLL_WRITE): check_vma_flags, then under the
// PTL follow_page_pte: a present, writable PTE is grabbed in the next step,
// still under the PTL (so a zap that takes the PTL cannot separate them).
// A read-only or absent PTE needs faultin_page with FAULT_FLAG_WRITE
// (PinFaultMap if absent, then the write fault), after which GUP retries from
// here (mm/gup.c __get_user_pages: "retry" after faultin_page). No VMA:
// -EFAULT. r[0] = page, r[1] = file, r[2] = index, r[3] = generation.
template <class D>
void PinLockPtl(Machine<D>& m) {
  if (!m.await(PtlFree(m))) return;
  auto& pin = m.w.pin[m.arg(0)];
  auto& pte = m.w.pte[m.arg(1)];
  const bool longterm = m.insn.op == Op::kPinLongterm;
  const bool lease = StepIndex(m.insn.op, m.cfg, Step::kPinLeaseSetup) >= 0;
  if (longterm && m.cfg.is_dax() &&
      m.cfg.policy.longterm_pin == LongtermPinOnFsdax::kReject) {
    m.ret(kEOPNOTSUPP);
    return;
  }
  // The lease setup step already validated the slot.
  auto busy = lease ? m.no() : pin.held;
  m.when(
      busy, [&] { m.ret(kEBUSY); },
      [&] {
        m.when(
            pte.file == kNone, [&] { PinFail(m, m.lit(kEFAULT)); },
            [&] {
              m.when(
                  !pte.present, [&] { m.go(Step::kPinFaultMap); },
                  [&] {
                    m.when(
                        !pte.writable, [&] { m.go(Step::kWfGetPage); },
                        [&] {
                          m.set(m.w.ptl_owner, m.t);
                          ReadPteForPin(m, pte);
                        });
                  });
            });
      });
}

// faultin_page(FAULT_FLAG_WRITE) on the GUP's VMA: an absent PTE is first
// mapped read-only (the read part of do_shared_fault: the page at the VMA's
// index, under the PTL and, on DAX, the fault lock); the write fault that
// follows (WfGetPage..WfUnlock: page_mkwrite under the page lock, or the
// DAX write fault) makes it writable, then GUP retries (FaultRet). A page
// beyond i_size or a hole fails the GUP.
template <class D>
void PinFaultMap(Machine<D>& m) {
  auto& pte = m.w.pte[m.arg(1)];
  if (!m.await(PtlFree(m) && FaultLockFree(m, pte.file))) return;
  m.when(!pte.present, [&] {
    // Values read through data-dependent indices (the VMA's file and
    // index): m.read, so the symbolic domain selects under ite.
    auto x = pte.index;
    auto page = m.read(
        m.w.ino, pte.file, m.cfg.inodes(),
        [&](const auto& in) {
          return m.read(
              in.map, x, m.cfg.pages, [](const auto& v) { return v; },
              m.lit(kNone));
        },
        m.lit(kNone));
    auto usable = m.read(
        m.w.ino, pte.file, m.cfg.inodes(),
        [&](const auto& in) { return !in.freeing && x < in.size; }, m.no());
    auto ok = usable && page != kNone;
    m.when(
        !ok, [&] { PinFail(m, m.lit(kEFAULT)); },
        [&] {
          WithPage(m, page, [&](auto& pg) {
            m.add(pg.mapcount, 1);
            if (MapsTakeRef(m.cfg)) m.add(pg.refcount, 1);
          });
          m.set(pte.present, true);
          m.set(pte.page, page);
          m.set(pte.writable, false);
          m.set(pte.dirty, false);
        });
  });
}

// try_grab_folio(FOLL_PIN): refcount += GUP_PIN_COUNTING_BIAS; record the pin
// with what the pinner believes it pinned (ghost); drop the PTL.
template <class D>
void RecordPin(Machine<D>& m, typename World<D>::Pin& pin, bool longterm) {
  auto& th = m.w.th[m.t];
  m.set(pin.held, true);
  m.set(pin.page, th.r[0]);
  m.set(pin.file, th.r[1]);
  m.set(pin.index, th.r[2]);
  m.set(pin.longterm, longterm);
  m.set(pin.gen, th.r[3]);
  WithPage(m, th.r[0], [&](auto& pg) { m.add(pg.refcount, kGupPinBias); });
  if (longterm && m.cfg.is_dax()) m.violate(m.yes(), Inv::kGup2);
}

template <class D>
void PinGrab(Machine<D>& m) {
  RecordPin(m, m.w.pin[m.arg(0)], m.insn.op == Op::kPinLongterm);
  m.set(m.w.ptl_owner, kNone);
  if (StepIndex(m.insn.op, m.cfg, Step::kPinLeasePages) < 0) m.ret(1);
}

// GUP-fast F1: read the PTE without any lock.
template <class D>
void PinFastRead(Machine<D>& m) {
  if (m.cfg.is_dax() && m.cfg.policy.dax_truncate_mechanism ==
                            DaxTruncateMechanism::kFlAllocatedLease) {
    // Seed 003 takes the lease in __get_user_pages: a pin that could skip it
    // would defeat truncate's lease break, so GUP-fast falls back.
    m.ret(kEAGAIN);
    return;
  }
  auto& pin = m.w.pin[m.arg(0)];
  auto& pte = m.w.pte[m.arg(1)];
  // FOLL_WRITE needs a writable PTE (gup_fast_pte_range:
  // pte_access_permitted(pte, FOLL_WRITE)); else the slow path faults.
  m.when(
      pin.held || !pte.present || !pte.writable,
      [&] {
        m.ret(m.ite(pin.held, kEBUSY, m.ite(pte.present, kEAGAIN, kEFAULT)));
      },
      [&] { ReadPteForPin(m, pte); });
}

// F2: speculative grab; it fails on a page whose refcount is 0 (ZERO_BASED
// DAX: an idle page), and GUP falls back to the slow path.
template <class D>
void PinFastGrab(Machine<D>& m) {
  auto p = m.w.th[m.t].r[0];
  auto zero = m.read(
      m.w.pg, p, m.cfg.phys_pages(),
      [](const auto& pg) { return pg.refcount == 0; }, m.yes());
  m.when(
      zero, [&] { m.ret(kEAGAIN); },
      [&] {
        // Speculative until F3: the pin is recorded but not yet held; the
        // page's extra BIAS is a g_spec grab (a grab of a page that was
        // freed meanwhile is harmless if F3 then backs out).
        auto& pin = m.w.pin[m.arg(0)];
        RecordPin(m, pin, false);
        m.set(pin.held, false);
        WithPage(m, p, [&](auto& pg) { m.add(pg.g_spec, 1); });
      });
}

// F3: re-read the PTE; if it changed, undo the grab ("bail to the slow path").
template <class D>
void PinFastRecheck(Machine<D>& m) {
  auto& pin = m.w.pin[m.arg(0)];
  auto& pte = m.w.pte[m.arg(1)];
  WithPage(m, pin.page, [&](auto& pg) { m.add(pg.g_spec, -1); });
  m.when(
      !pte.present || pte.page != pin.page,
      [&] {
        WithPage(m, pin.page, [&](auto& pg) {
          m.add(pg.refcount, -kGupPinBias);
          FreeOrphanAtZero(m, pg);
        });
        m.ret(kEAGAIN);
      },
      [&] {
        m.set(pin.held, true);
        m.ret(1);
      });
}

// The device writes through the pin. For a DAX page the write lands in the
// storage block, which must still belong to what was pinned (I-DAX-2); for a
// page-cache orphan it is harmless ("it is not relevant anymore", seed 003).
template <class D>
void DmaWrite(Machine<D>& m) {
  auto& pin = m.w.pin[m.arg(0)];
  m.when(
      !pin.held, [&] { m.ret(kEINVAL); },
      [&] {
        if (m.cfg.is_dax()) {
          WithPage(m, pin.page, [&](auto& pg) {
            m.violate(pg.st == kBlkFree ||
                          (pg.st == kBlkOwned &&
                           (pg.owner != pin.file || pg.gen != pin.gen)),
                      Inv::kDax2);
          });
        }
        m.ret(0);
      });
}

// unpin_user_page: refcount -= GUP_PIN_COUNTING_BIAS.
template <class D>
void UnpinPut(Machine<D>& m) {
  auto& pin = m.w.pin[m.arg(0)];
  m.when(
      !pin.held, [&] { m.ret(kEINVAL); },
      [&] {
        WithPage(m, pin.page, [&](auto& pg) {
          m.add(pg.refcount, -kGupPinBias);
          FreeOrphanAtZero(m, pg);
        });
        m.set(pin.held, false);
        m.ret(0);
      });
}

// unpin_user_pages_dirty_lock(make_dirty=true), a driver's completion of a
// device -> memory DMA (mm/gup.c: folio_lock; folio_mark_dirty;
// folio_unlock; then gup_put_folio): the page is dirtied without a fault.
// A page truncated meanwhile is no longer in the page cache and nobody will
// write it back. Dirtying a page-cache page whose fs metadata writeback and
// reclaim released while it was pinned is R-001c (I-PG-1, checked after the
// step). A DAX block has no dirty page-cache state.
template <class D>
void UnpinDirty(Machine<D>& m) {
  auto& pin = m.w.pin[m.arg(0)];
  if (!m.await(!pin.held || !PageLocked(m, pin.page))) return;
  m.when(
      !pin.held, [&] { m.ret(kEINVAL); },
      [&] {
        WithPage(m, pin.page, [&](auto& pg) {
          if (!m.cfg.is_dax())
            m.when(pg.owner != kNone, [&] { m.set(pg.dirty, true); });
          m.add(pg.refcount, -kGupPinBias);
          FreeOrphanAtZero(m, pg);
        });
        m.set(pin.held, false);
        m.ret(0);
      });
}

// ---- DAX truncate (kernel-semantics §3.5.5) ----

// A truncate that does not shrink just sets i_size. Returns true when the
// call is over (the caller must then stop).
template <class D>
void TruncNotShrinking(Machine<D>& m, typename D::Bool* shrinking) {
  auto& in = m.w.ino[m.arg(0)];
  *shrinking = !(in.size <= m.arg(1)) && !in.freed;
  m.when(in.freed, [&] { m.ret(kENOENT); });
  m.when(!in.freed && in.size <= m.arg(1), [&] {
    m.set(in.size, m.arg(1));
    m.ret(0);
  });
}

// The pages of the truncated range as the oracle sees them: any page busy?
template <class D>
typename D::Bool RangeBusyTruth(Machine<D>& m, int f, int from) {
  typename D::Bool busy = m.no();
  for (int x = from; x < m.cfg.pages; ++x)
    for (int p = 0; p < m.cfg.phys_pages(); ++p)
      busy = busy || (m.w.ino[f].map[x] == p && !PageIdleTruth(m, p));
  return busy;
}
// ... and as dax_layout_busy_page_range sees it.
template <class D>
typename D::Int FirstKernelBusy(Machine<D>& m, int f, int from) {
  typename D::Int hit = m.lit(kNone);
  for (int x = m.cfg.pages - 1; x >= from; --x) {
    auto p = m.w.ino[f].map[x];
    auto busy = m.read(
        m.w.pg, p, m.cfg.phys_pages(),
        [&](const auto& pg) { return DaxKernelBusy(m, pg); }, m.no());
    hit = m.ite(busy, p, hit);
  }
  return hit;
}

// dax_layout_busy_page_range B0'/B1: the old mapping_mapped() shortcut, then
// unmap every PTE of the range (the GUP-fast argument needs unmap first).
template <class D>
void DaxScanUnmap(Machine<D>& m) {
  const int f = m.arg(0), size = m.arg(1);
  if (!m.await(TruncLocksFree(m, f) && ZapPtlFree(m))) return;
  TakeTruncLocks(m, f);
  typename D::Bool shrinking = m.no();
  TruncNotShrinking(m, &shrinking);
  const bool unmap =
      m.cfg.policy.dax_scan_order == DaxScanOrder::kUnmapThenScan;
  m.when(shrinking, [&] {
    if (!unmap) return;  // scan_then_unmap: DaxTruncFree unmaps later
    if (m.cfg.policy.busy_scan_skips_unmapped) {
      m.when(
          !FileMapped(m, m.lit(f)),
          [&] {
            // "not busy" without looking: right only if the range is idle.
            m.violate(RangeBusyTruth(m, f, size), Inv::kDax4);
            m.go(Step::kDaxTruncFree);
          },
          [&] { UnmapRange(m, f, size); });
    } else {
      UnmapRange(m, f, size);
    }
  });
}

// B2: scan refcounts; the policy decides what a busy page means.
template <class D>
void DaxScan(Machine<D>& m) {
  const int f = m.arg(0), size = m.arg(1);
  // I-DAX-5: the GUP-fast argument needs every PTE of the range zapped
  // before refcounts are read (R-003b).
  typename D::Bool mapped = m.no();
  for (int e = 0; e < m.cfg.ptes; ++e)
    mapped = mapped || (m.w.pte[e].present && m.w.pte[e].file == f &&
                        m.w.pte[e].index >= size);
  m.violate(mapped, Inv::kDax5);
  auto busy = FirstKernelBusy(m, f, size);
  m.when(
      busy == kNone,
      [&] {
        m.violate(RangeBusyTruth(m, f, size), Inv::kDax4);
        m.go(Step::kDaxTruncFree);
      },
      [&] {
        switch (m.cfg.policy.dax_truncate) {
          case DaxTruncatePolicy::kWait:
            // Sleep with the fault lock dropped (xfs_wait_dax_page).
            m.set(m.w.th[m.t].r[0], busy);
            m.set(m.w.ino[f].mmaplock, kNone);
            break;  // next: DaxWaitIdle
          case DaxTruncatePolicy::kEbusy:
            m.ret(kEBUSY);
            break;
          case DaxTruncatePolicy::kSequester:
            // Re-home every busy block to lost+found, leaving a hole.
            for (int x = size; x < m.cfg.pages; ++x) {
              auto& slot = m.w.ino[f].map[x];
              WithPage(m, slot, [&](auto& pg) {
                m.when(DaxKernelBusy(m, pg), [&] {
                  m.set(pg.st, kBlkSequestered);
                  m.set(pg.owner, kLostFound);
                  m.set(slot, kNone);
                });
              });
            }
            m.go(Step::kDaxTruncFree);
            break;
          case DaxTruncatePolicy::kNone:
            break;  // NONE never scans (see StepsOf)
        }
      });
}

// wait_page_idle: sleep (fault lock dropped) until the busy page is idle,
// then rescan from the unmap.
template <class D>
void DaxWaitIdle(Machine<D>& m) {
  const int f = m.arg(0);
  auto idle = m.read(
      m.w.pg, m.w.th[m.t].r[0], m.cfg.phys_pages(),
      [&](const auto& pg) { return DaxKernelIdle(m, pg); }, m.yes());
  if (!m.await(idle && TruncLocksFree(m, f))) return;
  m.set(m.w.ino[f].mmaplock, m.t);  // re-take the fault lock, rescan
  m.go(Step::kDaxScanUnmap);
}

// T3/T4: i_size, unmap and delete the entries, free the blocks.
template <class D>
void DaxTruncFree(Machine<D>& m) {
  const int f = m.arg(0), size = m.arg(1);
  const bool first = StepIndex(m.insn.op, m.cfg, Step::kDaxTruncFree) == 0;
  if (!m.await((first ? TruncLocksFree(m, f) : m.yes()) && ZapPtlFree(m)))
    return;
  auto& in = m.w.ino[f];
  typename D::Bool shrinking = m.no();
  if (first) {  // NONE: this is the first step
    TakeTruncLocks(m, f);
    TruncNotShrinking(m, &shrinking);
  } else {
    shrinking = !in.freed;
  }
  m.when(shrinking, [&] {
    m.set(in.size, size);
    UnmapRange(m, f, size);
    for (int x = size; x < m.cfg.pages; ++x) {
      WithPage(m, in.map[x], [&](auto& pg) {
        if (m.cfg.policy.dax_ref_base == DaxRefBase::kOneBased)
          m.warn(pg.refcount > 1, Warn::kDaxTruncBusy);
        RemovePage(m, pg);
      });
      m.set(in.map[x], kNone);
    }
    m.ret(0);
  });
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_DAX_STEPS_H_
