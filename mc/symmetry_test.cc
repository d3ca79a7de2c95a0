// Symmetry reduction is sound only if the spec is equivariant under the
// permutations it uses: stepping a permuted world with the permuted thread
// gives the permuted successor. Checked on every reachable state of the
// scenarios with identical threads, for every transposition of a group.
#include "mc/symmetry.h"

#include <numeric>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mc/mc_test_util.h"
#include "mc/scenario.h"

namespace lifecheck {
namespace {

std::vector<ThreadBody> Bodies(const Trace& t) {
  std::vector<ThreadBody> b;
  for (size_t i = 0; i < t.threads.size(); ++i)
    b.push_back(t.body(static_cast<int>(i)));
  return b;
}

// Where permutation `perm` of group `g` sends thread t.
int MapThread(const Symmetry& s, int g, const std::vector<int>& perm, int t) {
  const auto& members = s.group(g);
  for (size_t i = 0; i < members.size(); ++i)
    if (members[i] == t) return members[perm[i]];
  return t;
}

void CheckEquivariance(const std::string& name, int pages, int pinners,
                       const std::vector<PolicySetting>& policy,
                       int expect_groups) {
  SCOPED_TRACE(name + " " + PolicyText(policy));
  auto tr = BuildScenario(name, pages, pinners, policy);
  ASSERT_TRUE(tr.ok()) << tr.status();
  test::Problem p(*tr);
  Symmetry sym(tr->config, Bodies(*tr));
  ASSERT_EQ(sym.num_groups(), expect_groups) << sym.Describe();
  int checked = 0;
  for (const CWorld& w : test::Reachable(p, 4000)) {
    for (int g = 0; g < sym.num_groups(); ++g) {
      const int n = static_cast<int>(sym.group(g).size());
      for (int a = 0; a < n; ++a) {
        for (int b = a + 1; b < n; ++b) {
          std::vector<int> perm(n);
          std::iota(perm.begin(), perm.end(), 0);
          std::swap(perm[a], perm[b]);
          CWorld pw = w;
          sym.Permute(pw, g, perm);
          // The orbit has one canonical representative.
          CWorld c1 = w, c2 = pw;
          sym.Canonicalize(c1);
          sym.Canonicalize(c2);
          ASSERT_TRUE(c1 == c2);
          if (w.violation != 0) continue;
          for (int t = 0; t < p.n(); ++t) {
            // Symmetric threads have equal programs: their moves run the
            // same pcs, in the same order.
            const int pt = MapThread(sym, g, perm, t);
            const auto moves = p.Moves(w, t), pmoves = p.Moves(pw, pt);
            ASSERT_EQ(moves.size(), pmoves.size());
            for (size_t m = 0; m < moves.size(); ++m) {
              ASSERT_EQ(moves[m].pc, pmoves[m].pc);
              CWorld s = moves[m].next;
              sym.Permute(s, g, perm);
              ASSERT_TRUE(s == pmoves[m].next)
                  << "step of thread " << t << " is not equivariant";
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(Symmetry, IdenticalPinnersAreInterchangeable) {
  const auto* sc = FindScenario("dax-truncate");
  for (const ScenarioVariant& v : sc->variants)
    CheckEquivariance("dax-truncate", 2, 3, v.policy, 1);
}

TEST(Symmetry, IdenticalWritersOpenersAndExitersAreInterchangeable) {
  CheckEquivariance("mkwrite", 1, 3, {}, 1);
  CheckEquivariance("mkwrite", 1, 2, {{"mkwrite", "old_racy"}}, 1);
  CheckEquivariance("eventfs", 1, 3, {}, 1);
  CheckEquivariance("eventfs", 1, 2, {{"event_file_guard", "off"}}, 1);
}

TEST(Symmetry, DistinctProgramsAreNotGrouped) {
  auto t = BuildScenario("lease", 1, 1, {});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Symmetry(t->config, Bodies(*t)).trivial());
  // evict: process P_k and its driver D_k share PTE k and pin k, so no
  // slot is private to one thread and P0/P1 name different PTEs: no group
  // (a pair-wise symmetry would need permuting (P_k, D_k) together).
  t = BuildScenario("evict", 1, 2, {});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Symmetry(t->config, Bodies(*t)).trivial());
}

}  // namespace
}  // namespace lifecheck
