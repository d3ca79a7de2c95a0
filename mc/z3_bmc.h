// Z3 bounded model checking and k-induction of a problem's schedules.
//
// BMC deepens one incremental solver a step at a time (push/pop around each
// query): at bound k it asks whether frame k can be bad (a violation or a
// deadlock). The first satisfiable bound gives a shortest counterexample; its
// schedule is read from the model, replayed on the concrete spec (RunTrace),
// and returned only if the replay reaches the same finding at the same step
// (otherwise the engine reports an internal error and returns kUnknown:
// never a bogus witness). When no run of k+1 steps exists at all, every
// schedule has been explored: kVerified.
//
// When a thread may run for ever (`repeat LO..*`, docs/liveness.md), each
// bound k also asks for a lasso: frames l..k-1 a cycle (frame k in frame
// l's state) that is fair and on which a thread with work never steps,
// under the explicit checker's fairness rules (mc/fair_cycle.h). POR and
// symmetry are off for such a problem (they keep only what safety needs),
// and k-induction, a safety proof, is not run. A lasso found is written as
// the explicit checker writes its own (mc/lasso.h) and replayed.
//
// k-induction (Z3Options::prove) runs beside it on a second solver: from an
// arbitrary frame satisfying the strengthening (Z3Encoding::Invariants: pc
// ranges, a clean violation field, the spec's always-invariants over the
// frame, constant fields at their initial values), k clean, pairwise distinct
// frames joined by steps cannot reach a bad frame: with the base cases below
// k clean, that is kProved.
#ifndef LIFECHECK_MC_Z3_BMC_H_
#define LIFECHECK_MC_Z3_BMC_H_

#include <string>

#include "harness/trace/trace.h"
#include "mc/engine.h"
#include "mc/z3_encoding.h"

namespace lifecheck {

inline constexpr int kZ3DefaultBound = 400;

struct Z3Options {
  int bound = 0;         // deepest bound; 0: kZ3DefaultBound
  bool prove = false;    // also run k-induction
  EncodingOptions enc;   // reductions
  double timeout_s = 0;  // 0: none
  // Z3's resource limit ("rlimit") per query, 0: none. A query that runs
  // out of it is unknown, like one out of time, but where it stops does not
  // depend on the machine's load.
  unsigned rlimit = 0;
  bool progress = false;  // one stderr line per bound
  // "" = Z3's default solver, "bv-sat" = a fresh bit-blasting tactic + SAT
  // per query (fastest measured on dax-truncate; needs bits > 0), else a
  // logic for z3::solver ("QF_BV", "QF_LIA"); docs/performance.md ("Model
  // checking (Z3)").
  std::string logic = "bv-sat";
  // One solver with push/pop per query, or a fresh solver per query (which
  // lets Z3 preprocess the whole unrolling).
  bool incremental = true;
  // Sort of the spec's integers: 0 = Int, 16 = 16-bit bit-vectors (the
  // concrete domain is int16_t, so both are exact on reachable values).
  int bits = 16;
  // How often (in bounds) BMC asks whether any longer run exists.
  int termination_every = 1;
  // BMC frames as expressions over the previous frame (no equalities).
  bool functional = false;
  // The shortest counterexample is known to take this many steps (the
  // explicit engine's BFS found it): unroll to it without asking the
  // shorter bounds, whose unsat answers cost most of the search. The
  // witness is still Z3's own model, replayed. Not with `prove`.
  int first_bound = 0;
};

// Precondition: problem.config and threads are valid (as ParseTrace makes
// them). Stats: fields, variable fields, insns, independent pairs, symmetric
// threads, checks, encode/base/step seconds.
McResult CheckZ3Bmc(const Trace& problem, const Z3Options& opts);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_BMC_H_
