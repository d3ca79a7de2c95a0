#include "harness/findings/minimize.h"

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

// The verdict of a fresh judgement (JudgeTrace builds new runners).
std::string SlowVerdict(const Trace& t) {
  absl::StatusOr<Judgement> j = JudgeTrace(t, "t");
  return j.ok() ? j->verdict() : kInvalidVerdict;
}

const char kMkwrite[] = R"(lifecheck-trace v1
config fs=disk files=1 pages=1 ptes=1
policy mkwrite=old_racy
thread A: fault pte=0 file=1 index=0
thread A: write_fault pte=0
thread W: writeback file=1 index=0
schedule: A A A W W W A
)";

// The oracle reuses its runners between candidates and skips the world
// diffs: it must agree with a fresh judgement on every corpus trace (every
// judge), padded ones, and broken schedules.
TEST(JudgeOracle, AgreesWithAFreshJudgement) {
  const Oracle oracle = JudgeOracle();
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress")) {
    absl::StatusOr<Trace> t = ReadTraceFile(e.path().string());
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(oracle(*t), SlowVerdict(*t)) << e.path();
    if (t->judge == Judge::kSpec) {
      absl::StatusOr<Trace> p = PadTrace(*t, 30, 7, oracle);
      if (p.ok()) {
        EXPECT_EQ(oracle(*p), SlowVerdict(*p)) << e.path();
      }
    }
    Trace bad = *t;
    bad.schedule.insert(bad.schedule.begin(), 5);
    EXPECT_EQ(oracle(bad), SlowVerdict(bad)) << e.path();
    ++n;
  }
  EXPECT_GT(n, 40);
}

TEST(Minimize, KeepsVerdictAndDropsPadding) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  absl::StatusOr<Trace> p = PadTrace(*t, 100, 3, JudgeOracle());
  ASSERT_TRUE(p.ok());
  absl::StatusOr<MinimizeResult> m = Minimize(*p, JudgeOracle());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->verdict, "I-PG-1");
  EXPECT_EQ(NumCalls(m->trace), 3);
  EXPECT_TRUE(m->stats.one_minimal);
  EXPECT_TRUE(IsOneMinimal(m->trace, "I-PG-1", JudgeOracle()));
}

TEST(Minimize, CleanInputIsAnError) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  t->schedule.clear();  // sequential: the fault completes first -> clean
  ASSERT_EQ(JudgeOracle()(*t), "clean");
  absl::StatusOr<MinimizeResult> m = Minimize(*t, JudgeOracle());
  EXPECT_FALSE(m.ok());
}

// The oracle is a parameter: a stricter oracle is obeyed (here one that
// also demands the writeback call be present).
TEST(Minimize, UsesTheGivenOracle) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  int calls = 0;
  Oracle o = [&](const Trace& c) {
    ++calls;
    return JudgeOracle()(c);
  };
  absl::StatusOr<MinimizeResult> m = Minimize(*t, o);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(calls, m->stats.oracle_calls);
}

// A scheduled finding the spec also finds on its schedule shrinks under the
// spec's judgement first; the passes then run again under the impl's, so the
// result keeps `judge: sched` and is 1-minimal for it, and most candidates
// never ran the impl's threads.
TEST(Minimize, ScheduledFindingShrinksOnTheSpecFirst) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  t->judge = Judge::kSched;
  ASSERT_EQ(JudgeOracle()(*t), "I-PG-1");
  absl::StatusOr<Trace> p = PadTrace(*t, 100, 3, JudgeOracle());
  ASSERT_TRUE(p.ok());
  int spec_calls = 0, sched_calls = 0;
  const Oracle judge = JudgeOracle();
  Oracle o = [&](const Trace& c) {
    ++(c.judge == Judge::kSched ? sched_calls : spec_calls);
    return judge(c);
  };
  absl::StatusOr<MinimizeResult> m = Minimize(*p, o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->verdict, "I-PG-1");
  EXPECT_EQ(m->trace.judge, Judge::kSched);
  EXPECT_EQ(NumCalls(m->trace), 3);
  EXPECT_TRUE(m->stats.one_minimal);
  EXPECT_TRUE(IsOneMinimal(m->trace, "I-PG-1", JudgeOracle()));
  EXPECT_GT(spec_calls, sched_calls);
}

// When the spec does not find it (here: an oracle for which every
// spec-judged trace is clean, as for an impl-only bug), the impl's passes
// start from the input: same verdict, same 1-minimality.
TEST(Minimize, ScheduledFindingTheSpecMissesShrinksOnTheImpl) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  t->judge = Judge::kSched;
  absl::StatusOr<Trace> p = PadTrace(*t, 30, 3, JudgeOracle());
  ASSERT_TRUE(p.ok());
  const Oracle judge = JudgeOracle();
  int spec_calls = 0;
  Oracle impl_only = [&](const Trace& c) -> std::string {
    if (c.judge != Judge::kSched) {
      ++spec_calls;
      return "clean";
    }
    return judge(c);
  };
  absl::StatusOr<MinimizeResult> m = Minimize(*p, impl_only);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->verdict, "I-PG-1");
  EXPECT_EQ(m->trace.judge, Judge::kSched);
  EXPECT_EQ(NumCalls(m->trace), 3);
  EXPECT_TRUE(m->stats.one_minimal);
  EXPECT_EQ(spec_calls, 1);  // the one question: does the spec find it?
}

TEST(RemoveCalls, DropsTheCallsScheduleEntries) {
  absl::StatusOr<Trace> t = ParseTrace(kMkwrite, "t");
  ASSERT_TRUE(t.ok());
  Trace r = RemoveCalls(*t, {{false, false}, {true}});
  EXPECT_EQ(r.threads.size(), 1u);
  EXPECT_EQ(r.schedule, (std::vector<int>{0, 0, 0, 0}));
}

// Minimising a minimised trace changes nothing: a trace whose first
// 1-minimal result still held a lookup/dput and an igrab/iput pair that only
// go together (found by props.minimize).
TEST(Minimize, IsIdempotent) {
  absl::StatusOr<Trace> t =
      ReadTraceFile(std::string(LIFECHECK_SOURCE_DIR) +
                    "/corpus/regress/007-minimize-idempotent.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  absl::StatusOr<MinimizeResult> once = Minimize(*t, JudgeOracle());
  ASSERT_TRUE(once.ok()) << once.status();
  absl::StatusOr<MinimizeResult> twice = Minimize(once->trace, JudgeOracle());
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(PrintTrace(twice->trace), PrintTrace(once->trace));
  EXPECT_LE(NumCalls(once->trace), 3) << PrintTrace(once->trace);
}

}  // namespace
}  // namespace lifecheck
