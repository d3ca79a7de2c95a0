// The explicit-state model checker: every interleaving of a problem's threads,
// stepped with the spec's own step functions (spec/exec.h StepWorld), with
// exact visited-state storage.
//
// Modes (McOptions):
//   bfs       breadth-first: the first counterexample found is a shortest one
//             (fewest steps). --bound K cuts the search at depth K (verdict
//             verified-to-bound when it cut something).
//   dfs       depth-first, with ample-set partial-order reduction (por).
//   symmetry  both modes: identical threads are interchangeable
//             (mc/symmetry.h); states are stored in canonical form.
//
// Findings are exactly SpecExec's: a step that sets World::violation, or a
// state where work is left and no thread is enabled (Inv::kDeadlock). The
// counterexample is the problem trace with the schedule that reaches it and
// `# expect: <ID>`; the engine replays it with RunTrace before returning it.
//
// Partial-order reduction (DFS only), an ample set of one thread's next step:
//   C0  the set is non-empty when some thread is enabled (trivial);
//   C1  the step is independent of every step any other thread can still
//       take: for each other thread with work left, the union of the static
//       footprints (mc/footprint.h) of every instruction from the start of its
//       current call to the end of its program (jumps stay inside a call, so
//       this covers every step it can take) neither writes what the step
//       reads or writes nor reads what it writes. The step's own footprint
//       is its dynamic footprint in the current state: since no other thread
//       can write what it reads, it reads the same values, takes the same
//       path and has the same footprint in every state the others can lead
//       to. Guards are reads, so the step cannot be enabled or disabled by
//       them, nor they by it;
//   C2  the step is invisible: it writes no field the always-invariants read
//       and does not report an event invariant (writes no World::violation;
//       dynamic footprint, so a step whose event check does not fire here
//       and cannot fire in any state the others lead to is invisible);
//   C3  (cycle proviso for DFS) its successor is not on the DFS stack.
//   Otherwise the state is fully expanded. C0-C3 preserve the reachability of
//   invariant violations and of deadlocks (Clarke/Grumberg/Peled, Model
//   Checking, ch. 10; Godefroid's persistent sets for deadlocks).
//   Writes of World::warned[] (idempotent set-to-true, read by no step) are
//   left out of the conflict test.
#ifndef LIFECHECK_MC_EXPLICIT_H_
#define LIFECHECK_MC_EXPLICIT_H_

#include "harness/trace/trace.h"
#include "mc/engine.h"

namespace lifecheck {

McResult CheckExplicit(const Trace& problem, const McOptions& opts);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_EXPLICIT_H_
