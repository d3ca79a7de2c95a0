// Inode steps (seed 004): igrab, iput -> iput_final -> evict, with the DAX
// eviction barrier. kernel-semantics §3.2, §3.5.6, §5.5.
//
// The iput chain is shared by every op that can drop the last inode reference
// (dput, discard, unlink, munmap, iput); the inode id travels in register r[3]
// because for munmap it comes from state (the VMA's file).
#ifndef LIFECHECK_SPEC_INODE_STEPS_H_
#define LIFECHECK_SPEC_INODE_STEPS_H_

#include "spec/steps_common.h"

namespace lifecheck {

template <class D>
typename D::Int ChainInode(Machine<D>& m) {
  return m.w.th[m.t].r[3];
}

// The end of the iput chain (a path's mount reference goes last).
template <class D>
void IputChainDone(Machine<D>& m) {
  PathPutRet(m);
}

// Any page of inode `in` busy as dax_layout_busy_page sees it.
template <class D>
typename D::Bool InodeDaxBusy(Machine<D>& m,
                              const typename World<D>::Inode& in) {
  typename D::Bool busy = m.no();
  for (int x = 0; x < m.cfg.pages; ++x)
    busy = busy ||
           m.read(
               m.w.pg, in.map[x], m.cfg.phys_pages(),
               [&](const auto& pg) { return DaxKernelBusy(m, pg); }, m.no());
  return busy;
}

// Any present PTE of file `f` (mapping_mapped, restricted to present PTEs).
template <class D>
typename D::Bool FileMapped(Machine<D>& m, typename D::Int f) {
  typename D::Bool mapped = m.no();
  for (int e = 0; e < m.cfg.ptes; ++e)
    mapped = mapped || (m.w.pte[e].present && m.w.pte[e].file == f);
  return mapped;
}

// Removes page p from its file: page cache drops its reference (an orphan
// survives while referenced); a DAX block returns to the allocator.
template <class D>
void RemovePage(Machine<D>& m, typename World<D>::Page& pg) {
  m.set(pg.owner, kNone);
  m.set(pg.fs_meta, false);
  m.set(pg.dirty, false);
  if (m.cfg.is_dax()) {
    m.set(pg.st, kBlkFree);
  } else {
    m.add(pg.refcount, -1);
    m.add(pg.g_base, -1);
    m.set(pg.st, m.ite(pg.refcount == 0, kBlkFree, kBlkOwned));
  }
}

template <class D>
void IgrabGet(Machine<D>& m) {
  auto& in = m.w.ino[m.arg(0)];
  m.when(
      in.freeing || in.freed, [&] { m.ret(kENOENT); },
      [&] {
        m.add(in.i_count, 1);
        m.add(in.h_thr[m.t], 1);
        m.set(in.on_lru, false);
        m.ret(0);
      });
}

// iput_final's i_lock section, once the count reached 0: ->drop_inode decides
// between caching the inode on the LRU and evicting it now.
template <class D>
void IputFinal(Machine<D>& m, typename World<D>::Inode& in, bool keeps_busy) {
  {
    typename D::Bool drop = in.i_nlink == 0;
    // Dan's 2022 proposal: drop_inode returns 0 while dax_inode_busy().
    if (keeps_busy) drop = drop && !InodeDaxBusy(m, in);
    m.when(
        !drop && m.w.sb_active,
        [&] {
          // Chinner: an unlinked inode's last iput must reclaim it at once.
          m.violate(in.i_nlink == 0, Inv::kIno1);
          m.set(in.on_lru, true);
          IputChainDone(m);
        },
        [&] {
          m.set(in.freeing, true);
          m.set(in.on_lru, false);
        });
    if (keeps_busy) {
      // dax_inode_busy() runs dax_zap_pages(), which sleeps on the mapping's
      // entry locks, inside the i_lock section ("it cannot be run under the
      // inode spinlock"). Checked after I-INO-1, R-004b's primary finding.
      typename D::Bool has_pages = m.no();
      for (int x = 0; x < m.cfg.pages; ++x)
        has_pages = has_pages || in.map[x] != kNone;
      m.violate(has_pages, Inv::kLock1);
    }
  }
}

// iput -> iput_final. atomic_dec_and_lock(&i_count, &i_lock): the decrement
// to zero and ->drop_inode's decision are one i_lock section, so they are one
// step. generic_drop_inode: drop (evict now) iff i_nlink == 0.
template <class D>
void IputDec(Machine<D>& m) {
  if (m.insn.op == Op::kIput) m.set(m.w.th[m.t].r[3], m.arg(0));
  auto ino = m.insn.op == Op::kIput ? m.lit(m.arg(0)) : ChainInode(m);
  const bool keeps_busy =
      m.cfg.is_dax() &&
      m.cfg.policy.evict_barrier == EvictDaxBarrier::kDropInodeKeepsBusy;
  m.with(m.w.ino, ino, m.cfg.inodes(), [&](auto& in) {
    m.when(
        in.i_count <= 0 || in.freed,
        [&] {
          m.violate(in.freed, Inv::kRef4);
          m.violate(m.yes(), Inv::kRef3);
          IputChainDone(m);
        },
        [&] {
          m.add(in.i_count, -1);
          m.add(in.h_thr[m.t], -1);
          m.when(
              in.i_count > 0, [&] { IputChainDone(m); },
              [&] { IputFinal(m, in, keeps_busy); });
        });
  });
}

// evict -> ->evict_inode: dax_break_layout_final (BREAK_LAYOUT_FINAL) unmaps
// and finds busy pages; the wait is the next step.
template <class D>
void EvictBarrier(Machine<D>& m) {
  const bool barrier = m.cfg.is_dax() && m.cfg.policy.evict_barrier ==
                                             EvictDaxBarrier::kBreakLayoutFinal;
  if (barrier && m.cfg.policy.ptl_on_zap && !m.await(PtlFree(m))) return;
  m.with(m.w.ino, ChainInode(m), m.cfg.inodes(), [&](auto& in) {
    m.violate(in.i_count != 0 || !in.freeing, Inv::kIno2);
    if (!barrier) {
      m.go(Step::kEvictFree);
      return;
    }
    for (int e = 0; e < m.cfg.ptes; ++e)
      m.when(m.w.pte[e].file == ChainInode(m), [&] { ZapPte(m, e); });
    m.when(!InodeDaxBusy(m, in), [&] { m.go(Step::kEvictFree); });
  });
}

// wait_page_idle_uninterruptible, then rescan.
template <class D>
void EvictWait(Machine<D>& m) {
  auto busy = m.read(
      m.w.ino, ChainInode(m), m.cfg.inodes(),
      [&](const auto& in) { return InodeDaxBusy(m, in); }, m.no());
  if (!m.await(!busy)) return;
  m.go(Step::kEvictBarrier);
}

// ->evict_inode's block freeing: I-DAX-3 first (no access may outlive the
// inode), then every page/block of the inode goes back.
template <class D>
void FreeInodePages(Machine<D>& m, typename World<D>::Inode& in) {
  if (m.cfg.is_dax()) {
    // I-DAX-3: no pin, transient ref or mapping on the inode's blocks.
    typename D::Bool access = m.no();
    for (int x = 0; x < m.cfg.pages; ++x)
      for (int p = 0; p < m.cfg.phys_pages(); ++p)
        access = access || (in.map[x] == p && !PageIdleTruth(m, p));
    m.violate(access, Inv::kDax3);
  }
  for (int x = 0; x < m.cfg.pages; ++x) {
    // truncate_inode_pages_final -> truncate_cleanup_folio (mm/truncate.c):
    // "if (folio_mapped(folio)) unmap_mapping_folio(folio)". A VMA holds an
    // inode reference, so only a world past an ignored I-REF violation has
    // a page-cache page mapped here; left mapped, a FOLL_WRITE GUP on it
    // would retry its NOPAGE write fault for ever.
    if (!m.cfg.is_dax())
      for (int e = 0; e < m.cfg.ptes; ++e)
        m.when(m.w.pte[e].present && m.w.pte[e].page == in.map[x],
               [&] { ZapPte(m, e); });
    m.with(m.w.pg, in.map[x], m.cfg.phys_pages(),
           [&](auto& pg) { RemovePage(m, pg); });
    m.set(in.map[x], kNone);
  }
}

// The fs frees the unlinked inode's blocks, then destroy_inode.
template <class D>
void EvictFree(Machine<D>& m) {
  m.with(m.w.ino, ChainInode(m), m.cfg.inodes(), [&](auto& in) {
    FreeInodePages(m, in);
    m.set(in.freed, true);
    IputChainDone(m);
  });
}

// prune_icache_sb -> inode_lru_isolate reaching inode `file` (which inode
// the LRU walk reaches is the argument), under i_lock: an unreferenced
// inode on the LRU gets I_FREEING and dispose_list evicts it, through the
// eviction barrier (EvictBarrier..EvictFree). fs/inode.c. Mainline
// (prune_icache_pages=skip) leaves an inode whose mapping is not empty: it
// runs invalidate_mapping_pages and retries, and that drops no DAX entry
// (mm/truncate.c: "for DAX we do nothing") and no mapped or pinned page;
// the model does not invalidate clean page cache here, so such an inode
// stays whole. Under evict, reclaim waits in the barrier for DMA: the
// reclaim entanglement of seed 004 when the pin holder is the one
// reclaiming. No shrinker runs while umount holds s_umount.
template <class D>
void PruneIsolate(Machine<D>& m) {
  const int f = m.arg(0);
  auto& in = m.w.ino[f];
  typename D::Bool cached = m.no();
  if (m.cfg.policy.prune_icache_pages == PruneIcachePages::kSkip)
    for (int x = 0; x < m.cfg.pages; ++x) cached = cached || in.map[x] != kNone;
  auto reclaimable = in.on_lru && in.i_count == 0 && !in.freeing && !in.freed &&
                     !cached && m.w.sb_active && !m.w.sb_dying;
  m.when(
      !reclaimable, [&] { m.ret(0); },
      [&] {
        m.set(in.freeing, true);
        m.set(in.on_lru, false);
        m.set(m.w.th[m.t].r[3], f);
      });
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_INODE_STEPS_H_
