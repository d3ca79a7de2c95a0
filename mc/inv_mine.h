// Candidate invariants mined from the reachable states of a problem (the
// DistAI / I4 idea: what holds on every reachable state of an instance is a
// candidate; an SMT solver then keeps the inductive part, mc/z3_houdini.h).
//
// The sample is the explicit engine's whole reachable set. With symmetry
// reduction on, the engine stores one state per orbit; every member of the
// orbit (mc/symmetry.h Permute) is added, since a candidate read off the
// canonical states alone would be false on their permutations.
//
// Terms (mc/invariant.h): the fields in the cone of influence, and counts
// over each group of identical threads: for every field the members have
// one each (their pc, their pin's held bit, ...), how many members have it
// in a range of values (a pc) or at one value (anything else).
//
// Candidates, each true on every sampled state: every term's value set
// ("pg[0].st in {0, 1}"), no-deadlock and always-invariants. The relations
// between terms (which thread owns which lock at which pc, what a pinned
// page's state can be) are learned from counterexamples to induction, as
// rows of the sample's tables (mc/z3_houdini.h): mining every pair table's
// rows up front (10565 rows for dax-truncate 3x3) made each query so much
// larger that proofs took several times longer.
#ifndef LIFECHECK_MC_INV_MINE_H_
#define LIFECHECK_MC_INV_MINE_H_

#include <cstdint>
#include <vector>

#include "harness/trace/trace.h"
#include "mc/clause_symmetry.h"
#include "mc/engine.h"
#include "mc/invariant.h"

namespace lifecheck {

// The reachable states, column by column: one column per term.
class StateSample {
 public:
  StateSample(const Terms& terms, std::vector<int> fields);
  void Add(const CWorld& w);
  // Adds the column of count term `id`, computed from the field columns
  // (its fields must be sampled fields).
  void AddCount(int id);
  int states() const { return states_; }
  const std::vector<int>& terms() const { return ids_; }

  // Column k's distinct values (sorted) and, for value j, the bitset of the
  // states where it holds.
  struct Column {
    std::vector<int> values;
    std::vector<std::vector<uint64_t>> where;
  };
  std::vector<Column> Columns() const;

 private:
  const Terms& terms_;
  std::vector<int> ids_;                    // term id of each column
  std::vector<std::vector<int16_t>> cols_;  // [k][state]
  int states_ = 0;
};

// Runs the explicit engine (BFS, symmetry on) over `problem`, adding every
// expanded state and its orbit to `sample`. The result is the engine's:
// only a verified problem has a complete sample.
McResult SampleReachable(const Trace& problem, double timeout_s,
                         StateSample* sample);

// Adds to `terms` and `sample` the count terms over the field orbits whose
// fields are all sampled: pcs by ranges, other fields by value.
void AddCountTerms(const ClauseSymmetry& sym, const std::vector<int>& pcs,
                   Terms* terms, StateSample* sample);

// Value sets, no-deadlock and always-invariants over the sample's terms.
std::vector<InvClause> MineCandidates(const StateSample& s);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_INV_MINE_H_
