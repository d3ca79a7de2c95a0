// eventfs steps (seed 002): a cached dentry of a removed event directory must
// not let open() reach freed trace_event_file data. kernel-semantics §3.7.
//
// Event e has an eventfs_inode (kref, is_freed), one trace_event_file (ref,
// EVENT_FILE_FL_FREED), its event call (freed when the removal returns,
// ghost `removed`), and the dentry of its "enable" file, whose d_fsdata
// holds a kref on the ei. tracefs_d_delete retains such dentries at count 0.
//
// Mainline closes the races with four parts: d_revalidate on ei->is_freed
// (Jan 2024), the event file's refcount with EVENT_FILE_FL_FREED checked
// under event_mutex (bb32500fb9b7, Oct 2023), the kprobe's -EBUSY while a
// file is open (seed 002), and the ei's own reference on the event file
// that release_ei drops (b63db58e2fa5, May 2024); the `format` file reads
// through event_file_file() (Aug 2024, "tracing: Have format file honor
// EVENT_FILE_FL_FREED").
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
// otherwise remove_event_file_dir: eventfs_remove_dir (free_ei), set
// EVENT_FILE_FL_FREED, drop the creation reference; the probe and its
// event call are freed when this returns.
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
              m.set(ev.is_freed, true);  // free_ei ...
              PutEi(m, ev);              // ... drops the creation kref
              m.set(ev.removed, true);
              m.set(ev.ef_fl_freed, true);
              if (guard) {
                EventFilePut(m, ev);  // the creation reference
              } else {
                m.set(ev.ef_freed, true);  // kmem_cache_free at once
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

// The opener's fput: drop its dentry reference; the last one on an
// invalidated dentry kills it (d_release puts the ei).
template <class D>
void EvFput(Machine<D>& m) {
  auto& d = EvDentry(m);
  m.add(d.count, -1);
  m.add(d.h_thr[m.t], -1);
  m.when(d.count == 0 && !d.hashed, [&] {
    KillDentry(m, m.cfg.event_dentry(m.arg(0)));
    m.set(d.positive, false);
  });
}

// open S4: tracing_open_file_tr. It reads file->tr (tracing_check_open_
// get_tr) before anything checks the file: without the ei's reference
// (eventfs_release_cb=off) a removal in the RCU window has freed it (the
// UAF b63db58e2fa5 fixes). With the guard it then takes an event-file
// reference under event_mutex unless EVENT_FILE_FL_FREED (-ENODEV); without
// it, it uses inode->i_private directly.
template <class D>
void EvOpenCallback(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto after_removal = m.w.th[m.t].r[0] != 0;
  if (m.cfg.policy.event_file_guard == EventFileGuard::kOn) {
    ReadEventFile(m, ev);
    m.when(
        ev.ef_fl_freed,
        [&] {
          EvFput(m);  // the half-open file
          m.ret(kENODEV);
        },
        [&] {
          m.violate(after_removal, Inv::kEv1);
          m.warn(ev.ef_ref == 0, Warn::kRefcountAddUaf);
          m.violate(ev.ef_ref <= 0, Inv::kRef2);
          m.add(ev.ef_ref, 1);
          m.add(ev.h_opens, 1);
          m.ret(0);
        });
    return;
  }
  m.violate(after_removal, Inv::kEv1);
  ReadEventFile(m, ev);
  m.add(ev.h_opens, 1);
  m.ret(0);
}

// close: tracing_release_file_tr reads file->tr and drops the event-file
// reference, then the dentry is put.
template <class D>
void EvCloseRelease(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  auto& d = EvDentry(m);
  const bool guard = m.cfg.policy.event_file_guard == EventFileGuard::kOn;
  m.when(
      d.h_thr[m.t] <= 0 || ev.h_opens <= 0, [&] { m.ret(kEBADF); },
      [&] {
        m.add(ev.h_opens, -1);
        if (guard) {
          EventFilePut(m, ev);
        } else {
          ReadEventFile(m, ev);
        }
        EvFput(m);
        m.ret(0);
      });
}

// cat events/<ev>/format, after the same walk, revalidate and dget as an
// open (trace_format_open takes no event-file reference): f_start. Mainline
// (event_format_data=event_file, Aug 2024): event_file_file() under
// event_mutex reads the file's flags and gives -ENODEV once FL_FREED; the
// open dentry keeps the ei, and the ei its event-file reference, alive. The
// historic shortcut (event_call): i_private is the event call itself, read
// with no FL_FREED check, so a read racing the removal uses the freed call
// (Mathias Krause's KASAN report, present since v6.6). r[1] holds the result
// for the close.
template <class D>
void EvFormatRead(Machine<D>& m) {
  auto& ev = m.w.ev[m.arg(0)];
  if (m.cfg.policy.event_format_data == EventFormatData::kEventCall) {
    m.violate(ev.removed, Inv::kEv3);  // the freed trace_event_call
    return;
  }
  ReadEventFile(m, ev);
  m.when(ev.ef_fl_freed, [&] { m.set(m.w.th[m.t].r[1], kENODEV); });
}

// The format file's release: the dentry reference goes.
template <class D>
void EvFormatRelease(Machine<D>& m) {
  EvFput(m);
  m.ret(m.w.th[m.t].r[1]);
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_EVENTFS_STEPS_H_
