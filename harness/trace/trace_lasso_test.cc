// Lassos in the trace format (docs/trace-format.md "Lassos"): a thread's
// `repeat * {` loop and the `cycle:` schedule parse in every trace, print
// back to the same trace, and are rejected with their position where they
// do not fit; a problem's `repeat LO..* {` is a choice, last in its thread.
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "harness/trace/trace.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

const std::string kHead =
    "lifecheck-trace v1\n"
    "config fs=dax files=1 pages=1 spare=0 ptes=1 pins=1 events=0\n";

const std::string kLasso = kHead +
                           "thread T: truncate file=1 size=0\n"
                           "thread A: fault pte=0 file=1 index=0\n"
                           "thread A: repeat * {\n"
                           "thread A: pin pin=0 pte=0\n"
                           "thread A: unpin pin=0\n"
                           "thread A: }\n"
                           "schedule: A T*2\n"
                           "cycle: A*4\n";

void ExpectError(const std::string& text, const std::string& where,
                 const std::string& what, bool choices) {
  absl::StatusOr<Trace> t =
      ParseTrace(text, "t.trace", ParseOptions{.choices = choices});
  ASSERT_FALSE(t.ok()) << "parsed unexpectedly:\n" << text;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(t.status().message());
  EXPECT_EQ(msg.rfind("t.trace:" + where + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
}

TEST(TraceLasso, LoopAndCycleParseInAConcreteTraceAndRoundTrip) {
  absl::StatusOr<Trace> t = ParseTrace(kLasso, "t.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->concrete());
  EXPECT_TRUE(t->lasso());
  ASSERT_EQ(t->threads.size(), 2u);
  EXPECT_EQ(t->threads[1].size(), 1u);  // fault, then the loop
  ASSERT_EQ(t->loop(1).size(), 2u);
  EXPECT_EQ(t->loop(1)[0].op, Op::kPin);
  EXPECT_TRUE(t->loop(0).empty());
  EXPECT_EQ(t->cycle, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(t->cycle_pos[0].line, 10);
  EXPECT_TRUE(HasForever(t->body(1)));
  EXPECT_FALSE(HasForever(t->body(0)));
  // `loops` may end short of the threads: a missing entry is no loop.
  Trace longer = *t;
  longer.loops.resize(5);
  EXPECT_TRUE(longer == *t);
  longer.loops[0] = t->loop(1);
  EXPECT_FALSE(longer == *t);
  const std::string printed = PrintTrace(*t);
  absl::StatusOr<Trace> back = ParseTrace(printed, "printed");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == *t) << printed;
  EXPECT_EQ(PrintTrace(*back), printed);
}

TEST(TraceLasso, ALassoIsConcreteForTheModelCheckerToo) {
  // `lifecheck check` reads it with choices allowed: still a lasso, whose
  // bodies end with the loop.
  absl::StatusOr<Trace> t =
      ParseTrace(kLasso, "t.trace", ParseOptions{.choices = true});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->concrete());
  EXPECT_TRUE(t->lasso());
  EXPECT_TRUE(HasForever(t->body(1)));
}

TEST(TraceLasso, AProblemsUnboundedRepeatIsAChoiceAndRoundTrips) {
  const std::string text = kHead +
                           "thread T: truncate file=1 size=0\n"
                           "thread A: repeat 1..* {\n"
                           "thread A: pin pin=0 pte=0 | unpin pin=0\n"
                           "thread A: }\n";
  absl::StatusOr<Trace> t =
      ParseTrace(text, "t.trace", ParseOptions{.choices = true});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_FALSE(t->concrete());
  EXPECT_EQ(t->bodies[1][0].lo, 1);
  EXPECT_EQ(t->bodies[1][0].hi, kForever);
  const std::string printed = PrintTrace(*t);
  EXPECT_NE(printed.find("repeat 1..* {"), std::string::npos) << printed;
  absl::StatusOr<Trace> back =
      ParseTrace(printed, "p", ParseOptions{.choices = true});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == *t);
}

TEST(TraceLasso, Errors) {
  // The loop is the thread's last item.
  ExpectError(kHead +
                  "thread A: repeat * {\n"
                  "thread A: pin pin=0 pte=0\n"
                  "thread A: }\n"
                  "thread A: unpin pin=0\n",
              "6:11", "must be its last", false);
  // Not inside another repeat.
  ExpectError(kHead +
                  "thread A: repeat 2 {\n"
                  "thread A: repeat 1..* {\n",
              "4:11", "not inside another", true);
  // At least one call.
  ExpectError(kHead +
                  "thread A: repeat * {\n"
                  "thread A: }\n",
              "4:11", "at least one call", false);
  // A concrete trace's loop is `repeat * {`: a count is a choice.
  ExpectError(kHead + "thread A: repeat 1..* {\n", "3:11",
              "makes a problem for 'lifecheck check'", false);
  // A problem has no cycle.
  ExpectError(kHead +
                  "thread A: pin pin=0 pte=0 | unpin pin=0\n"
                  "cycle: A\n",
              "4:8", "has no cycle", true);
  ExpectError(kHead + "thread A: repeat *x {\n", "3:18",
              "expected a repeat count", true);
  // A lasso's loop holds plain calls, even in a problem.
  ExpectError(kHead +
                  "thread A: repeat * {\n"
                  "thread A: pin pin=0 pte=0 | unpin pin=0\n"
                  "thread A: }\n",
              "3:11", "holds plain calls", true);
}

TEST(ThreadBodyForever, LaysTheLoopOutOnceWithABackEdge) {
  Call pin, unpin;
  pin.op = Op::kPin;
  unpin.op = Op::kUnpin;
  Config cfg;
  cfg.fs = FsKind::kDax;
  cfg.pins = 1;
  const ThreadBody body{CallItem(pin),
                        RepeatItem(1, kForever, {CallItem(unpin)})};
  const ThreadProgram p = FlattenBody(body, cfg);
  // pin, unpin (the one copy of lo), junction, unpin (the loop).
  int unpins = 0;
  for (size_t pc = 0; pc < p.size(); ++pc)
    unpins += !p.junction(static_cast<int>(pc)) && p[pc].op == Op::kUnpin &&
              p[pc].k == 0;
  EXPECT_EQ(unpins, 2);
  // After the copy of lo, and the loop's own point: leave or go round.
  ASSERT_EQ(p.junctions.size(), 2u);
  EXPECT_EQ(p.junctions[0], p.junctions[1]);
  const Junction& j = p.junctions[1];
  EXPECT_TRUE(j.may_end);
  ASSERT_EQ(j.targets.size(), 1u);
  // The loop's call returns to the junction before it: a back edge.
  const Insn& loop_call = p[j.targets[0]];
  EXPECT_LT(loop_call.return_pc(), j.targets[0]);
  EXPECT_TRUE(p.junction(loop_call.return_pc()));
  EXPECT_TRUE(IsProgramOf({pin, unpin, unpin, unpin, unpin}, p));
  EXPECT_FALSE(IsProgramOf({pin}, p));  // lo = 1
}

}  // namespace
}  // namespace lifecheck
