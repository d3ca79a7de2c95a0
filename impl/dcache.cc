// dcache ops (seed 000): lookup, dput, d_make_discardable, vfs_unlink,
// umount. Each `step_boundary` names the spec step (spec/dcache_steps.h)
// whose effect the code after it implements.
#include "impl/kernel.h"
#include "impl/lockref.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

// Ghost: which holder a put drops (the kernel cannot tell; the tracker can).
// The caller's own reference, else the legacy pin, else the PERSISTENT +1,
// else the caller goes negative (I-REF-1 then fires on the abstraction).
void Kernel::DropDentryHolder(int tid, Dentry& d) {
  if (d.h_thr[tid].get() > 0) {
    d.h_thr[tid].add(-1);
  } else if (d.h_pin.get() > 0) {
    d.h_pin.add(-1);
  } else if (d.h_persist.get() > 0) {
    d.h_persist.add(-1);
  } else {
    d.h_thr[tid].add(-1);
  }
}

// A userspace path walk: once umount detached the mount (SB_DYING) no walk
// reaches the superblock; the path it returns holds the mount (path_get).
int Kernel::lookup(int tid, int dd) {
  sync::step_boundary("LookupGet");
  Dentry& d = d_[dd];
  // __d_lookup: the hash check and the count++ under d_lock.
  const int32_t c = d_lock(d, tid, "LookupGet");
  const uint32_t f = d.flags.load(kRelaxed);
  if (!(f & kDcacheHashed) || !(f & kDcachePositive) ||
      (sb_.s_flags.load(kAcquire) & kSbDying)) {
    d_unlock(d);
    return kENOENT;
  }
  d_set_count_locked(d, tid, c + 1);
  d.h_thr[tid].add(1);
  sb_.mnt_count.fetch_add(1, kAcqRel);  // mntget
  d_unlock(d);
  return 0;
}

// A path walk and its path_put in one call (stat(2), an open-then-close).
int Kernel::stat(int tid, int dd) {
  const int r = lookup(tid, dd);
  return r < 0 ? r : dput(tid, dd);
}

// dput's locked path (also the legacy discard). Precondition: none held.
// Sets *kill when the count reached 0 on an unhashed dentry.
int Kernel::DputLocked(int tid, int dd, bool* kill, const char* step) {
  Dentry& d = d_[dd];
  *kill = false;
  const int32_t c = d_lock(d, tid, step);
  if (c <= 0) {  // WARN_ON_ONCE(count <= 0): detect, do nothing
    Warn(static_cast<int>(WarnSlot::kDputNonpositive));
    d_unlock(d);
    return 0;
  }
  d_set_count_locked(d, tid, c - 1);
  DropDentryHolder(tid, d);
  *kill = c - 1 == 0 && !(d.flags.load(kRelaxed) & kDcacheHashed);
  d_unlock(d);
  return 0;
}

// path_put: the dentry's reference (and any kill and iput), then the
// mount's.
int Kernel::dput(int tid, int dd) {
  const int r = DputPath(tid, dd);
  sb_.mnt_count.fetch_sub(1, kAcqRel, "mntput");
  return r;
}

int Kernel::DputPath(int tid, int dd) {
  Dentry& d = d_[dd];
  sync::step_boundary("DputFast");
  if (lockref_put_fast(d, "DputFast")) {
    DropDentryHolder(tid, d);
    return 0;
  }
  sync::step_boundary("DputSlow");
  bool kill = false;
  const int r = DputLocked(tid, dd, &kill);
  return kill ? DentryKill(tid, dd) : r;
}

// __dentry_kill without the iput. Precondition: `tid` holds dd's d_lock.
// Takes the parent's d_lock inside (child before parent, as the kernel).
void Kernel::KillDentry(int tid, int dd) {
  Dentry& d = d_[dd];
  d_set_count_locked(d, tid, kDentryDeadCount);  // lockref_mark_dead
  d.flags.fetch_and(~kDcacheHashed, kRelaxed);
  d.freed.set(true);
  if (dd >= 1 && dd <= cfg_.files) {
    d_add_count(d_[0], tid, -1, "DentryKill.parent");
    d_[0].h_child.add(-1);
  }
  if (dd > cfg_.files && (d.flags.load(kRelaxed) & kDcachePositive))
    PutEi(ev_[dd - 1 - cfg_.files]);  // eventfs d_release: put_ei
}

// lock_for_kill + __dentry_kill: gives up if someone re-got the dentry. A
// positive dentry's inode reference moves to this thread's iput.
int Kernel::DentryKill(int tid, int dd) {
  sync::step_boundary("DentryKill");
  Dentry& d = d_[dd];
  if (d_lock(d, tid, "DentryKill") != 0) {
    d_unlock(d);
    return 0;
  }
  KillDentry(tid, dd);
  const bool positive = d.flags.load(kRelaxed) & kDcachePositive;
  d.flags.fetch_and(~kDcachePositive, kRelaxed);
  const int ino = dd <= cfg_.files ? dd : kNoObj;
  if (ino == kNoObj || !positive) {
    d_unlock(d);
    return 0;
  }
  ino_[ino].h_alias.add(-1);
  ino_[ino].h_thr[tid].add(1);
  d_unlock(d);
  return IputChain(tid, ino);
}

// prune_dcache_sb reaching dd: dentry_lru_isolate under d_lock takes an
// unused hashed dentry, shrink_dentry_list kills it (DentryKill re-checks
// the count under d_lock). Not while umount holds s_umount.
int Kernel::shrink_dcache(int tid, int dd) {
  sync::step_boundary("ShrinkDentry");
  if ((sb_.s_flags.load(kAcquire) & (kSbActive | kSbDying)) != kSbActive)
    return 0;
  Dentry& d = d_[dd];
  const int32_t c = d_lock(d, tid, "ShrinkDentry");
  const bool unused = c == 0 && (d.flags.load(kRelaxed) & kDcacheHashed);
  d_unlock(d);
  return unused ? DentryKill(tid, dd) : 0;
}

// d_make_discardable's body under d_lock: warn on a non-persistent dentry
// (detects, does not prevent the underflow: I-DC-2), clear the flag, drop
// the +1 it owns (I-DC-1).
// Returns the new count. Precondition: `tid` holds d_lock.
static int32_t DiscardBodyLocked(Dentry& d, int tid, int32_t c, bool* warn) {
  const uint32_t f = d.flags.fetch_and(~kDcachePersistent, kRelaxed);
  *warn = !(f & kDcachePersistent);
  if (!*warn) d.h_persist.add(-1);
  d_set_count_locked(d, tid, c - 1);
  return c - 1;
}

int Kernel::d_make_discardable(int tid, int dd) {
  sync::step_boundary("DiscardFlag");
  if (cfg_.policy.dentry_pin == DentryPinScheme::kLegacyDget) {
    bool kill = false;  // legacy: "dput(d); // unpin it"
    const int r = DputLocked(tid, dd, &kill);
    return kill ? DentryKill(tid, dd) : r;
  }
  Dentry& d = d_[dd];
  bool warn = false;
  const int32_t c =
      DiscardBodyLocked(d, tid, d_lock(d, tid, "DiscardFlag"), &warn);
  if (warn) Warn(static_cast<int>(WarnSlot::kDiscardNonpersistent));
  d_unlock(d);
  // finish_dput: at 0 the dentry is killed at once, retained or not.
  return c == 0 ? DentryKill(tid, dd) : 0;
}

int Kernel::vfs_unlink(int tid, int dd) {
  sync::step_boundary("UnlinkNlink");
  const int ino = dd <= cfg_.files ? dd : kNoObj;
  if (dd == 0 || ino == kNoObj) return kEBUSY;
  Dentry& d = d_[dd];
  int32_t c = d_lock(d, tid, "UnlinkNlink");
  const uint32_t f = d.flags.load(kRelaxed);
  if (!(f & kDcacheHashed) || !(f & kDcachePositive)) {
    d_unlock(d);
    return kENOENT;
  }
  ino_[ino].i_nlink.fetch_sub(1, kRelaxed);  // drop_nlink
  if (cfg_.fs == FsKind::kLibfs) {           // simple_unlink drops the pin
    if (cfg_.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
      bool warn = false;
      c = DiscardBodyLocked(d, tid, c, &warn);
      if (warn) Warn(static_cast<int>(WarnSlot::kDiscardNonpersistent));
    } else {
      d_set_count_locked(d, tid, --c);
      d.h_pin.add(-1);
    }
  }
  if (c == 0) {  // d_delete: nobody holds it, kill now
    d_unlock(d);
    return DentryKill(tid, dd);
  }
  d.flags.fetch_and(~kDcacheHashed, kRelaxed);  // the last dput kills it
  d_unlock(d);
  return 0;
}

// umount(2): -EBUSY while userspace holds the mount; otherwise detach it and
// run ->kill_sb, which first stops the internal removal work
// (cancel_work_sync: wait for a running one, cancel the rest), then
// generic_shutdown_super (spec/dcache_steps.h KillSbQuiesce).
int Kernel::umount(int tid) {
  sync::step_boundary("KillSbQuiesce");
  const bool cancel = cfg_.policy.kill_sb_quiesce == KillSbQuiesce::kCancelWork;
  if (cancel)
    sb_.wq.wait(
        [&] {
          return sb_.mnt_count.load(kAcquire) > 0 ||
                 sb_.rm_work.load(kAcquire) == kNoObj;
        },
        "KillSbQuiesce");
  if (sb_.mnt_count.load(kAcquire) > 0) return kEBUSY;
  sb_.s_flags.fetch_or(kSbDying, kAcqRel);
  if (cancel) sb_.work_cancelled.store(true, kRelease);
  sync::step_boundary("UmountLitter");
  if (cfg_.fs == FsKind::kLibfs && cfg_.policy.kill_sb == KillSb::kLitter) {
    // d_genocide: a put on every hashed positive dentry, no underflow check.
    for (int dd = 1; dd <= cfg_.files; ++dd) {
      Dentry& d = d_[dd];
      const int32_t c = d_lock(d, tid, "UmountLitter");
      const uint32_t f = d.flags.load(kRelaxed);
      if ((f & kDcacheHashed) && (f & kDcachePositive) &&
          !(f & kDcacheGenocide) && !(f & kDcachePersistent)) {
        d.flags.fetch_or(kDcacheGenocide, kRelaxed);
        d_set_count_locked(d, tid, c - 1);
        if (d.h_pin.get() > 0) d.h_pin.add(-1);
      }
      d_unlock(d);
    }
  }
  sync::step_boundary("UmountShrink");  // (I-DC-6 is the harness's)
  for (int dd = 1; dd <= cfg_.files; ++dd) {
    Dentry& d = d_[dd];
    int32_t c = d_lock(d, tid, "UmountShrink");
    if (c != kDentryDeadCount && (d.flags.load(kRelaxed) & kDcachePersistent)) {
      // select_collect_umount strips PERSISTENT.
      d.flags.fetch_and(~kDcachePersistent, kRelaxed);
      d_set_count_locked(d, tid, --c);
      d.h_persist.add(-1);
    }
    if (c == 0) {
      KillDentry(tid, dd);
      if (d.flags.fetch_and(~kDcachePositive, kRelaxed) & kDcachePositive) {
        ino_[dd].i_count.fetch_sub(1, kAcqRel);
        ino_[dd].h_alias.add(-1);
      }
    }
    d_unlock(d);
  }
  sync::step_boundary("UmountCheck");
  for (int dd = 1; dd <= cfg_.files; ++dd)
    if (LockrefCount(d_[dd].lockref.load(kRelaxed)) != kDentryDeadCount)
      Warn(static_cast<int>(WarnSlot::kUmountBusyDentry));
  {
    Dentry& root = d_[0];
    const int32_t c = d_lock(root, tid, "UmountCheck");
    if (c == 1 && root.h_root.get() == 1) {  // only s_root holds it
      root.h_root.add(-1);
      d_set_count_locked(root, tid, 0);
      KillDentry(tid, 0);
      root.flags.fetch_and(~kDcachePositive, kRelaxed);
      ino_[0].i_count.fetch_sub(1, kAcqRel);
      ino_[0].h_alias.add(-1);
    } else {
      Warn(static_cast<int>(WarnSlot::kUmountBusyDentry));
    }
    d_unlock(root);
  }
  sync::step_boundary("UmountEvict");
  const bool barrier = cfg_.is_dax() && cfg_.policy.evict_barrier ==
                                            EvictDaxBarrier::kBreakLayoutFinal;
  auto evictable = [&](const Inode& in) {
    return !in.freed.get() && !(in.i_state.load(kRelaxed) & kIFreeing) &&
           in.i_count.load(kRelaxed) == 0;
  };
  if (barrier) {
    sb_.wq.wait(
        [&] {
          for (int i = 1; i < cfg_.inodes(); ++i)
            if (evictable(ino_[i]) && InodeDaxBusy(ino_[i])) return false;
          return true;
        },
        "UmountEvict");
  }
  sb_.s_flags.fetch_and(~kSbActive, kAcqRel);
  for (int i = 0; i < cfg_.inodes(); ++i) {
    Inode& in = ino_[i];
    in.i_lock.lock(tid, "UmountEvict");
    const bool evict = evictable(in);  // skips I_FREEING: being evicted
    if (evict) in.i_state.fetch_or(kIFreeing, kRelaxed);
    in.i_lock.unlock();
    if (!evict) continue;
    FreeInodePages(in);
    in.freed.set(true);
  }
  for (int i = 0; i < cfg_.inodes(); ++i)
    if (!ino_[i].freed.get()) Warn(static_cast<int>(WarnSlot::kBusyInodes));
  return 0;
}

// The filesystem's internal removal work (functionfs ->reset_work running
// simple_remove_by_name), one work item: it does not run concurrently with
// itself, and never once ->kill_sb cancelled it. lookup, then
// simple_recursive_removal (d_invalidate, d_make_discardable or the legacy
// unpinning dput), then the dput paired with the lookup.
int Kernel::remove_work(int tid, int dd) {
  sync::step_boundary("RmWorkGet");
  for (;;) {
    int32_t none = kNoObj;
    if (sb_.work_cancelled.load(kAcquire)) return 0;  // never runs
    if (sb_.rm_work.cas(none, tid, kAcqRel, kAcquire, "rm_work.start")) break;
    sb_.wq.wait(
        [&] {
          return sb_.work_cancelled.load(kAcquire) ||
                 sb_.rm_work.load(kAcquire) == kNoObj;
        },
        "RmWorkGet");
  }
  const int r = RemoveByName(tid, dd);
  sb_.rm_work.store(kNoObj, kRelease);  // the work item finished
  sb_.wq.wake_all("rm_work.done");
  return r;
}

int Kernel::RemoveByName(int tid, int dd) {
  Dentry& d = d_[dd];
  // lookup_noperm_positive_unlocked: a dget, no mount. The lookup finds
  // only a file the fs created for itself (spec RmWorkOwnFile).
  const bool own = cfg_.fs == FsKind::kLibfs && dd >= 1 && dd <= cfg_.files;
  int32_t c = d_lock(d, tid, "RmWorkGet");
  uint32_t f = d.flags.load(kRelaxed);
  if (!own || !(f & kDcacheHashed) || !(f & kDcachePositive)) {
    d_unlock(d);
    return kENOENT;
  }
  d_set_count_locked(d, tid, c + 1);
  d.h_thr[tid].add(1);
  d_unlock(d);
  sync::step_boundary("RmWorkDiscard");
  c = d_lock(d, tid, "RmWorkDiscard");
  if (dd <= cfg_.files) ino_[dd].i_nlink.store(0, kRelaxed);  // clear_nlink
  d.flags.fetch_and(~kDcacheHashed, kRelaxed);                // d_invalidate
  if (cfg_.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
    bool warn = false;
    DiscardBodyLocked(d, tid, c, &warn);
    if (warn) Warn(static_cast<int>(WarnSlot::kDiscardNonpersistent));
  } else {
    d_set_count_locked(d, tid, c - 1);  // "dput(victim); // unpin it"
    d.h_pin.add(-1);
  }
  d_unlock(d);
  sync::step_boundary("RmWorkDput");
  bool kill = false;
  const int r = DputLocked(tid, dd, &kill, "RmWorkDput");
  return kill ? DentryKill(tid, dd) : r;
}

}  // namespace lifecheck::impl
