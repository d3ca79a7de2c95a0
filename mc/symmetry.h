// Symmetry reduction over identical threads (e.g. K pinners doing the same
// pin/DMA/unpin on their own PTE and pin slot).
//
// Threads are interchangeable when their programs (spec/thread_body.h: calls,
// their alternatives, repeats) are equal after renaming the PTE and pin slots
// each one uses privately (slots no other thread names).
// Swapping two such threads, together with their private slots, maps every
// run to a run: the spec names threads only by equality (owner fields,
// ghost h_thr columns, m.t) and scans slots with order-insensitive loops.
// mc/symmetry_test.cc checks that equivariance step by step on every
// reachable state of the symmetric scenarios.
//
// Canonicalize sorts the members of each group by everything that depends on
// their identity — their thread record, their h_thr columns, which locks they
// own, and their private PTE/pin/lease slots — and renumbers consistently. Two
// members with equal keys are indistinguishable, so the sorted world is a
// canonical representative of the orbit (full symmetry reduction, not a
// heuristic).
#ifndef LIFECHECK_MC_SYMMETRY_H_
#define LIFECHECK_MC_SYMMETRY_H_

#include <string>
#include <vector>

#include "config/config.h"
#include "spec/exec.h"
#include "spec/thread_body.h"

namespace lifecheck {

class Symmetry {
 public:
  Symmetry(const Config& cfg, const std::vector<ThreadBody>& threads);

  // No group has two members: Canonicalize is the identity.
  bool trivial() const { return groups_.empty(); }
  // "A,B,C" style description of the groups for reports: "{0,1,2}".
  std::string Describe() const;

  // Returns whether w changed (some group was not in order).
  bool Canonicalize(CWorld& w) const;

  // Applies the permutation that maps member i of group g to member perm[i]
  // (with their private slots); for tests.
  void Permute(CWorld& w, int g, const std::vector<int>& perm) const;
  int num_groups() const { return static_cast<int>(groups_.size()); }
  const std::vector<int>& group(int g) const { return groups_[g].threads; }

 private:
  struct Group {
    std::vector<int> threads;
    std::vector<std::vector<int>> ptes;  // [member][k]: k-th private PTE slot
    std::vector<std::vector<int>> pins;  // [member][k]: k-th private pin slot
  };
  // Writes the sort key of member i of group g to key[0..key_len_).
  void Key(const CWorld& w, const Group& g, int i, int16_t* key) const;
  // new_member[j] = old member index placed at position j.
  void Apply(CWorld& w, const Group& g, const std::vector<int>& from) const;

  Config cfg_;
  std::vector<Group> groups_;
  int key_len_ = 0;  // the longest key of any group
};

}  // namespace lifecheck

#endif  // LIFECHECK_MC_SYMMETRY_H_
