// dcache steps (seed 000): lookup, dput, d_make_discardable, unlink, umount.
// kernel-semantics §3.1; each function is one atomic step.
#ifndef LIFECHECK_SPEC_DCACHE_STEPS_H_
#define LIFECHECK_SPEC_DCACHE_STEPS_H_

#include "spec/inode_steps.h"

namespace lifecheck {

// Which reference a put drops: the caller's own if it holds one, else the
// anonymous legacy pin, else the PERSISTENT +1. The kernel cannot tell them
// apart ("we have no way to tell which of the increments is intended to be an
// unpaired one", seed 000); the oracle can, and I-REF-1/I-DC-1 say so.
template <class D>
void DropDentryHolder(Machine<D>& m, typename World<D>::Dentry& d) {
  m.when(
      d.h_thr[m.t] > 0, [&] { m.add(d.h_thr[m.t], -1); },
      [&] {
        m.when(
            d.h_pin > 0, [&] { m.add(d.h_pin, -1); },
            [&] {
              // Nobody's reference: the caller's count goes negative
              // (I-REF-1), unless it is the PERSISTENT +1 (I-DC-1).
              m.when(
                  d.h_persist > 0, [&] { m.add(d.h_persist, -1); },
                  [&] { m.add(d.h_thr[m.t], -1); });
            });
      });
}

// d_make_discardable's body: warn on a non-persistent dentry, clear the flag,
// drop the +1 it claims. The count drops even without the flag: "the warning
// detects but does not prevent an underflow" (kernel-semantics §3.1.4).
template <class D>
void DiscardBody(Machine<D>& m, typename World<D>::Dentry& d) {
  m.warn(!d.persistent, Warn::kDiscardNonpersistent);
  m.violate(!d.persistent, Inv::kDc2);
  m.violate(d.freed, Inv::kRef4);
  m.violate(d.count <= 0, Inv::kRef3);
  m.when(d.persistent, [&] { m.add(d.h_persist, -1); });
  m.set(d.persistent, false);
  m.add(d.count, -1);
}

// __dentry_kill without the iput: mark dead, unhash, unlist from the parent.
// The inode reference the alias held moves to the killing thread, which drops
// it in the iput chain (so I-REF-1 holds between the two steps).
template <class D>
void KillDentry(Machine<D>& m, int dd) {
  auto& d = m.w.d[dd];
  m.set(d.count, kDentryDead);
  m.set(d.hashed, false);
  m.set(d.freed, true);
  if (dd >= 1 && dd <= m.cfg.files) {
    m.add(m.w.d[0].count, -1);
    m.add(m.w.d[0].h_child, -1);
  }
  if (dd > m.cfg.files) {  // eventfs dentry: d_release puts its ei (§3.7.5)
    auto& ev = m.w.ev[dd - 1 - m.cfg.files];
    m.when(d.positive, [&] { PutEi(m, ev); });
  }
}

// lookup: a userspace path walk, dget on a hashed positive dentry; a 0 -> 1
// get of a cached dentry is legal (kernel-semantics §1.2). The path it
// returns holds the mount too (path_get: mntget + dget), which is what makes
// umount(2) fail with -EBUSY while userspace uses the filesystem. Once
// umount detached the mount (sb_dying) no walk reaches the superblock.
template <class D>
void LookupGet(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  m.when(
      !d.hashed || !d.positive || m.w.sb_dying, [&] { m.ret(kENOENT); },
      [&] {
        m.add(d.count, 1);
        m.add(d.h_thr[m.t], 1);
        m.add(m.w.mnt_count, 1);
        if (m.insn.op == Op::kLookup) m.ret(0);  // stat goes on to the put
      });
}

// dput S1: lockref_put_return, lock-free while the count stays positive.
// (The userspace dput and stat's put are path_put: PathPutRet.)
template <class D>
void DputFast(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  m.when(d.count > 1, [&] {
    m.add(d.count, -1);
    DropDentryHolder(m, d);
    PathPutRet(m);
  });
}

// dput S1'/S3 under d_lock: the last reference. An unhashed dentry is killed;
// a hashed one is retained at count 0 (cached).
// dput's last-reference path under d_lock: WARN and do nothing on a count
// that is already <= 0; otherwise drop it, and kill an unhashed dentry at 0
// (a hashed one is retained, cached at count 0).
template <class D>
void DputLocked(Machine<D>& m, typename World<D>::Dentry& d) {
  m.when(
      d.count <= 0,
      [&] {
        m.warn(m.yes(), Warn::kDputNonpositive);
        m.violate(d.freed, Inv::kRef4);
        m.violate(m.yes(), Inv::kRef3);
        PathPutRet(m);
      },
      [&] {
        m.add(d.count, -1);
        DropDentryHolder(m, d);
        m.when(
            d.count == 0 && !d.hashed, [&] { m.go(Step::kDentryKill); },
            [&] { PathPutRet(m); });
      });
}

// dput S1'/S3: the last reference.
template <class D>
void DputSlow(Machine<D>& m) {
  DputLocked(m, m.w.d[m.arg(0)]);
}

// lock_for_kill + __dentry_kill (S4/S5). Gives up if someone re-got it.
// A positive dentry's inode reference moves to this thread, which drops it
// in the iput chain that follows.
template <class D>
void DentryKill(Machine<D>& m) {
  const int dd = m.arg(0);
  auto& d = m.w.d[dd];
  const int ino = InodeOfDentry(m.cfg, dd);
  m.when(
      d.count != 0, [&] { PathPutRet(m); },
      [&] {
        KillDentry(m, dd);
        if (ino == kNone) {  // eventfs: no inode in the model
          m.set(d.positive, false);
          PathPutRet(m);
          return;
        }
        m.when(
            d.positive,
            [&] {
              m.set(d.positive, false);
              m.add(m.w.ino[ino].h_alias, -1);
              m.add(m.w.ino[ino].h_thr[m.t], 1);
              m.set(m.w.th[m.t].r[3], ino);
              m.go(Step::kIputDec);
            },
            [&] { PathPutRet(m); });
      });
}

// prune_dcache_sb -> dentry_lru_isolate reaching dentry d (which dentry the
// LRU walk reaches is the argument): under d_lock an unused hashed dentry (a
// disk file's cached dentry, a tracefs dentry tracefs_d_delete retained at
// count 0) goes to the dispose list, and shrink_dentry_list kills it next
// (DentryKill: lock_for_kill gives up if someone re-got it). fs/dcache.c.
// The kill drops the inode's alias reference (iput: a linked inode goes to
// the LRU) or, for eventfs, puts the ei (d_release): the shrinker is what
// runs release_ei for a removed event whose dentry stayed cached. No
// shrinker runs while umount holds s_umount (super_cache_scan's trylock).
template <class D>
void ShrinkDentry(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  m.when(!d.hashed || d.count != 0 || !m.w.sb_active || m.w.sb_dying,
         [&] { m.ret(0); });
}

// d_make_discardable (persistent scheme) or the legacy "dput(d); // unpin it".
template <class D>
void DiscardFlag(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  if (m.cfg.policy.dentry_pin == DentryPinScheme::kLegacyDget) {
    DputLocked(m, d);  // legacy: "dput(d); // unpin it"
    return;
  }
  DiscardBody(m, d);
  // finish_dput: at 0 the dentry is killed at once, retained or not.
  m.when(
      d.count == 0, [&] { m.go(Step::kDentryKill); }, [&] { m.ret(0); });
}

// vfs_unlink: drop_nlink; a libfs drops its pin (simple_unlink); d_delete
// kills a dentry nobody holds, else unhashes it for the last dput to kill.
template <class D>
void UnlinkNlink(Machine<D>& m) {
  const int dd = m.arg(0);
  const int ino = InodeOfDentry(m.cfg, dd);
  if (dd == 0 || ino == kNone) {  // root or an eventfs dentry
    m.ret(kEBUSY);
    return;
  }
  auto& d = m.w.d[dd];
  auto& in = m.w.ino[ino];
  m.when(
      !d.hashed || !d.positive, [&] { m.ret(kENOENT); },
      [&] {
        m.add(in.i_nlink, -1);
        if (m.cfg.fs == FsKind::kLibfs) {
          if (m.cfg.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
            DiscardBody(m, d);
          } else {
            m.add(d.count, -1);
            m.add(d.h_pin, -1);
          }
        }
        m.when(
            d.count == 0, [&] { m.go(Step::kDentryKill); },
            [&] {
              m.set(d.hashed, false);
              m.ret(0);
            });
      });
}

// umount(2) and the start of ->kill_sb. do_umount refuses a mount that
// userspace still holds (an open path, a mapped file): -EBUSY, nothing is
// torn down. Otherwise the mount is detached and deactivate_super calls
// ->kill_sb, which first stops the filesystem's internal removers: with
// kill_sb_quiesce=cancel_work it waits for a running one (cancel_work_sync)
// and cancels the rest (functionfs "cancel ->reset_work in ->kill_sb()"),
// so none touches a dentry once generic_shutdown_super began (I-DC-6).
template <class D>
void KillSbQuiesce(Machine<D>& m) {
  const bool cancel =
      m.cfg.policy.kill_sb_quiesce == KillSbQuiesce::kCancelWork;
  if (cancel && !m.await(m.w.mnt_count > 0 || m.w.rm_work == kNone)) return;
  m.when(
      m.w.mnt_count > 0, [&] { m.ret(kEBUSY); },
      [&] {
        m.set(m.w.sb_dying, true);
        if (cancel) m.set(m.w.work_cancelled, true);
      });
}

// kill_litter_super's d_genocide (legacy): drops a count on every hashed
// positive dentry "without any underflow check" (kernel-semantics §3.1.9).
template <class D>
void UmountLitter(Machine<D>& m) {
  // kill_litter_super is a libfs's ->kill_sb; disk filesystems never had it.
  if (m.cfg.fs != FsKind::kLibfs || m.cfg.policy.kill_sb != KillSb::kLitter)
    return;
  for (int dd = 1; dd <= m.cfg.files; ++dd) {
    auto& d = m.w.d[dd];
    m.when(d.hashed && d.positive && !d.genocide && !d.persistent, [&] {
      m.set(d.genocide, true);
      m.add(d.count, -1);
      m.when(d.h_pin > 0, [&] { m.add(d.h_pin, -1); });
      m.violate(d.count < 0, Inv::kRef3);
    });
  }
}

// shrink_dcache_for_umount: select_collect_umount strips PERSISTENT; dentries
// at count 0 are killed (lock_for_kill fails on a negative count). An
// internal remover still running here races the shutdown (R-000c, I-DC-6).
template <class D>
void UmountShrink(Machine<D>& m) {
  m.violate(m.w.rm_work != kNone, Inv::kDc6);
  for (int dd = 1; dd <= m.cfg.files; ++dd) {
    auto& d = m.w.d[dd];
    auto& in = m.w.ino[dd];
    m.when(d.count != kDentryDead && d.persistent, [&] {
      m.set(d.persistent, false);
      m.add(d.count, -1);
      m.add(d.h_persist, -1);
      m.violate(d.count < 0, Inv::kRef3);
    });
    m.when(d.count == 0, [&] {
      KillDentry(m, dd);
      m.when(d.positive, [&] {
        m.set(d.positive, false);
        m.add(in.i_count, -1);
        m.add(in.h_alias, -1);
      });
    });
  }
}

// umount_check on every dentry, then the final dput of the root.
template <class D>
void UmountCheck(Machine<D>& m) {
  for (int dd = 1; dd <= m.cfg.files; ++dd) {
    auto& d = m.w.d[dd];
    m.warn(d.count != kDentryDead, Warn::kUmountBusyDentry);
    m.violate(d.count != kDentryDead, Inv::kDc4);
  }
  auto& root = m.w.d[0];
  auto& rin = m.w.ino[0];
  m.when(
      root.count == 1 && root.h_root == 1,
      [&] {
        m.add(root.h_root, -1);
        m.set(root.count, 0);
        KillDentry(m, 0);
        m.set(root.positive, false);
        m.add(rin.i_count, -1);
        m.add(rin.h_alias, -1);
      },
      [&] {
        m.warn(m.yes(), Warn::kUmountBusyDentry);
        m.violate(m.yes(), Inv::kDc4);
      });
}

// generic_shutdown_super's evict_inodes and the busy-inodes check. Each
// evicted inode goes through ->evict_inode: with BREAK_LAYOUT_FINAL the step
// waits until no evictable DAX inode has a busy page (the v6.15 umount fix),
// then the blocks are freed (I-DAX-3 as in EvictFree).
template <class D>
void UmountEvict(Machine<D>& m) {
  const bool barrier = m.cfg.is_dax() && m.cfg.policy.evict_barrier ==
                                             EvictDaxBarrier::kBreakLayoutFinal;
  if (barrier) {
    typename D::Bool busy = m.no();
    for (int i = 1; i < m.cfg.inodes(); ++i) {
      auto& in = m.w.ino[i];
      busy = busy || (!in.freed && !in.freeing && in.i_count == 0 &&
                      InodeDaxBusy(m, in));
    }
    if (!m.await(!busy)) return;
  }
  m.set(m.w.sb_active, false);
  for (int i = 0; i < m.cfg.inodes(); ++i) {
    auto& in = m.w.ino[i];
    // evict_inodes skips I_FREEING inodes: another thread is evicting them.
    m.when(!in.freed && !in.freeing && in.i_count == 0, [&] {
      m.set(in.freeing, true);
      FreeInodePages(m, in);
      m.set(in.freed, true);
    });
  }
  for (int i = 0; i < m.cfg.inodes(); ++i) {
    auto& in = m.w.ino[i];
    m.warn(!in.freed, Warn::kBusyInodes);
    m.violate(!in.freed, Inv::kDc5);
  }
}

// ---- a kernel-internal remover (seed 000 R-000c) ----
// A filesystem's own removal work (functionfs ->reset_work, or any kworker
// running simple_remove_by_name(parent, name, cb)): look the child up, then
// simple_recursive_removal: d_invalidate + d_make_discardable (legacy: the
// unpinning dput), then the dput paired with the lookup. The work runs
// unless ->kill_sb cancelled it; a dentry op once the shutdown began is
// I-DC-6 (kernel-semantics §4.2).

// lookup_noperm_positive_unlocked: no mount, no path walk: a plain dget.
// The fs has one such work item: a second removal queued while it runs
// waits for it (a work item does not run concurrently with itself).
// simple_remove_by_name(root, name) finds only a child the fs created for
// itself (d_make_persistent): a libfs file. The root is no child, eventfs
// dentries belong to tracefs, and a disk or DAX fs has no such remover:
// -ENOENT, nothing removed (RmWorkOwnFile).
template <class D>
bool RmWorkOwnFile(Machine<D>& m) {
  const int dd = m.arg(0);
  return m.cfg.fs == FsKind::kLibfs && dd >= 1 && dd <= m.cfg.files;
}
template <class D>
void RmWorkGet(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  const bool own = RmWorkOwnFile(m);
  if (!m.await(m.w.rm_work == kNone)) return;
  m.when(
      m.w.work_cancelled, [&] { m.ret(0); },  // cancel_work_sync: never ran
      [&] {
        m.violate(m.w.sb_dying, Inv::kDc6);
        m.set(m.w.rm_work, m.t);
        m.when(
            m.lit(!own) || !d.hashed || !d.positive, [&] { m.ret(kENOENT); },
            [&] {
              m.add(d.count, 1);
              m.add(d.h_thr[m.t], 1);
            });
      });
}

// simple_recursive_removal on the victim: clear_nlink, d_invalidate, then
// drop the fs's +1 (d_make_discardable, or the legacy "dput(victim); //
// unpin it").
template <class D>
void RmWorkDiscard(Machine<D>& m) {
  auto& d = m.w.d[m.arg(0)];
  m.violate(m.w.sb_dying, Inv::kDc6);
  const int ino = InodeOfDentry(m.cfg, m.arg(0));
  if (ino != kNone) m.set(m.w.ino[ino].i_nlink, 0);
  m.set(d.hashed, false);
  if (m.cfg.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
    DiscardBody(m, d);
  } else {
    m.violate(d.count <= 0, Inv::kRef3);
    m.add(d.count, -1);
    m.add(d.h_pin, -1);
  }
}

// The dput paired with the lookup: the last reference kills the unhashed
// dentry (the chain then drops its inode reference).
template <class D>
void RmWorkDput(Machine<D>& m) {
  m.violate(m.w.sb_dying, Inv::kDc6);
  DputLocked(m, m.w.d[m.arg(0)]);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_DCACHE_STEPS_H_
