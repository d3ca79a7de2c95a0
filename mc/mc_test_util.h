// Helpers shared by the mc/ tests: reachable states of a small problem,
// enumerated with the spec's own stepping API (no reduction).
#ifndef LIFECHECK_MC_MC_TEST_UTIL_H_
#define LIFECHECK_MC_MC_TEST_UTIL_H_

#include <deque>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"

namespace lifecheck::test {

struct Problem {
  Config cfg;
  std::vector<ThreadProgram> progs;
  explicit Problem(const Trace& t) : cfg(t.config) {
    for (const auto& calls : t.threads) progs.push_back(Flatten(calls, cfg));
  }
  int n() const { return static_cast<int>(progs.size()); }
  bool Enabled(const CWorld& w, int t) const {
    return w.th[t].pc < static_cast<int>(progs[t].size()) &&
           StepEnabled(cfg, progs[t], w, t);
  }
  CWorld Succ(const CWorld& w, int t) const {
    CWorld s = w;
    StepWorld(cfg, progs[t], s, t);
    return s;
  }
};

// Every world reachable from InitWorld without passing a violation (the
// violating worlds themselves are included), at most `limit` of them.
inline std::vector<CWorld> Reachable(const Problem& p, size_t limit = 20000) {
  absl::flat_hash_set<CWorld> seen;
  std::vector<CWorld> out;
  std::deque<CWorld> todo{InitWorld(p.cfg)};
  seen.insert(todo.front());
  while (!todo.empty() && out.size() < limit) {
    CWorld w = todo.front();
    todo.pop_front();
    out.push_back(w);
    if (w.violation != 0) continue;
    for (int t = 0; t < p.n(); ++t) {
      if (!p.Enabled(w, t)) continue;
      CWorld s = p.Succ(w, t);
      if (seen.insert(s).second) todo.push_back(s);
    }
  }
  return out;
}

}  // namespace lifecheck::test

#endif  // LIFECHECK_MC_MC_TEST_UTIL_H_
