// Unbounded proofs without unrolling: an inductive invariant learned from
// the reachable states and checked by Z3 over the spec's own step code.
//
//   1. sample  the explicit engine's reachable set (mc/inv_mine.h); a
//              counterexample there means there is nothing to prove
//              (verdict kCounterexample with its length as `bound` but
//              without a trace: the caller's BMC finds Z3's own witness);
//   2. mine    candidate clauses true on every sampled world
//              (mc/inv_mine.h);
//   3. prove   Houdini with learning (mc/z3_houdini.h): the candidates
//              and the clauses that block counterexamples to induction,
//              until inductive;
//   4. check   the certificate text, parsed back, in a fresh context
//              (mc/z3_certificate.h).
// kProved only when 4 passes; McResult::certificate is the invariant.
#ifndef LIFECHECK_MC_Z3_PROVE_H_
#define LIFECHECK_MC_Z3_PROVE_H_

#include "harness/trace/trace.h"
#include "mc/engine.h"

namespace lifecheck {

struct ProveOptions {
  double timeout_s = 0;   // 0: none
  bool progress = false;  // one stderr line per stage
};

McResult ProveByInvariant(const Trace& problem, const ProveOptions& opts);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_PROVE_H_
