// eventfs steps (seed 002): a cached dentry of a removed event directory must
// not let open() reach freed trace_event_file data. kernel-semantics §3.7.
//
// Event e has an eventfs_inode (kref, is_freed), one trace_event_file (ref,
// EVENT_FILE_FL_FREED) and the dentry of its "enable" file, whose d_fsdata
// holds a kref on the ei. tracefs_d_delete retains such dentries at count 0.
#ifndef LIFECHECK_SPEC_EVENTFS_STEPS_H_
#define LIFECHECK_SPEC_EVENTFS_STEPS_H_

#include "spec/dcache_steps.h"

namespace lifecheck {

template <class D>
typename World<D>::Dentry& EvDentry(Machine<D>& m) {
  return m.w.d[m.cfg.event_dentry(m.arg(0))];
}

// eventfs_root_lookup instantiating the file: a new dentry with
// d_fsdata = get_ei(ei). `holder` says whether the caller keeps a reference.
template <class D>
void EvInstantiate(Machine<D>& m, typename World<D>::Dentry& d,
                   typename World<D>::Event& ev, bool holder) {
  m.set(d.count, holder ? 1 : 0);
  m.set(d.h_thr[m.t], holder ? 1 : 0);
  m.set(d.hashed, true);
  m.set(d.positive, true);
  m.set(d.freed, false);
  m.add(ev.kref, 1);
}

// stat(): lookup (instantiating the dentry if it is not cached) ...
template <class D>
void EvLookupInst(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  m.when(
      ev.is_freed, [&] { m.ret(kENOENT); },
      [&] {
        m.when(
            !d.hashed, [&] { EvInstantiate(m, d, ev, true); },
            [&] {
              m.add(d.count, 1);
              m.add(d.h_thr[m.t], 1);
            });
      });
}

// ... then dput: tracefs_d_delete keeps the dentry cached at count 0.
template <class D>
void EvLookupPut(Machine<D>& m) {
  auto& d = EvDentry(m);
  m.add(d.count, -1);
  m.add(d.h_thr[m.t], -1);
  m.ret(0);
}

// echo > kprobe_events: -EBUSY if the event's files are open (guard on);
// otherwise eventfs_remove_dir + free the event file and probe.
template <class D>
void EvRemoveDir(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  const bool guard = m.cfg.policy.event_file_guard == EventFileGuard::kOn;
  m.when(
      ev.removed, [&] { m.ret(kENOENT); },
      [&] {
        auto busy = guard ? (ev.h_opens > 0) : m.no();
        m.when(
            busy, [&] { m.ret(kEBUSY); },
            [&] {
              m.set(ev.is_freed, true);  // free_ei
              m.add(ev.kref, -1);
              m.set(ev.removed, true);
              m.set(ev.ef_fl_freed, true);
              if (guard) {
                m.add(ev.ef_ref, -1);  // the creation reference
                m.when(ev.ef_ref == 0, [&] { m.set(ev.ef_freed, true); });
              } else {
                m.set(ev.ef_freed, true);
              }
              m.ret(0);
            });
      });
}

// open S1: RCU path walk. A cached dentry is a legal hit even at count 0.
// Register r[0] records (ghost) whether the removal had already returned.
template <class D>
void EvOpenWalk(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  m.set(m.w.th[m.t].r[0], m.ite(ev.removed, 1, 0));
  m.when(!d.hashed, [&] {
    // Not cached: a real lookup. Negative lookups are not cached.
    m.when(
        ev.is_freed, [&] { m.ret(kENOENT); },
        [&] { EvInstantiate(m, d, ev, false); });
  });
}

// open S2: tracefs_d_revalidate = !(ei && ei->is_freed), without any lock.
template <class D>
void EvOpenRevalidate(Machine<D>& m) {
  if (m.cfg.policy.eventfs_revalidate == EventfsRevalidate::kOff) return;
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  m.when(ev.is_freed, [&] {
    m.set(d.hashed, false);  // d_invalidate; the real lookup then fails
    m.ret(kENOENT);
  });
}

// open S3: dget, create the struct file. The RCU walk legitimises its
// dentry with lockref_get_not_dead: if another open's failure path killed
// it since the walk (d_invalidate, then the last dput), the walk restarts in
// ref mode and the real lookup of the freed event fails.
template <class D>
void EvOpenGet(Machine<D>& m) {
  auto& d = EvDentry(m);
  m.when(
      d.count == kDentryDead, [&] { m.ret(kENOENT); },
      [&] {
        m.violate(d.count < 0, Inv::kRef2);
        m.add(d.count, 1);
        m.add(d.h_thr[m.t], 1);
      });
}

// open S4: the tracing open callback. With the guard it takes an event-file
// reference under event_mutex unless EVENT_FILE_FL_FREED; without it, it uses
// inode->i_private directly.
template <class D>
void EvOpenCallback(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  auto after_removal = m.w.th[m.t].r[0] != 0;
  if (m.cfg.policy.event_file_guard == EventFileGuard::kOn) {
    m.when(
        ev.ef_fl_freed,
        [&] {
          m.add(d.count, -1);  // fput of the half-open file
          m.add(d.h_thr[m.t], -1);
          m.when(d.count == 0 && !d.hashed, [&] {  // it was a dput
            KillDentry(m, m.cfg.event_dentry(m.arg(0)));
            m.set(d.positive, false);
          });
          m.ret(kENODEV);
        },
        [&] {
          m.violate(after_removal, Inv::kEv1);
          m.warn(ev.ef_ref == 0, Warn::kRefcountAddUaf);
          m.violate(ev.ef_ref <= 0 || ev.ef_freed, Inv::kRef2);
          m.add(ev.ef_ref, 1);
          m.add(ev.h_opens, 1);
          m.ret(0);
        });
    return;
  }
  m.violate(after_removal, Inv::kEv1);
  m.violate(ev.ef_freed, Inv::kEv3);
  m.add(ev.h_opens, 1);
  m.ret(0);
}

// close: release the event-file reference, then dput the dentry.
template <class D>
void EvCloseRelease(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  const int dd = m.cfg.event_dentry(m.arg(0));
  const bool guard = m.cfg.policy.event_file_guard == EventFileGuard::kOn;
  m.when(
      d.h_thr[m.t] <= 0 || ev.h_opens <= 0, [&] { m.ret(kEBADF); },
      [&] {
        m.add(ev.h_opens, -1);
        if (guard) {
          m.violate(ev.ef_freed, Inv::kEv3);
          m.warn(ev.ef_ref <= 0, Warn::kRefcountSubUaf);
          m.add(ev.ef_ref, -1);  // event_file_put
          m.warn(ev.ef_ref == 0 && !ev.ef_fl_freed, Warn::kEvfilePutZero);
          m.when(ev.ef_ref == 0 && ev.ef_fl_freed,
                 [&] { m.set(ev.ef_freed, true); });
        } else {
          m.violate(ev.ef_freed, Inv::kEv3);
        }
        m.add(d.count, -1);
        m.add(d.h_thr[m.t], -1);
        m.when(d.count == 0 && !d.hashed, [&] {
          KillDentry(m, dd);
          m.set(d.positive, false);
        });
        m.ret(0);
      });
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_EVENTFS_STEPS_H_
