// The one dispatch from Step to its step function, and the full step of a
// thread (its function, the default fall-through, the always-invariants).
// Every engine executes steps through ExecStep: the concrete executor, the
// explicit-state checker, and the Z3 encoding (over the symbolic domain);
// the differential runner through ExecStepTouched, the same step with the
// checks restricted to what it touched.
#ifndef LIFECHECK_SPEC_STEP_TABLE_H_
#define LIFECHECK_SPEC_STEP_TABLE_H_

#include "spec/dax_steps.h"
#include "spec/dcache_steps.h"
#include "spec/eventfs_steps.h"
#include "spec/inode_steps.h"
#include "spec/invariants.h"
#include "spec/lease_steps.h"
#include "spec/pagecache_steps.h"

namespace lifecheck {

template <class D>
void DispatchStep(Machine<D>& m) {
  switch (m.insn.step) {
#define LC_STEP_CASE(e) \
  case Step::k##e:      \
    e(m);               \
    break;
    LC_STEP_NAMES(LC_STEP_CASE)
#undef LC_STEP_CASE
    case Step::kCount:
      break;
  }
}

// Runs the step `m.insn` of thread `m.t`: the step function, the default
// fall-through to the next step, then the always-invariants. In the concrete
// domain a disabled step (m.blocked()) has no effect at all.
template <class D>
void ExecStep(Machine<D>& m) {
  DispatchStep(m);
  if constexpr (!D::kSymbolic) {
    if (m.blocked()) return;
  }
  m.finish();
  CheckAlways(m);
}

// ExecStep for a concrete world that passed the always-invariants before
// this step (or already records a violation): the checks after it visit only
// what the step changed (TouchedObjects), the differential runner's hot path.
// Same state and same recorded violation as ExecStep; with assertions on,
// every call also runs the full check on a copy and CHECKs that.
// The objects the step wrote are added to `*written` (every object if its
// write log overflowed).
LC_NO_COVERAGE inline void ExecStepTouched(Machine<Concrete>& m,
                                           Touched* written) {
  DispatchStep(m);
  if (m.blocked()) return;
  m.finish();
  Touched touched;
  if (!m.footprint(&touched)) {
    *written = Touched::All();
    CheckAlways(m);
    return;
  }
  *written |= touched;
#ifndef NDEBUG
  World<Concrete> full = m.w;  // the world before the checks
  Machine<Concrete> mf(full, m.cfg, m.insn, m.t);
  CheckAlways(mf);
#endif
  CheckAlways(m, TouchedObjects(m.w, touched));
#ifndef NDEBUG
  LC_CHECK(full.violation == m.w.violation);
#endif
}

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_STEP_TABLE_H_
