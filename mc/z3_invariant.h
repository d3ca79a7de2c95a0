// An invariant's clauses (mc/invariant.h) as Z3 formulas over a world given
// as fields (VisitWorld order): what the prover (mc/z3_houdini.h) and the
// certificate check (mc/z3_certificate.h) both mean by a clause.
#ifndef LIFECHECK_MC_Z3_INVARIANT_H_
#define LIFECHECK_MC_Z3_INVARIANT_H_

#include <vector>

#include "mc/invariant.h"
#include "mc/z3_encoding.h"

namespace lifecheck {

// The clause over the fields `v`. The property clauses are the encoding's
// own (no-deadlock: !DeadlockOf, always-invariants: AlwaysHold).
z3::expr ClauseExpr(const Z3Encoding& enc, const Terms& terms,
                    const InvClause& c, const std::vector<z3::expr>& v);

// The world fields a clause reads (a count term: its fields; a property
// clause: none of its own).
std::vector<int> ClauseFields(const Terms& terms, const InvClause& c);

// Whether step (t, p) can change the clause's truth: it writes a field the
// clause reads, or the clause reads the violation field (every step
// recomputes it) or is a property clause.
bool StepMayChange(const Z3Encoding& enc, const Terms& terms,
                   const InvClause& c, int t, int p);

// violation in {0} and no-deadlock: what a proof must keep.
bool IsSafetyClause(const Z3Encoding& enc, const InvClause& c);

// A field ranging over `values` only (sorted, non-empty): a fresh index
// constant named `name` and an ite chain over it; every index past the last
// value means the last value. A clause "f in {values}" holds of it by
// construction, so a pre-world whose fields are these never makes the
// solver try another 16-bit value.
z3::expr IndexedField(const Z3Encoding& enc, int field,
                      const std::vector<int>& values, const std::string& name);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_INVARIANT_H_
