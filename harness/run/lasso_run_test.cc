// A lasso replayed on the spec (harness/run/spec_run.h RunTrace): its cycle
// must come back to where it started and be fair, and then every thread
// with work left that never steps on it is starved (docs/liveness.md).
#include <string>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"

namespace lifecheck {
namespace {

// Mainline DAX truncate sleeps for the page to go idle with the fault lock
// dropped; A faults, pins and unpins it for ever (seed 003, option 2).
std::string Lasso(const std::string& policy, const std::string& cycle) {
  return "lifecheck-trace v1\n"
         "config fs=dax files=1 pages=1 spare=0 ptes=1 pins=1 events=0\n" +
         policy +
         "thread T: truncate file=1 size=0\n"
         "thread A: fault pte=0 file=1 index=0\n"
         "thread A: pin pin=0 pte=0\n"
         "thread A: unpin pin=0\n"
         "thread A: repeat * {\n"
         "thread A: munmap pte=0\n"
         "thread A: fault pte=0 file=1 index=0\n"
         "thread A: pin pin=0 pte=0\n"
         "thread A: unpin pin=0\n"
         "thread A: }\n"
         "schedule: A*5 T*2 A*2\n" +
         cycle;
}

absl::StatusOr<RunResult> RunText(const std::string& text) {
  absl::StatusOr<Trace> t = ParseTrace(text, "t.trace");
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return t.status();
  return RunTrace(*t, "t.trace");
}

TEST(LassoRun, AFairCycleStarvesTheSleeper) {
  absl::StatusOr<RunResult> r = RunText(Lasso("", "cycle: A*8\n"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Finding(*r), Inv::kStarvation);
  EXPECT_EQ(Verdict(*r), "STARVATION");
  ASSERT_EQ(r->blocked.size(), 1u);
  EXPECT_EQ(r->blocked[0].thread, 0);
  EXPECT_EQ(r->blocked[0].step, Step::kDaxWaitIdle);
  EXPECT_EQ(r->cycle_start, 9);
  EXPECT_EQ(r->steps.size(), 17u);
  // Two rounds are the same lasso.
  r = RunText(Lasso("", "cycle: A*16\n"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Finding(*r), Inv::kStarvation);
}

TEST(LassoRun, ACycleThatDoesNotComeBackIsAnError) {
  absl::StatusOr<RunResult> r = RunText(Lasso("", "cycle: A*3\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("t.trace:14:8: the cycle does not come back"),
      std::string::npos)
      << r.status();
}

TEST(LassoRun, ACycleUnfairToAWaiterIsAnError) {
  // A round of A's loop, then the same round as the cycle, with truncate
  // not started: its first step waits for the truncate locks, a lock free
  // in some state of the cycle and never taken: not a fair cycle.
  const std::string text =
      "lifecheck-trace v1\n"
      "config fs=dax files=1 pages=1 spare=0 ptes=1 pins=1 events=0\n"
      "thread T: truncate file=1 size=0\n"
      "thread A: repeat * {\n"
      "thread A: fault pte=0 file=1 index=0\n"
      "thread A: pin pin=0 pte=0\n"
      "thread A: unpin pin=0\n"
      "thread A: munmap pte=0\n"
      "thread A: }\n"
      "schedule: A*8\n"
      "cycle: A*8\n";
  absl::StatusOr<RunResult> r = RunText(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not fair to thread T"),
            std::string::npos)
      << r.status();
}

TEST(LassoRun, WithoutItsCycleALoopIsOptional) {
  // The sequential rule never starts an optional round: truncate runs.
  std::string text = Lasso("", "");
  absl::StatusOr<RunResult> r = RunText(text);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(Finding(*r), Inv::kStarvation);
}

}  // namespace
}  // namespace lifecheck
