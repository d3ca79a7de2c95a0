#include "harness/findings/judge.h"

#include <string>

#include "gtest/gtest.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

// An impl bug the spec cannot see: unpin drops 1 instead of the pin bias.
// The trace says how it is judged and which fault is planted.
const char kUnpin[] = R"(lifecheck-trace v1
config fs=dax files=1 pages=1 ptes=1 pins=1
judge: diff
fault: unpin_drops_one
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread A: unpin pin=0
thread A: munmap pte=0
)";

absl::StatusOr<Trace> Parse(const std::string& text) {
  return ParseTrace(text, "t");
}

TEST(JudgeOracle, JudgesEachTraceByItsOwnJudgeAndFaults) {
  absl::StatusOr<Trace> t = Parse(kUnpin);
  ASSERT_TRUE(t.ok()) << t.status();
  const Oracle oracle = JudgeOracle();
  EXPECT_EQ(oracle(*t), "DIFF-STATE");
  Trace spec = *t;  // the spec alone cannot see an impl bug
  spec.judge = Judge::kSpec;
  spec.faults = {};
  EXPECT_EQ(oracle(spec), "clean");
  Trace no_fault = *t;  // and the impl is right without the fault
  no_fault.faults = {};
  EXPECT_EQ(oracle(no_fault), "clean");
  Trace sched = *t;  // the controlled scheduler sees it too (the spec's
  sched.judge = Judge::kSched;  // invariants on Abstract(impl) first)
  EXPECT_NE(oracle(sched), "clean");
  sched.faults = {};
  EXPECT_EQ(oracle(sched), "clean");
}

TEST(JudgeOracle, ScheduleTheJudgeCannotFollowIsInvalid) {
  absl::StatusOr<Trace> t = Parse(R"(lifecheck-trace v1
config fs=dax files=1 pages=1 ptes=1 pins=1
judge: diff
thread A: fault pte=0 file=1 index=0
thread B: fault pte=0 file=1 index=0
schedule: A B A
)");
  ASSERT_TRUE(t.ok()) << t.status();
  // The schedule interleaves inside a call: not call-atomic.
  EXPECT_EQ(JudgeOracle()(*t), kInvalidVerdict);
  EXPECT_FALSE(JudgeTrace(*t, "t").ok());
}

TEST(JudgeTrace, FindingSiteNamesWhereSpecAndImplPart) {
  absl::StatusOr<Trace> t = Parse(kUnpin);
  ASSERT_TRUE(t.ok());
  absl::StatusOr<Judgement> j = JudgeTrace(*t, "t");
  ASSERT_TRUE(j.ok()) << j.status();
  ASSERT_TRUE(j->diff.has_value());
  EXPECT_EQ(j->verdict(), "DIFF-STATE");
  EXPECT_EQ(FindingSite(*j), "call unpin [pg.refcount]");
}

TEST(Minimize, ShrinksADiffFindingWithItsFaultKept) {
  absl::StatusOr<Trace> t = Parse(kUnpin);
  ASSERT_TRUE(t.ok());
  const Oracle oracle = JudgeOracle();
  absl::StatusOr<Trace> padded = PadTrace(*t, 60, 5, oracle);
  ASSERT_TRUE(padded.ok()) << padded.status();
  absl::StatusOr<MinimizeResult> m = Minimize(*padded, oracle);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->verdict, "DIFF-STATE");
  EXPECT_EQ(m->trace.judge, Judge::kDiff);
  EXPECT_TRUE(m->trace.faults.unpin_drops_one);
  EXPECT_EQ(oracle(m->trace), "DIFF-STATE");
  EXPECT_LE(NumCalls(m->trace), 3) << PrintTrace(m->trace);
  EXPECT_TRUE(m->stats.one_minimal);
  EXPECT_TRUE(IsOneMinimal(m->trace, "DIFF-STATE", oracle));
}

// An impl-schedule finding whose steps overlapped: minimised on the
// impl-schedule itself, calls and scheduling points together.
TEST(Minimize, ShrinksAnImplScheduleFinding) {
  absl::StatusOr<Trace> t =
      ReadTraceFile(std::string(LIFECHECK_SOURCE_DIR) +
                    "/corpus/regress/003-zap-without-ptl-impl.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(t->schedule.empty());
  const Oracle oracle = JudgeOracle();
  ASSERT_EQ(oracle(*t), "I-DAX-1");
  absl::StatusOr<MinimizeResult> m = Minimize(*t, oracle);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->trace.judge, Judge::kSched);
  EXPECT_FALSE(m->trace.impl_schedule.empty());
  EXPECT_LT(NumCalls(m->trace), NumCalls(*t)) << PrintTrace(m->trace);
  EXPECT_LT(m->trace.impl_schedule.size(), t->impl_schedule.size());
  absl::StatusOr<Judgement> j = JudgeTrace(m->trace, "min");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->verdict(), "I-DAX-1");
  EXPECT_TRUE(m->stats.one_minimal);
}

// A step-serial scheduled finding: minimised through the step markers, its
// impl-schedule recorded again.
TEST(Minimize, ShrinksAStepSerialScheduledFinding) {
  absl::StatusOr<Trace> t =
      ReadTraceFile(std::string(LIFECHECK_SOURCE_DIR) +
                    "/corpus/regress/002-eventfs-open-after-remove-impl.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_FALSE(t->schedule.empty());
  absl::StatusOr<MinimizeResult> m = Minimize(*t, JudgeOracle());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->verdict, t->expect);
  EXPECT_FALSE(m->trace.schedule.empty());
  EXPECT_FALSE(m->trace.impl_schedule.empty());
  absl::StatusOr<Judgement> j = JudgeTrace(m->trace, "min");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->verdict(), t->expect);
}

}  // namespace
}  // namespace lifecheck
