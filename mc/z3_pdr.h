// Unbounded proofs with Z3's Spacer (IC3/PDR over constrained Horn clauses):
// the same transition system as BMC (Z3Encoding::Init / Trans / Bad, i.e. the
// spec's step functions over Sym), stated as
//   Reach(s)  <- Init(s)
//   Reach(s') <- Reach(s) && Trans(s, s')
//   Err       <- Reach(s) && Bad(s)
// and the query Err. Unsat = Spacer found an inductive invariant: no run of
// any length reaches a bad state (kProved). Sat = a bad state is reachable
// (kCounterexample, but without a schedule: callers run BMC for the
// shortest witness). The partial-order constraint (two adjacent steps) is
// not used here; symmetry is (a per-step constraint on the ghosts).
#ifndef LIFECHECK_MC_Z3_PDR_H_
#define LIFECHECK_MC_Z3_PDR_H_

#include "mc/engine.h"
#include "mc/z3_bmc.h"

namespace lifecheck {

// Verdict kProved, kCounterexample (no trace attached) or kUnknown (timeout).
// Integers are Z3 Ints here (Spacer's arithmetic), whatever opts.bits says.
McResult ProveZ3Pdr(const Trace& problem, const Z3Options& opts);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_PDR_H_
