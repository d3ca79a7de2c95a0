// Helpers shared by the Z3 engine's tests: an independent BFS oracle over the
// concrete spec, the regress problems, and the witness replay check.
#ifndef LIFECHECK_MC_Z3_TEST_UTIL_H_
#define LIFECHECK_MC_Z3_TEST_UTIL_H_

#include <dirent.h>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "mc/engine.h"

namespace lifecheck {
namespace test {

struct Bfs {
  bool bad = false;
  Inv first = Inv::kNone;  // finding of the first bad state found
  int depth = 0;           // shortest run to a bad state / longest run
  int states = 0;
};

// Exhaustive BFS over interleavings of the concrete spec.
inline Bfs Explore(const Trace& p, int max_states = 200000) {
  Bfs out;
  absl::flat_hash_set<CWorld> seen;
  std::deque<std::pair<SpecExec, int>> q;
  q.emplace_back(SpecExec(p.config, p.threads), 0);
  seen.insert(q.front().first.world());
  while (!q.empty()) {
    auto [ex, d] = q.front();
    q.pop_front();
    out.depth = std::max(out.depth, d);
    if (ex.violation() != Inv::kNone || ex.deadlocked()) {
      out.bad = true;
      out.first =
          ex.violation() != Inv::kNone ? ex.violation() : Inv::kDeadlock;
      out.depth = d;
      return out;
    }
    for (int t : ex.enabled_threads()) {
      SpecExec next = ex;
      next.step(t);
      if (seen.insert(next.world()).second) q.emplace_back(next, d + 1);
    }
    if (static_cast<int>(seen.size()) > max_states) break;
  }
  out.states = static_cast<int>(seen.size());
  return out;
}

inline std::vector<std::string> RegressFiles() {
  std::vector<std::string> out;
  const std::string dir = std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 6 && n.substr(n.size() - 6) == ".trace")
      out.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The counterexample replays to the named invariant at its last step (a
// lasso: its schedule and cycle are its steps).
inline void ExpectReplays(const McResult& r, const std::string& what) {
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample) << what;
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, what);
  ASSERT_TRUE(run.ok()) << what << ": " << run.status();
  EXPECT_EQ(Finding(*run), r.inv) << what;
  EXPECT_EQ(static_cast<int>(run->steps.size()), r.bound) << what;
  EXPECT_EQ(r.counterexample.expect, InvId(r.inv)) << what;
  EXPECT_EQ(r.counterexample.schedule.size() + r.counterexample.cycle.size(),
            static_cast<size_t>(r.bound));
}

}  // namespace test
}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_TEST_UTIL_H_
