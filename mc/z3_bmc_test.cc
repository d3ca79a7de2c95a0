// The Z3 engine on hand-built problems (fast; the agreement with a BFS oracle
// on every regress problem is mc/z3_agreement_test.cc, label `mc`): buggy
// regress problems have counterexamples that replay to their ID at their
// last step; dax-truncate NONE has I-DAX-1, WAIT/EBUSY are clean to a bound;
// bounds, termination, k-induction on a clean problem, the registry.
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
    Z3Options o;
    // 007-minimize-idempotent (22 calls) takes ~19 s alone on 2 cores.
    o.timeout_s = 60;
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
