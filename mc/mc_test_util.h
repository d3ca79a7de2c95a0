// Helpers shared by the mc/ tests: reachable states of a small problem,
// enumerated with the spec's own stepping API (no reduction).
#ifndef LIFECHECK_MC_MC_TEST_UTIL_H_
#define LIFECHECK_MC_MC_TEST_UTIL_H_

#include <deque>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"
#include "spec/thread_body.h"

namespace lifecheck::test {

struct Problem {
  Config cfg;
  std::vector<ThreadProgram> progs;
  explicit Problem(const Trace& t) : cfg(t.config) {
    for (size_t th = 0; th < t.threads.size(); ++th)
      progs.push_back(FlattenBody(t.body(static_cast<int>(th)), cfg));
  }
  int n() const { return static_cast<int>(progs.size()); }
  // One move of a thread: the instruction it runs (its pc, or a target of
  // its junction), in the world where its pc is that instruction, and the
  // successor.
  struct Move {
    int pc;
    CWorld from, next;
  };
  std::vector<Move> Moves(const CWorld& w, int t) const {
    std::vector<Move> out;
    const int pc = w.th[t].pc;
    if (pc >= static_cast<int>(progs[t].size())) return out;
    std::vector<int> pcs{pc};
    if (const Junction* j = progs[t].junction(pc))
      pcs.assign(j->targets.begin(), j->targets.end());
    for (int q : pcs) {
      CWorld from = w;
      from.th[t].pc = static_cast<int16_t>(q);
      if (!StepEnabled(cfg, progs[t], from, t)) continue;
      CWorld next = from;
      StepWorld(cfg, progs[t], next, t);
      out.push_back({q, from, next});
    }
    return out;
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
    for (int t = 0; t < p.n(); ++t)
      for (const Problem::Move& m : p.Moves(w, t))
        if (seen.insert(m.next).second) todo.push_back(m.next);
  }
  return out;
}

}  // namespace lifecheck::test

#endif  // LIFECHECK_MC_MC_TEST_UTIL_H_
