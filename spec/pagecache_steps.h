// Page cache steps (seed 001): read fault, write fault with ->page_mkwrite,
// user store, writeback, truncate, munmap. kernel-semantics §3.3.
//
// The write fault's registers: r[0] = the page it took a reference on,
// r[1] = 1 while it holds that page's lock. Writeback's: r[0] = the page it
// writes, r[1] = 1 while a WB_SYNC_ALL writeback waits holding its lock.
#ifndef LIFECHECK_SPEC_PAGECACHE_STEPS_H_
#define LIFECHECK_SPEC_PAGECACHE_STEPS_H_

#include "spec/steps_common.h"

namespace lifecheck {

template <class D, class F>
void WithPage(Machine<D>& m, typename D::Int p, F f) {
  m.with(m.w.pg, p, m.cfg.phys_pages(), f);
}
template <class D>
typename D::Bool PageLocked(Machine<D>& m, typename D::Int p) {
  return m.read(
      m.w.pg, p, m.cfg.phys_pages(), [](const auto& pg) { return pg.locked; },
      m.no());
}
template <class D>
void LockPage(Machine<D>& m, typename World<D>::Page& pg) {
  m.set(pg.locked, true);
  m.set(pg.lock_owner, m.t);
}
template <class D>
void UnlockPage(Machine<D>& m, typename World<D>::Page& pg) {
  m.set(pg.locked, false);
  m.set(pg.lock_owner, kNone);
}
// put_page of the fault's transient reference.
template <class D>
void PutTransient(Machine<D>& m, typename World<D>::Page& pg) {
  m.add(pg.refcount, -1);
  m.add(pg.g_trans, -1);
  FreeOrphanAtZero(m, pg);
}

// The filesystem's re-check in ->page_mkwrite, under the page lock:
// folio_mkwrite_check_truncate (include/linux/pagemap.h), which
// block_page_mkwrite (fs/buffer.c) and iomap_page_mkwrite
// (fs/iomap/buffered-io.c) call: "folio->mapping != inode->i_mapping ||
// folio_pos(folio) >= i_size_read(inode)" is -EFAULT, i.e. VM_FAULT_NOPAGE
// (block_page_mkwrite_return). kernel-semantics §3.3.1.
template <class D>
typename D::Bool PageTruncated(Machine<D>& m,
                               const typename World<D>::Page& pg) {
  auto size = m.read(
      m.w.ino, pg.owner, m.cfg.inodes(), [](const auto& in) { return in.size; },
      m.lit(0));
  return pg.owner == kNone || pg.index >= size;
}

// The write fault's PTE slot: write_fault's argument, or the PTE a
// FOLL_WRITE GUP (pin, pin_longterm) faults through.
template <class D>
int FaultPteArg(Machine<D>& m) {
  return m.insn.op == Op::kWriteFault ? m.arg(0) : m.arg(1);
}

// The end of a write fault. The write_fault op returns; a GUP's
// faultin_page returns to __get_user_pages, which retries follow_page
// (PinLockPtl) whatever the fault did (mm/gup.c: "retry" after a fault).
template <class D>
void FaultRet(Machine<D>& m, int v) {
  if (m.insn.op == Op::kWriteFault)
    m.ret(v);
  else
    m.go(Step::kPinLockPtl);
}

// Read fault of a shared file mapping: map the page read-only so the first
// store traps into a write fault. The first fault of a slot is the mmap: the
// VMA takes a file (inode) reference, and its struct file pins the mount
// (umount(2) of a mapped filesystem is -EBUSY).
template <class D>
void FaultMap(Machine<D>& m) {
  const int e = m.arg(0), f = m.arg(1), x = m.arg(2);
  if (!m.await(PtlFree(m) && FaultLockFree(m, m.lit(f)))) return;
  auto& pte = m.w.pte[e];
  auto& in = m.w.ino[f];
  m.when(
      pte.file != kNone && (pte.file != f || pte.index != x),
      [&] { m.ret(kEINVAL); },
      [&] {
        // mmap needs an open file, i.e. a live inode reference, opened
        // through the mount: none once umount detached it.
        m.when(
            in.freeing ||
                (pte.file == kNone && (in.i_count == 0 || m.w.sb_dying)) ||
                x >= in.size || in.map[x] == kNone,
            [&] { m.ret(kEFAULT); },
            [&] {
              m.when(pte.file == kNone, [&] {
                m.set(pte.file, f);
                m.set(pte.index, x);
                m.add(in.i_count, 1);
                m.add(in.h_vma, 1);
                m.add(m.w.mnt_count, 1);
              });
              m.when(!pte.present, [&] {
                WithPage(m, in.map[x], [&](auto& pg) {
                  m.add(pg.mapcount, 1);
                  if (MapsTakeRef(m.cfg)) m.add(pg.refcount, 1);
                });
                m.set(pte.present, true);
                m.set(pte.page, in.map[x]);
                m.set(pte.writable, false);
                m.set(pte.dirty, false);
              });
              m.ret(0);
            });
      });
}

// Write fault S1 under PTL: the PTE is present and read-only; get_page.
// A DAX write fault needs no ->page_mkwrite and completes here.
template <class D>
void WfGetPage(Machine<D>& m) {
  auto& pte = m.w.pte[FaultPteArg(m)];
  if (!m.await(PtlFree(m) && FaultLockFree(m, pte.file))) return;
  m.when(
      !pte.present, [&] { FaultRet(m, kEFAULT); },
      [&] {
        m.when(
            pte.writable, [&] { FaultRet(m, 0); },
            [&] {
              if (m.cfg.is_dax()) {
                m.set(pte.writable, true);
                m.set(pte.dirty, true);
                FaultRet(m, 0);
                return;
              }
              WithPage(m, pte.page, [&](auto& pg) {
                m.add(pg.refcount, 1);
                m.add(pg.g_trans, 1);
              });
              m.set(m.w.th[m.t].r[0], pte.page);
              m.set(m.w.th[m.t].r[1], 0);
            });
      });
}

// The success path of ->page_mkwrite: the block is reserved (metadata
// attached) and the page dirtied, under the page lock; then the protocol's
// next step. R-001b: without the truncate re-check the fs may reserve a
// block for a page truncate already cut off (beyond i_size, or out of the
// file): the block leaks beyond EOF (I-PG-5).
template <class D>
void MkwriteAttach(Machine<D>& m, typename World<D>::Page& pg, bool fixed,
                   bool keep_locked) {
  m.violate(PageTruncated(m, pg), Inv::kPg5);
  m.set(pg.fs_meta, true);
  m.set(pg.dirty, true);
  if (keep_locked) {
    m.set(m.w.th[m.t].r[1], 1);
    m.go(Step::kWfSetPte);
  } else {
    UnlockPage(m, pg);
    if (!fixed) m.go(Step::kWfSetPte);
  }
}

// S2: the filesystem's ->page_mkwrite, called with the page unlocked. It
// locks the page, re-checks it was not truncated (mkwrite_check_truncate:
// VM_FAULT_NOPAGE), reserves a block (fs_enospc: VM_FAULT_SIGBUS), attaches
// its metadata and dirties the page. FIXED_2009 with VM_FAULT_LOCKED keeps
// the lock.
template <class D>
void WfMkwrite(Machine<D>& m) {
  auto p = m.w.th[m.t].r[0];
  if (!m.await(!PageLocked(m, p))) return;
  const bool fixed = m.cfg.policy.mkwrite == MkwriteProtocol::kFixed2009;
  const bool keep_locked = fixed && m.cfg.policy.fs_mkwrite_returns_locked;
  const bool recheck = m.cfg.policy.mkwrite_check_truncate;
  WithPage(m, p, [&](auto& pg) {
    LockPage(m, pg);
    m.when(
        recheck ? PageTruncated(m, pg) : m.no(),
        [&] {  // raced truncate: VM_FAULT_NOPAGE, the fault is retried
          UnlockPage(m, pg);
          PutTransient(m, pg);
          FaultRet(m, 0);
        },
        [&] {
          // ENOSPC: the block reservation fails. The fs unlocks and
          // returns VM_FAULT_SIGBUS; wp_page_shared puts the page and the
          // fault fails with no PTE change: the store gets SIGBUS, a GUP
          // -EFAULT (mm/gup.c vm_fault_to_errno). (Never on DAX, which has
          // no ->page_mkwrite: no lease to undo.)
          if (m.cfg.policy.fs_enospc) {
            UnlockPage(m, pg);
            PutTransient(m, pg);
            m.ret(kEFAULT);
            return;
          }
          MkwriteAttach(m, pg, fixed, keep_locked);
        });
  });
}

// S2' (FIXED_2009, fs returned unlocked): do_page_mkwrite (mm/memory.c)
// locks the page itself and re-checks only "if (!folio->mapping)": 0, the
// fault is retried. The i_size half is the filesystem's (WfMkwrite).
template <class D>
void WfLockPage(Machine<D>& m) {
  auto p = m.w.th[m.t].r[0];
  if (!m.await(!PageLocked(m, p))) return;
  WithPage(m, p, [&](auto& pg) {
    LockPage(m, pg);
    m.when(
        pg.owner == kNone,
        [&] {
          UnlockPage(m, pg);
          PutTransient(m, pg);
          FaultRet(m, 0);
        },
        [&] { m.set(m.w.th[m.t].r[1], 1); });
  });
}

// S3 under PTL: if the PTE is unchanged, make it writable and dirty.
template <class D>
void WfSetPte(Machine<D>& m) {
  if (!m.await(PtlFree(m))) return;
  auto& pte = m.w.pte[FaultPteArg(m)];
  auto& th = m.w.th[m.t];
  auto p = th.r[0];
  WithPage(m, p, [&](auto& pg) {
    m.when(
        !(pte.present && pte.page == p && !pte.writable),
        [&] {  // pte_same failed: raced an unmap or another fault
          m.when(th.r[1] == 1, [&] { UnlockPage(m, pg); });
          PutTransient(m, pg);
          FaultRet(m, 0);
        },
        [&] {
          m.violate(pg.owner == kNone, Inv::kPg5);
          m.set(pte.writable, true);
          m.set(pte.dirty, true);
          if (m.cfg.policy.mkwrite == MkwriteProtocol::kFixed2009)
            m.go(Step::kWfSetDirty);
        });
  });
}

// OLD_RACY S4: wait_on_page_locked waits for a holder but takes no lock.
template <class D>
void WfWaitLocked(Machine<D>& m) {
  auto p = m.w.th[m.t].r[0];
  if (!m.await(!PageLocked(m, p))) return;
}

// set_page_dirty: FIXED_2009 still holds the page lock here.
template <class D>
void WfSetDirty(Machine<D>& m) {
  WithPage(m, m.w.th[m.t].r[0], [&](auto& pg) {
    m.set(pg.dirty, true);
    if (m.cfg.policy.mkwrite == MkwriteProtocol::kOldRacy) {
      PutTransient(m, pg);
      FaultRet(m, 0);
    }
  });
}

template <class D>
void WfUnlock(Machine<D>& m) {
  WithPage(m, m.w.th[m.t].r[0], [&](auto& pg) {
    UnlockPage(m, pg);
    PutTransient(m, pg);
  });
  FaultRet(m, 0);
}

// A user store: no kernel code runs when the PTE is present and writable.
template <class D>
void StoreUser(Machine<D>& m) {
  auto& pte = m.w.pte[m.arg(0)];
  m.when(
      !pte.present || !pte.writable, [&] { m.ret(kEFAULT); },
      [&] {
        m.set(pte.dirty, true);
        m.ret(0);
      });
}

// clear_page_dirty_for_io (mm/page-writeback.c folio_clear_dirty_for_io)
// under the page lock and the PTL: page_mkclean moves PTE dirtiness to the
// page and write-protects every PTE. A clean page is skipped; a dirty one
// is cleaned and written (WbStartIo next, r[0] = the page).
template <class D>
void ClearDirtyForIo(Machine<D>& m, typename World<D>::Page& pg,
                     typename D::Int p) {
  m.warn(!pg.locked, Warn::kClearDirtyUnlocked);
  m.violate(!pg.locked, Inv::kPg3);
  for (int e = 0; e < m.cfg.ptes; ++e) {
    auto& pte = m.w.pte[e];
    m.when(pte.present && pte.page == p && (pte.writable || pte.dirty), [&] {
      m.set(pte.writable, false);
      m.set(pte.dirty, false);
      m.set(pg.dirty, true);
    });
  }
  m.when(
      !pg.dirty,
      [&] {
        UnlockPage(m, pg);
        m.ret(0);
      },
      [&] {
        m.set(pg.dirty, false);
        m.set(m.w.th[m.t].r[0], p);
        if (m.insn.op == Op::kWritebackSync) m.go(Step::kWbStartIo);
      });
}

// Writeback W1 (write_cache_pages / writeback_iter, folio_prepare_writeback
// in mm/page-writeback.c): lock the page, then clear_page_dirty_for_io. A
// page already under writeback: WB_SYNC_NONE (writeback) skips it;
// WB_SYNC_ALL (writeback_sync) waits in WbWaitWriteback, keeping the page
// lock if the page is dirty again (folio_wait_writeback, then it is written
// once more), or without it if it is clean ("Did somebody else write it for
// us?": skipped, and fsync's filemap_fdatawait waits for that IO).
template <class D>
void WbLockClean(Machine<D>& m) {
  auto& in = m.w.ino[m.arg(0)];
  auto p = in.map[m.arg(1)];
  const bool sync = m.insn.op == Op::kWritebackSync;
  if (!m.await(PtlFree(m) && !PageLocked(m, p))) return;
  m.when(p == kNone || in.freed, [&] { m.ret(0); });
  WithPage(m, p, [&](auto& pg) {
    LockPage(m, pg);
    m.when(
        pg.writeback,
        [&] {
          if (!sync) {
            UnlockPage(m, pg);
            m.ret(0);
            return;
          }
          m.when(!pg.dirty, [&] { UnlockPage(m, pg); });
          m.set(m.w.th[m.t].r[0], p);
          m.set(m.w.th[m.t].r[1], m.ite(pg.dirty, 1, 0));
        },
        [&] { ClearDirtyForIo(m, pg, p); });
  });
}

// WB_SYNC_ALL: folio_wait_writeback, a sleep until the IO in flight ends.
// r[1] = 1: the page lock is held and the page is dirty, so it is cleaned
// and written again; 0: fsync's wait for another writer's IO, then return.
template <class D>
void WbWaitWriteback(Machine<D>& m) {
  auto& th = m.w.th[m.t];
  auto p = th.r[0];
  auto under_io = m.read(
      m.w.pg, p, m.cfg.phys_pages(),
      [](const auto& pg) { return pg.writeback; }, m.no());
  if (!m.await(!under_io && (th.r[1] == 0 || PtlFree(m)))) return;
  m.when(
      th.r[1] == 1,
      [&] { WithPage(m, p, [&](auto& pg) { ClearDirtyForIo(m, pg, p); }); },
      [&] { m.ret(0); });
}

// W2: write the page using its metadata; unlock.
template <class D>
void WbStartIo(Machine<D>& m) {
  WithPage(m, m.w.th[m.t].r[0], [&](auto& pg) {
    m.set(pg.writeback, true);
    UnlockPage(m, pg);
  });
}

// W3: IO done. The fs releases its metadata once the page is clean and no
// PTE can dirty it without a fault ("the filesystem may manipulate the
// metadata to reflect that the page is no longer dirty", seed 001); in the
// kernel reclaim does it (shrink_folio_list -> filemap_release_folio). A
// page that may be DMA-pinned keeps it (mm/vmscan.c shrink_folio_list:
// folio_maybe_dma_pinned -> activate_locked, "we don't want to reclaim
// underlying fs metadata if the folio is pinned"): the driver's
// unpin_user_pages_dirty_lock will dirty it without a fault (R-001c).
template <class D>
void WbIoDone(Machine<D>& m) {
  auto p = m.w.th[m.t].r[0];
  typename D::Bool writable = m.no();
  for (int e = 0; e < m.cfg.ptes; ++e)
    writable = writable || (m.w.pte[e].present && m.w.pte[e].page == p &&
                            m.w.pte[e].writable);
  const bool keep_pinned =
      m.cfg.policy.pinned_page_private == PinnedPagePrivate::kKeep;
  WithPage(m, p, [&](auto& pg) {
    m.set(pg.writeback, false);
    auto pinned = keep_pinned ? pg.refcount >= kGupPinBias : m.no();
    m.when(!pg.dirty && !writable && !pinned,
           [&] { m.set(pg.fs_meta, false); });
  });
  m.ret(0);
}

// truncate_setsize: i_size first, then unmap_mapping_range.
template <class D>
void TruncSetSize(Machine<D>& m) {
  const int f = m.arg(0), size = m.arg(1);
  if (!m.await(TruncLocksFree(m, f) && ZapPtlFree(m))) return;
  auto& in = m.w.ino[f];
  TakeTruncLocks(m, f);
  m.when(
      in.freed, [&] { m.ret(kENOENT); },
      [&] {
        m.when(
            in.size <= size,
            [&] {
              m.set(in.size, size);
              m.ret(0);
            },
            [&] {
              m.set(in.size, size);
              UnmapRange(m, f, size);
            });
      });
}

// The first page at or beyond `size` still in the page cache: its index.
template <class D>
typename D::Int FirstCachedFrom(Machine<D>& m, int f, int size) {
  typename D::Int x = m.lit(kNone);
  for (int i = m.cfg.pages - 1; i >= size; --i)
    x = m.ite(m.w.ino[f].map[i] != kNone, m.lit(i), x);
  return x;
}

// truncate_inode_pages, per page: lock it (waiting out writeback) ...
template <class D>
void TruncLockPage(Machine<D>& m) {
  const int f = m.arg(0);
  auto x = FirstCachedFrom(m, f, m.arg(1));
  auto p = m.read(
      m.w.ino[f].map, x, m.cfg.pages, [](const auto& v) { return v; },
      m.lit(kNone));
  auto busy = m.read(
      m.w.pg, p, m.cfg.phys_pages(),
      [](const auto& pg) { return pg.locked || pg.writeback; }, m.no());
  if (!m.await(!busy)) return;
  m.when(
      x == kNone, [&] { m.go(Step::kTruncUnmapAgain); },
      [&] {
        WithPage(m, p, [&](auto& pg) { LockPage(m, pg); });
        m.set(m.w.th[m.t].r[1], p);
        m.set(m.w.th[m.t].r[2], x);
      });
}

// ... invalidate it (the fs drops its metadata), delete it from the cache.
template <class D>
void TruncInvalidate(Machine<D>& m) {
  const int f = m.arg(0);
  auto& th = m.w.th[m.t];
  auto p = th.r[1];
  typename D::Bool writable = m.no();
  for (int e = 0; e < m.cfg.ptes; ++e)
    writable = writable || (m.w.pte[e].present && m.w.pte[e].page == p &&
                            m.w.pte[e].writable);
  m.violate(writable, Inv::kPg4);
  WithPage(m, p, [&](auto& pg) {
    RemovePage(m, pg);
    UnlockPage(m, pg);
  });
  for (int x = 0; x < m.cfg.pages; ++x)
    m.when(th.r[2] == x, [&] { m.set(m.w.ino[f].map[x], kNone); });
  m.go(Step::kTruncLockPage);
}

// The second unmap_mapping_range, then the I-PG-6 postcondition.
template <class D>
void TruncUnmapAgain(Machine<D>& m) {
  if (m.cfg.policy.ptl_on_zap && !m.await(PtlFree(m))) return;
  const int f = m.arg(0), size = m.arg(1);
  UnmapRange(m, f, size);
  for (int e = 0; e < m.cfg.ptes; ++e) {
    auto& pte = m.w.pte[e];
    m.violate(pte.present && pte.file == f && pte.index >= size, Inv::kPg6);
  }
  m.ret(0);
}

// munmap of one slot: zap the PTE (under the PTL unless the policy says
// otherwise) and drop the VMA's file reference through the iput chain.
template <class D>
void MunmapZap(Machine<D>& m) {
  if (m.cfg.policy.ptl_on_zap && !m.await(PtlFree(m))) return;
  const int e = m.arg(0);
  auto& pte = m.w.pte[e];
  m.when(
      pte.file == kNone, [&] { m.ret(kEINVAL); },
      [&] {
        ZapPte(m, e);
        auto f = pte.file;
        m.set(m.w.th[m.t].r[3], f);
        m.with(m.w.ino, f, m.cfg.inodes(), [&](auto& in) {
          m.add(in.h_vma, -1);
          m.add(in.h_thr[m.t], 1);
        });
        m.set(pte.file, kNone);
        m.set(pte.index, 0);
        m.go(Step::kIputDec);
      });
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_PAGECACHE_STEPS_H_
