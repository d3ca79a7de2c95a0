// The Z3 engine against an independent oracle: a breadth-first search over
// the concrete spec (SpecExec) computes, for small problems, whether a bad
// state (violation or deadlock) is reachable and the length of the shortest
// run to one. Z3 BMC must agree on the verdict and on that length (it
// deepens one step at a time), with and without its reductions; each Z3
// counterexample must replay on the concrete spec to the invariant it names
// at exactly its last step; k-induction must never prove a buggy problem.
//
// Problems: every corpus/regress trace with its schedule dropped (each
// subsystem's races: dax truncate NONE/EBUSY/WAIT with pinners, mkwrite old
// vs writeback, lease breaks, legacy dget at umount, eventfs remove vs open,
// evict without barrier, and their fixed variants), plus the dax-truncate
// shape of mc/z3_problems.h.
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "harness/replay.h"
#include "mc/engine.h"
#include "mc/z3_bmc.h"
#include "mc/z3_problems.h"

namespace lifecheck {
namespace {

struct Bfs {
  bool bad = false;
  Inv first = Inv::kNone;  // finding of the first bad state found
  int depth = 0;           // shortest run to a bad state / longest run
  int states = 0;
};

// Exhaustive BFS over interleavings of the concrete spec.
Bfs Explore(const Trace& p, int max_states = 200000) {
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
      out.first = ex.violation() != Inv::kNone ? ex.violation()
                                               : Inv::kDeadlock;
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

std::vector<std::string> RegressFiles() {
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

// The counterexample replays to the named invariant at its last step.
void ExpectReplays(const McResult& r, const std::string& what) {
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample) << what;
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, what);
  ASSERT_TRUE(run.ok()) << what << ": " << run.status();
  EXPECT_EQ(Finding(*run), r.inv) << what;
  EXPECT_EQ(static_cast<int>(run->steps.size()), r.bound) << what;
  EXPECT_EQ(r.counterexample.expect, InvId(r.inv)) << what;
  EXPECT_EQ(r.counterexample.schedule.size(), static_cast<size_t>(r.bound));
}

constexpr int kCleanBound = 7;

void CheckAgainstBfs(const Trace& problem, const std::string& what) {
  const Bfs bfs = Explore(problem);
  for (int red = 0; red < 2; ++red) {
    Z3Options o;
    o.enc.por = o.enc.symmetry = red == 1;
    // A clean problem is checked to a bound that keeps the test fast; a
    // buggy one to its BFS depth (Z3 must find it exactly there).
    o.bound = bfs.bad ? bfs.depth : kCleanBound;
    const McResult r = CheckZ3Bmc(problem, o);
    const std::string label = what + (red ? " (reduced)" : " (naive)");
    std::printf("%-60s %-8s bfs %s@%d z3 %s@%d %.2fs\n",
                what.substr(what.rfind('/') + 1).c_str(),
                red ? "reduced" : "naive", bfs.bad ? "bad" : "clean",
                bfs.depth, McVerdictName(r.verdict), r.bound, r.seconds);
    if (bfs.bad) {
      ExpectReplays(r, label);
      EXPECT_EQ(r.bound, bfs.depth) << label << ": not the shortest";
    } else {
      EXPECT_TRUE(r.verdict == McVerdict::kVerified ||
                  r.verdict == McVerdict::kVerifiedToBound)
          << label << ": " << McVerdictName(r.verdict);
    }
  }
}

TEST(Z3Bmc, AgreesWithBfsOnEveryRegressProblem) {
  const std::vector<std::string> files = RegressFiles();
  ASSERT_GT(files.size(), 40u);
  int buggy = 0;
  for (const std::string& f : files) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    ASSERT_TRUE(t.ok()) << t.status();
    Trace problem = *t;
    problem.schedule.clear();
    problem.schedule_pos.clear();
    problem.expect.clear();
    // A trace's own finding is one schedule of the problem: the problem
    // must be buggy whenever the trace is.
    if (t->expect != "clean") ++buggy;
    CheckAgainstBfs(problem, f);
  }
  EXPECT_GT(buggy, 15);
}

TEST(Z3Bmc, BuggyRegressTracesHaveCounterexamples) {
  for (const std::string& f : RegressFiles()) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    ASSERT_TRUE(t.ok());
    if (t->expect == "clean") continue;
    Trace problem = *t;
    problem.schedule.clear();
    Z3Options o;
    o.timeout_s = 20;
    const McResult r = CheckZ3Bmc(problem, o);
    ExpectReplays(r, f);
  }
}

TEST(Z3Bmc, DaxTruncatePolicies) {
  for (int pages = 1; pages <= 1; ++pages) {
    for (int pinners = 1; pinners <= 2; ++pinners) {
      const std::string shape =
          std::to_string(pages) + "x" + std::to_string(pinners);
      const McResult none = CheckZ3Bmc(
          DaxTruncateProblem(DaxTruncatePolicy::kNone, pages, pinners), {});
      ExpectReplays(none, "none " + shape);
      EXPECT_EQ(none.inv, Inv::kDax1) << shape;
      for (auto pol : {DaxTruncatePolicy::kWait, DaxTruncatePolicy::kEbusy}) {
        Z3Options o;
        o.bound = 5;  // beyond every NONE counterexample above
        const McResult r =
            CheckZ3Bmc(DaxTruncateProblem(pol, pages, pinners), o);
        EXPECT_TRUE(r.verdict == McVerdict::kVerifiedToBound ||
                    r.verdict == McVerdict::kVerified)
            << shape << " " << McVerdictName(r.verdict);
      }
    }
  }
}

TEST(Z3Bmc, InductionNeverProvesABuggyProblem) {
  for (const std::string& f : RegressFiles()) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    ASSERT_TRUE(t.ok());
    if (t->expect == "clean") continue;
    Trace problem = *t;
    problem.schedule.clear();
    Z3Options o;
    o.prove = true;
    o.timeout_s = 5;
    const McResult r = CheckZ3Bmc(problem, o);
    // Under the time budget the answer may be unknown; never a proof.
    EXPECT_NE(r.verdict, McVerdict::kProved) << f;
    EXPECT_NE(r.verdict, McVerdict::kVerified) << f;
    if (r.verdict == McVerdict::kCounterexample) ExpectReplays(r, f);
  }
}

TEST(Z3Bmc, BoundStopsTheSearch) {
  const Trace p = DaxTruncateProblem(DaxTruncatePolicy::kNone, 1, 1);
  Z3Options o;
  o.bound = 1;  // the shortest NONE counterexample needs more steps
  const McResult r = CheckZ3Bmc(p, o);
  EXPECT_EQ(r.verdict, McVerdict::kVerifiedToBound);
  EXPECT_EQ(r.bound, 1);
}

// A problem whose runs all end early: BMC sees that no longer run exists.
TEST(Z3Bmc, CleanProblemIsVerifiedWhenRunsEnd) {
  Trace p = DaxTruncateProblem(DaxTruncatePolicy::kWait, 1, 1);
  p.threads.resize(1);  // the pinner alone
  p.thread_names.resize(1);
  const McResult r = CheckZ3Bmc(p, Z3Options{});
  EXPECT_EQ(r.verdict, McVerdict::kVerified);
  EXPECT_EQ(r.bound, 5);  // fault, pin (lock PTL, grab), dma, unpin
}

// k-induction proves a clean problem (here: the pinner alone again) and
// never a buggy one (InductionNeverProvesABuggyProblem).
TEST(Z3Bmc, InductionProvesAClean2ThreadProblem) {
  Trace p = DaxTruncateProblem(DaxTruncatePolicy::kEbusy, 1, 1);
  p.threads.resize(2);  // P0 and T
  p.thread_names.resize(2);
  Z3Options o;
  o.prove = true;
  o.timeout_s = 60;
  const McResult r = CheckZ3Bmc(p, o);
  EXPECT_TRUE(r.verdict == McVerdict::kProved ||
              r.verdict == McVerdict::kVerified)
      << McVerdictName(r.verdict);
}

TEST(Z3Bmc, RegisteredAsZ3) {
  McEngineFn fn = FindMcEngine("z3");
  ASSERT_NE(fn, nullptr);
  const McResult r =
      fn(DaxTruncateProblem(DaxTruncatePolicy::kNone, 1, 1), McOptions{});
  ExpectReplays(r, "engine z3");
}

}  // namespace
}  // namespace lifecheck
