// The Z3 engine against an independent oracle (slow: ctest label `mc` only).
// A breadth-first search over the concrete spec (SpecExec) computes, for
// every corpus/regress problem (its schedule dropped), whether a bad state
// (violation or deadlock) is reachable and the length of the shortest run to
// one. Z3 BMC must agree on the verdict and on that length, with and without
// its reductions; each counterexample must replay on the concrete spec to the
// invariant it names at exactly its last step; k-induction must never prove
// a buggy problem.
#include <cctype>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "mc/z3_bmc.h"
#include "mc/z3_test_util.h"

namespace lifecheck {
namespace {

using test::Bfs;
using test::ExpectReplays;
using test::Explore;
using test::RegressFiles;

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
                red ? "reduced" : "naive", bfs.bad ? "bad" : "clean", bfs.depth,
                McVerdictName(r.verdict), r.bound, r.seconds);
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

// One test per corpus/regress trace, so that ctest spreads the problems
// over its jobs (a single test ran them one after another, the longest
// entry of the suite).
class Z3Agreement : public testing::TestWithParam<std::string> {};

std::string ParamName(const testing::TestParamInfo<std::string>& info) {
  std::string n = info.param.substr(info.param.rfind('/') + 1);
  n = n.substr(0, n.size() - 6);  // ".trace"
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Regress, Z3Agreement,
                         testing::ValuesIn(RegressFiles()), ParamName);

TEST_P(Z3Agreement, AgreesWithBfs) {
  const std::string& f = GetParam();
  absl::StatusOr<Trace> t = ReadTraceFile(f);
  ASSERT_TRUE(t.ok()) << t.status();
  Trace problem = *t;
  problem.schedule.clear();
  problem.schedule_pos.clear();
  problem.expect.clear();
  // The BFS oracle checks safety: a lasso's safety problem is its finite
  // calls (Z3's lasso search: z3_bmc_test's StarvationLassoOfTheWaitPolicy).
  problem.loops.clear();
  problem.cycle.clear();
  problem.cycle_pos.clear();
  CheckAgainstBfs(problem, f);
}

// The regress traces that are spec safety findings: buggy, judged on the
// spec alone (a trace judged on the impl, judge diff or sched, may find what
// only the impl does), and not a STARVATION (a lasso: liveness, which
// k-induction does not prove or refute).
std::vector<std::string> SpecFindingFiles() {
  std::vector<std::string> out;
  for (const std::string& f : RegressFiles()) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    if (t.ok() && t->expect != "clean" && t->expect != "STARVATION" &&
        t->judge == Judge::kSpec)
      out.push_back(f);
  }
  return out;
}

class Z3Induction : public testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Regress, Z3Induction,
                         testing::ValuesIn(SpecFindingFiles()), ParamName);

TEST_P(Z3Induction, NeverProvesABuggyProblem) {
  const std::string& f = GetParam();
  absl::StatusOr<Trace> t = ReadTraceFile(f);
  ASSERT_TRUE(t.ok());
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

TEST(Z3AgreementCorpus, HasBuggyAndCleanProblems) {
  // The per-file tests above check what they are given: make sure they are
  // given the corpus (a wrong source dir would instantiate none).
  int buggy = 0;
  const std::vector<std::string> files = RegressFiles();
  ASSERT_GT(files.size(), 40u);
  for (const std::string& f : files) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    ASSERT_TRUE(t.ok()) << t.status();
    if (t->expect != "clean") ++buggy;
  }
  EXPECT_GT(buggy, 15);
  EXPECT_GT(SpecFindingFiles().size(), 15u);
}

}  // namespace
}  // namespace lifecheck
