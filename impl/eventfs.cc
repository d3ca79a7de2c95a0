// eventfs ops (seed 002): a cached dentry of a removed event directory must
// not let open() reach freed trace_event_file data (spec/eventfs_steps.h).
#include "impl/kernel.h"
#include "impl/lockref.h"

namespace lifecheck::impl {

using sync::kAcqRel;
using sync::kAcquire;
using sync::kRelaxed;
using sync::kRelease;

namespace {

// eventfs_root_lookup instantiating the "enable" file: a new dentry with
// d_fsdata = get_ei(ei); `holder` says whether the caller keeps a count.
// Precondition: `tid` holds d's d_lock.
void EvInstantiate(Dentry& d, Event& ev, int tid, bool holder) {
  d_set_count_locked(d, tid, holder ? 1 : 0);
  d.h_thr[tid].set(holder ? 1 : 0);
  d.flags.fetch_or(kDcacheHashed | kDcachePositive, kRelaxed);
  d.freed.set(false);
  ev.kref.fetch_add(1, kRelaxed);
}

}  // namespace

// With the event-file refcount and release_ei's callback (b63db58e2fa5),
// the ei holds a reference on its event file.
bool Kernel::EiHoldsEventFile() const {
  return cfg_.policy.event_file_guard == EventFileGuard::kOn &&
         cfg_.policy.eventfs_release_cb == EventfsReleaseCb::kOn;
}

// event_file_put (bb32500fb9b7): at 0 the file is freed if FL_FREED is set,
// else it warns. acq_rel: every holder's accesses happen before the free.
void Kernel::EventFilePut(Event& ev) {
  const int32_t old = ev.ef_ref.fetch_sub(1, kAcqRel, "event_file_put");
  if (old <= 0) Warn(static_cast<int>(WarnSlot::kRefcountSubUaf));
  if (old - 1 != 0) return;
  if (ev.ef_flags.load(kAcquire) & kEventFileFreed)
    ev.ef_freed.set(true);
  else
    Warn(static_cast<int>(WarnSlot::kEvfilePutZero));
}

// put_ei: at kref 0 release_ei warns unless free_ei ran and calls the
// "enable" entry's release (event_release -> event_file_put).
void Kernel::PutEi(Event& ev) {
  if (ev.kref.fetch_sub(1, kAcqRel, "put_ei") - 1 != 0) return;
  if (!ev.is_freed.load(kAcquire))
    Warn(static_cast<int>(WarnSlot::kEiReleaseNotFreed));
  if (EiHoldsEventFile()) {
    ev.h_ei.add(-1);
    EventFilePut(ev);
  }
}

int Kernel::eventfs_lookup(int tid, int e) {
  Event& ev = ev_[e];
  Dentry& d = d_[cfg_.event_dentry(e)];
  sync::step_boundary("EvLookupInst");
  sb_.event_mutex.lock(tid, "EvLookupInst");  // eventfs_mutex
  if (ev.is_freed.load(kAcquire)) {
    sb_.event_mutex.unlock();
    return kENOENT;
  }
  const int32_t c = d_lock(d, tid, "EvLookupInst");
  if (!(d.flags.load(kRelaxed) & kDcacheHashed)) {
    EvInstantiate(d, ev, tid, true);
  } else {
    d_set_count_locked(d, tid, c + 1);
    d.h_thr[tid].add(1);
  }
  d_unlock(d);
  sb_.event_mutex.unlock();
  // ... then dput: tracefs_d_delete keeps the dentry cached at count 0.
  sync::step_boundary("EvLookupPut");
  d_add_count(d, tid, -1, "EvLookupPut");
  d.h_thr[tid].add(-1);
  return 0;
}

// remove_event_file_dir: eventfs_remove_dir (free_ei), FL_FREED, the
// creation reference. The kprobe's -EBUSY while a file is open reads the
// event file's ref: more than the creation's and the ei's means an open.
int Kernel::eventfs_remove_dir(int tid, int e) {
  Event& ev = ev_[e];
  const bool guard = cfg_.policy.event_file_guard == EventFileGuard::kOn;
  sync::step_boundary("EvRemoveDir");
  sb_.event_mutex.lock(tid, "EvRemoveDir");
  if (ev.is_freed.load(kRelaxed)) {  // already removed
    sb_.event_mutex.unlock();
    return kENOENT;
  }
  const int32_t base = 1 + (EiHoldsEventFile() ? 1 : 0);
  if (guard && ev.ef_ref.load(kAcquire) > base) {
    sb_.event_mutex.unlock();
    return kEBUSY;
  }
  ev.is_freed.store(true, kRelease);  // free_ei ...
  PutEi(ev);                          // ... drops the creation kref
  ev.removed.set(true);
  ev.ef_flags.fetch_or(kEventFileFreed, kRelease);
  if (guard)
    EventFilePut(ev);  // the creation reference
  else
    ev.ef_freed.set(true);
  sb_.event_mutex.unlock();
  return 0;
}

// The opener's fput: drop its dentry reference; the last one on an
// invalidated dentry kills it. Precondition: the caller holds a count.
void Kernel::EvFput(int tid, int dd, const char* step) {
  Dentry& d = d_[dd];
  const int32_t c = d_lock(d, tid, step) - 1;
  d_set_count_locked(d, tid, c);
  d.h_thr[tid].add(-1);
  if (c == 0 && !(d.flags.load(kRelaxed) & kDcacheHashed)) {
    KillDentry(tid, dd);
    d.flags.fetch_and(~kDcachePositive, kRelaxed);
  }
  d_unlock(d);
}

// The walk, revalidate and dget every open of an event's file does
// (EvOpenWalk, EvOpenRevalidate, EvOpenGet). Returns 0 holding a dentry
// count, or the error.
int Kernel::EvOpenWalkGet(int tid, int e, const char* step) {
  (void)step;
  Event& ev = ev_[e];
  Dentry& d = d_[cfg_.event_dentry(e)];
  sync::step_boundary("EvOpenWalk");  // RCU walk: a cached hit at count 0
  d_lock(d, tid, "EvOpenWalk");
  if (!(d.flags.load(kRelaxed) & kDcacheHashed)) {
    if (ev.is_freed.load(kAcquire)) {  // negative lookups are not cached
      d_unlock(d);
      return kENOENT;
    }
    EvInstantiate(d, ev, tid, false);
  }
  d_unlock(d);
  // The spec takes EvOpenRevalidate under either policy (a no-op when
  // off): the marker too, so a spec schedule replays step for step.
  sync::step_boundary("EvOpenRevalidate");  // !(ei && ei->is_freed)
  if (cfg_.policy.eventfs_revalidate == EventfsRevalidate::kOn) {
    if (ev.is_freed.load(kAcquire)) {
      d_lock(d, tid, "EvOpenRevalidate");
      d.flags.fetch_and(~kDcacheHashed, kRelaxed);  // d_invalidate
      d_unlock(d);
      return kENOENT;
    }
  }
  // The RCU walk legitimises its dentry with lockref_get_not_dead: if
  // another open's failure path killed it since the walk, the walk restarts
  // and the real lookup of the freed event fails. (Sequentially the walk
  // just re-instantiated the dentry, so this only matters interleaved.)
  sync::step_boundary("EvOpenGet");
  const int32_t c = d_lock(d, tid, "EvOpenGet");
  if (c == kDentryDeadCount) {
    d_unlock(d);
    return kENOENT;
  }
  d_set_count_locked(d, tid, c + 1);
  d.h_thr[tid].add(1);
  d_unlock(d);
  return 0;
}

// tracing_open_file_tr: file->tr is read before any check (a freed file is
// the harness's I-EV-3), then FL_FREED under event_mutex (guard on).
int Kernel::eventfs_open(int tid, int e) {
  Event& ev = ev_[e];
  const int dd = cfg_.event_dentry(e);
  if (const int r = EvOpenWalkGet(tid, e, "EvOpenWalk"); r != 0) return r;
  sync::step_boundary("EvOpenCallback");
  if (cfg_.policy.event_file_guard == EventFileGuard::kOff) {
    ev.h_opens.add(1);  // uses inode->i_private directly
    return 0;
  }
  sb_.event_mutex.lock(tid, "EvOpenCallback");
  if (ev.ef_flags.load(kAcquire) & kEventFileFreed) {
    sb_.event_mutex.unlock();
    EvFput(tid, dd, "EvOpenCallback");  // the half-open file
    return kENODEV;
  }
  if (ev.ef_ref.fetch_add(1, kAcqRel) == 0)
    Warn(static_cast<int>(WarnSlot::kRefcountAddUaf));
  ev.h_opens.add(1);
  sb_.event_mutex.unlock();
  return 0;
}

int Kernel::eventfs_release(int tid, int e) {
  Event& ev = ev_[e];
  const int dd = cfg_.event_dentry(e);
  Dentry& d = d_[dd];
  sync::step_boundary("EvCloseRelease");
  // The fd table: this thread's open references (tracked per thread).
  if (d.h_thr[tid].get() <= 0 || ev.h_opens.get() <= 0) return kEBADF;
  ev.h_opens.add(-1);
  if (cfg_.policy.event_file_guard == EventFileGuard::kOn) EventFilePut(ev);
  EvFput(tid, dd, "EvCloseRelease");
  return 0;
}

// cat events/<ev>/format: trace_format_open takes no event-file reference;
// f_start reads through event_file_file() under event_mutex (-ENODEV once
// FL_FREED), or, the pre-Aug-2024 shortcut, the event call directly.
int Kernel::eventfs_format(int tid, int e) {
  Event& ev = ev_[e];
  const int dd = cfg_.event_dentry(e);
  if (const int r = EvOpenWalkGet(tid, e, "EvOpenWalk"); r != 0) return r;
  sync::step_boundary("EvFormatRead");
  int r = 0;
  if (cfg_.policy.event_format_data == EventFormatData::kEventFile) {
    sb_.event_mutex.lock(tid, "EvFormatRead");
    if (ev.ef_flags.load(kAcquire) & kEventFileFreed) r = kENODEV;
    sb_.event_mutex.unlock();
  }
  sync::step_boundary("EvFormatRelease");
  EvFput(tid, dd, "EvFormatRelease");
  return r;
}

}  // namespace lifecheck::impl
