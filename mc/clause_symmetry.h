// Thread symmetry for invariant clauses (mc/invariant.h).
#ifndef LIFECHECK_MC_CLAUSE_SYMMETRY_H_
#define LIFECHECK_MC_CLAUSE_SYMMETRY_H_

#include <vector>

#include "harness/trace/trace.h"
#include "mc/invariant.h"

namespace lifecheck {

// The images of a clause under the problem's thread symmetries
// (mc/symmetry.h): fields of a thread and of its private slots renamed, and
// owner-field values (thread ids) mapped with them. The sample is closed
// under these permutations, so a clause true on it has all its images true
// on it: a prover that learns one learns the orbit.
class ClauseSymmetry {
 public:
  explicit ClauseSymmetry(const Trace& problem);
  // Every distinct image (the clause itself first). Count terms must be
  // closed under the permutations (as AddCountTerms makes them).
  std::vector<InvClause> Orbit(const Terms& terms, const InvClause& c) const;
  // The fields the groups' permutations move, as orbits: one field per
  // member ("th[0].pc th[1].pc th[2].pc"), each sorted.
  const std::vector<std::vector<int>>& field_orbits() const { return orbits_; }

 private:
  struct Perm {
    std::vector<int> field;   // field id -> field id
    std::vector<int> thread;  // owner value -> owner value
  };
  InvClause Apply(const Terms& terms, const Perm& p, const InvClause& c) const;
  std::vector<Perm> perms_;  // every permutation of each group alone
  std::vector<bool> owner_;  // [field]: holds a thread id
  std::vector<std::vector<int>> orbits_;
};

}  // namespace lifecheck

#endif  // LIFECHECK_MC_CLAUSE_SYMMETRY_H_
