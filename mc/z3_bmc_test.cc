// The Z3 engine on hand-built problems (fast; the agreement with a BFS oracle
// on every regress problem is mc/z3_agreement_test.cc, label `mc`): buggy
// regress problems have counterexamples that replay to their ID at their
// last step (a STARVATION's lasso to its starved thread); dax-truncate NONE has
// I-DAX-1, WAIT/EBUSY are clean to a bound; bounds, termination, k-induction on
// a clean problem, the registry; frames sliced to the cone of influence give
// the same verdicts as whole frames.
#include "mc/z3_bmc.h"

#include <string>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "mc/engine.h"
#include "mc/z3_problems.h"
#include "mc/z3_test_util.h"

namespace lifecheck {
namespace {

using test::ExpectReplays;
using test::RegressFiles;

TEST(Z3Bmc, BuggyRegressTracesHaveCounterexamples) {
  for (const std::string& f : RegressFiles()) {
    absl::StatusOr<Trace> t = ReadTraceFile(f);
    ASSERT_TRUE(t.ok());
    // A spec finding: a trace judged on the impl (judge diff or sched) may
    // find what only the impl does.
    if (t->expect == "clean" || t->judge != Judge::kSpec) continue;
    Trace problem = *t;
    problem.schedule.clear();
    problem.cycle.clear();  // a STARVATION's lasso: found again by its loops
    // BMC unrolls straight to the explicit engine's shortest length, as the
    // z3 engine does: the unsat bounds below it cost most of the search
    // (007-minimize-idempotent: 8 s of CPU deepening from 0, past any
    // wall-clock budget under ASan on a loaded machine). No timeout: the
    // answer does not depend on the machine's load.
    const McResult ex = FindMcEngine("explicit")(problem, McOptions{});
    ASSERT_EQ(ex.verdict, McVerdict::kCounterexample) << f;
    Z3Options o;
    o.first_bound = ex.bound;
    const McResult r = CheckZ3Bmc(problem, o);
    ExpectReplays(r, f);
    EXPECT_EQ(r.bound, ex.bound) << f << ": not the shortest";
  }
}

// Starvation (docs/liveness.md): BMC's lasso query finds the explicit
// checker's 17-step lasso of seed 003's option 2 (also a case of the test
// above) and none with ebusy.
TEST(Z3Bmc, StarvationLassoOfTheWaitPolicy) {
  const std::string dir =
      std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress/";
  absl::StatusOr<Trace> t =
      ReadTraceFile(dir + "003-wait-starved-by-refault.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  Trace problem = *t;
  problem.schedule.clear();
  problem.cycle.clear();
  const McResult ex = FindMcEngine("explicit")(problem, McOptions{});
  ASSERT_EQ(ex.inv, Inv::kStarvation);
  Z3Options o;
  o.bound = o.first_bound = ex.bound;  // the explicit lasso's length
  const McResult r = CheckZ3Bmc(problem, o);
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample);
  EXPECT_EQ(r.inv, Inv::kStarvation);
  EXPECT_EQ(r.bound, ex.bound);
  ASSERT_TRUE(r.counterexample.lasso());
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, "z3 lasso");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Finding(*run), Inv::kStarvation);
  EXPECT_EQ(run->blocked[0].step, Step::kDaxWaitIdle);

  // The fixed protocol: no lasso of that length (the explicit checker
  // verifies every cycle; this keeps the test's Z3 time to one query).
  absl::StatusOr<Trace> f =
      ReadTraceFile(dir + "003-wait-starved-by-refault-fixed.trace");
  ASSERT_TRUE(f.ok()) << f.status();
  const McResult clean = CheckZ3Bmc(*f, o);
  EXPECT_EQ(clean.verdict, McVerdict::kVerifiedToBound)
      << McVerdictName(clean.verdict);
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
  // fault, pin (PinLockPtl finds the PTE read-only, the FOLL_WRITE fault,
  // PinLockPtl, grab), dma, unpin
  EXPECT_EQ(r.bound, 7);
}

// k-induction proves a clean problem (here: the pinner alone again) and
// never a buggy one (InductionNeverProvesABuggyProblem).
TEST(Z3Bmc, InductionProvesAClean2ThreadProblem) {
  Trace p = DaxTruncateProblem(DaxTruncatePolicy::kEbusy, 1, 1);
  p.threads.resize(2);  // P0 and T
  p.thread_names.resize(2);
  Z3Options o;
  o.prove = true;
  // No timeout: k-induction closes (6 s of CPU, more under ASan), and a
  // wall-clock budget made the verdict depend on the machine's load.
  const McResult r = CheckZ3Bmc(p, o);
  EXPECT_TRUE(r.verdict == McVerdict::kProved ||
              r.verdict == McVerdict::kVerified)
      << McVerdictName(r.verdict);
}

// EncodingOptions::cone leaves the fields outside the cone free in every
// frame after the first: BMC must still give whole frames' verdict, the same
// shortest counterexample length, and witnesses that replay. No timeout:
// both runs finish, so the test does not depend on the machine's load.
TEST(Z3Bmc, ConeSlicingKeepsTheVerdicts) {
  struct Case {
    const char* name;
    DaxTruncatePolicy pol;
    int pinners, bound;
  } cases[] = {
      // I-DAX-1, deepened to its length
      {"none", DaxTruncatePolicy::kNone, 2, 0},
      // clean to the bound
      {"wait", DaxTruncatePolicy::kWait, 1, 6},
      {"ebusy", DaxTruncatePolicy::kEbusy, 1, 5},
  };
  for (const Case& c : cases) {
    const Trace p = DaxTruncateProblem(c.pol, 1, c.pinners);
    const std::string what =
        std::string(c.name) + " 1x" + std::to_string(c.pinners);
    McResult r[2];
    for (int cone = 0; cone < 2; ++cone) {
      Z3Options o;
      o.bound = c.bound;
      o.enc.cone = cone == 1;
      r[cone] = CheckZ3Bmc(p, o);
    }
    EXPECT_EQ(r[0].verdict, r[1].verdict) << what;
    EXPECT_EQ(r[0].bound, r[1].bound) << what;
    EXPECT_EQ(r[0].inv, r[1].inv) << what;
    if (c.bound == 0) {
      ExpectReplays(r[0], what + " whole frames");
      ExpectReplays(r[1], what + " cone");
    } else {
      EXPECT_EQ(r[1].verdict, McVerdict::kVerifiedToBound) << what;
    }
    // The slicing removes fields: a call's return value is outside the cone.
    const auto stat = [&](const char* key) {
      for (const auto& [k, v] : r[1].stats)
        if (k == key) return std::stoi(v);
      ADD_FAILURE() << "no stat " << key;
      return 0;
    };
    EXPECT_LT(stat("cone of influence"), stat("variable fields")) << what;
  }
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
