// An inductive invariant from candidate clauses: Houdini (Flanagan and
// Leino, FME 2001) that strengthens before it weakens, with the reachable
// sample as the oracle.
//
// No unrolling: one symbolic pre-world `a` and, per (thread, pc), the world
// after that step as expressions over `a` (Z3Encoding::Step: the spec's own
// step code). A step needs only the clauses it can change (StepMayChange):
// the others read the very expressions they read before it. Each step has
// its own incremental solver (a query then carries only that step's
// circuits) holding every clause over `a`, and batches
//     q_b -> enabled_s(a) && OR_{c in b} !c(post_s(a))
// of the clauses added since the step's last batch; `check(q_b)` sat is a
// counterexample to induction (CTI): a world satisfying every clause whose
// successor breaks one of b. Then:
//   - if the CTI's pre-world is no sampled world it is unreachable (the
//     sample is the whole reachable set): block it with a new clause, the
//     negation of a short conjunction of its term values that no sampled
//     world has (IC3's generalisation, with the sample as the reachability
//     oracle), each literal then widened to every value that keeps it so,
//     and add the clause's symmetric images. Every clause stays true on the
//     sample;
//   - otherwise the broken clauses are false on a sampled (reachable)
//     world's successor, which only an incomplete sample allows: drop them
//     and their images (plain Houdini) and start over on fresh solvers.
// An unsat batch stays unsat while clauses are only added (the pre-world
// only gets stronger), so each batch is checked until unsat once.
//
// Two encodings make the queries fast: a field with a sampled value set is
// an index into it in the pre-world (IndexedField), and group members' pcs
// are sorted there (every clause comes with its images, so a CTI has an
// image with sorted pcs).
#ifndef LIFECHECK_MC_Z3_HOUDINI_H_
#define LIFECHECK_MC_Z3_HOUDINI_H_

#include <memory>
#include <vector>

#include "mc/clause_symmetry.h"
#include "mc/inv_mine.h"
#include "mc/invariant.h"
#include "mc/z3_encoding.h"

namespace lifecheck {

struct HoudiniResult {
  bool done = false;  // false: the time budget (or the clause cap) ran out
  std::vector<InvClause> kept;  // inductive when done
  int queries = 0, learned = 0, dropped = 0;
  int generations = 0;  // rounds of batches over newly added clauses
};

class Houdini {
 public:
  // The encoding must be built without reductions. `sym` may be null (no
  // symmetric images, no sorted pcs). All must outlive this object.
  Houdini(const Z3Encoding& enc, const Terms& terms, const StateSample& sample,
          const ClauseSymmetry* sym);
  ~Houdini();
  // Every candidate must hold on every sampled world (mined ones do) and be
  // closed under `sym`.
  HoudiniResult Run(const std::vector<InvClause>& candidates, double budget_s);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_HOUDINI_H_
