// The choice grammar of the trace format (docs/trace-format.md "Choices"):
// alternatives, argument ranges and repeats parse into thread bodies only
// where choices are allowed (`lifecheck check`), print back to the same
// problem, and are rejected with their position everywhere else.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "harness/trace/trace.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

const std::string kCfg =
    "lifecheck-trace v1\n"
    "config fs=dax files=1 pages=3 spare=0 ptes=2 pins=2 events=0\n";
const ParseOptions kChoices{.choices = true};

Trace MustParse(const std::string& text) {
  absl::StatusOr<Trace> t = ParseTrace(text, "t.trace", kChoices);
  EXPECT_TRUE(t.ok()) << t.status() << "\n--- input ---\n" << text;
  return t.ok() ? *t : Trace{};
}

void ExpectError(const std::string& text, const std::string& where,
                 const std::string& what, bool choices = true) {
  absl::StatusOr<Trace> t =
      ParseTrace(text, "t.trace", ParseOptions{.choices = choices});
  ASSERT_FALSE(t.ok()) << "parsed unexpectedly:\n" << text;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(t.status().message());
  EXPECT_EQ(msg.rfind("t.trace:" + where + ": ", 0), 0u)
      << "message: " << msg << "\nexpected position " << where;
  EXPECT_NE(msg.find(what), std::string::npos)
      << "message: " << msg << "\nexpected to contain: " << what;
}

void ExpectRoundTrip(const Trace& t) {
  const std::string printed = PrintTrace(t);
  absl::StatusOr<Trace> back = ParseTrace(printed, "printed", kChoices);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << printed;
  EXPECT_TRUE(*back == t) << printed;
  EXPECT_EQ(PrintTrace(*back), printed);
}

Call C(Op op, int a = 0, int b = 0, int d = 0) {
  Call x;
  x.op = op;
  x.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
            static_cast<int16_t>(d)};
  return x;
}

TEST(TraceChoices, RangesAndAlternativesMakeBodies) {
  const Trace t = MustParse(kCfg +
                            "thread P: fault pte=0 file=1 index=0..2\n"
                            "thread P: pin pin=0 pte=0..1 | munmap pte=0..1\n"
                            "thread T: truncate file=1 size=0\n");
  ASSERT_FALSE(t.concrete());
  ASSERT_EQ(t.bodies.size(), 2u);
  EXPECT_TRUE(t.threads[0].empty() && t.threads[1].empty());
  const ThreadBody& p = t.bodies[0];
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].alts,
            (std::vector<Call>{C(Op::kFault, 0, 1, 0), C(Op::kFault, 0, 1, 1),
                               C(Op::kFault, 0, 1, 2)}));
  // The last argument varies fastest; '|' concatenates.
  EXPECT_EQ(p[1].alts,
            (std::vector<Call>{C(Op::kPin, 0, 0), C(Op::kPin, 0, 1),
                               C(Op::kMunmap, 0), C(Op::kMunmap, 1)}));
  EXPECT_EQ(t.bodies[1], BodyOfCalls({C(Op::kTruncate, 1, 0)}));
  ExpectRoundTrip(t);
  // Printed with ranges again.
  EXPECT_NE(PrintTrace(t).find("thread P: pin pin=0 pte=0..1 | munmap "
                               "pte=0..1\n"),
            std::string::npos)
      << PrintTrace(t);
}

TEST(TraceChoices, RepeatsNestPerThreadAndRoundTrip) {
  const Trace t = MustParse(kCfg +
                            "thread P: repeat 1..2 {\n"
                            "thread T: truncate file=1 size=0\n"
                            "thread P: fault pte=0 file=1 index=0\n"
                            "thread P: repeat 3 {\n"
                            "thread P: dma pin=0\n"
                            "thread P: }\n"
                            "thread P: }\n"
                            "thread P: unpin pin=0\n");
  ASSERT_FALSE(t.concrete());
  const ThreadBody& p = t.bodies[0];
  ASSERT_EQ(p.size(), 2u);
  ASSERT_FALSE(p[0].is_call());
  EXPECT_EQ(p[0].lo, 1);
  EXPECT_EQ(p[0].hi, 2);
  ASSERT_EQ(p[0].block.size(), 2u);
  EXPECT_EQ(p[0].block[1].lo, 3);
  EXPECT_EQ(p[0].block[1].hi, 3);
  EXPECT_EQ(p[1].alts, std::vector<Call>{C(Op::kUnpin, 0)});
  ExpectRoundTrip(t);
}

TEST(TraceChoices, ARangeOfOneValueIsAPlainCall) {
  const Trace t = MustParse(kCfg + "thread P: fault pte=0 file=1 index=1..1\n" +
                            "thread P: dma pin=0\n");
  EXPECT_TRUE(t.concrete());
  EXPECT_EQ(t.threads[0],
            (std::vector<Call>{C(Op::kFault, 0, 1, 1), C(Op::kDma, 0)}));
}

// Every command but `check` runs one concrete trace: the first choice is
// an error at its position.
TEST(TraceChoices, ConcreteParseRejectsEachChoiceAtItsPosition) {
  const std::string no = "runs one concrete trace";
  ExpectError(kCfg + "thread P: fault pte=0 file=1 index=0..2\n", "3:36", no,
              false);
  ExpectError(kCfg + "thread P: dma pin=0 | unpin pin=0\n", "3:21", no, false);
  ExpectError(kCfg + "thread P: repeat 2 {\n", "3:11", no, false);
  ExpectError(kCfg + "thread P: }\n", "3:11", no, false);
  // Concrete traces still parse.
  EXPECT_TRUE(ParseTrace(kCfg + "thread P: dma pin=0\n", "t.trace").ok());
}

TEST(TraceChoices, Errors) {
  ExpectError(kCfg + "thread P: fault pte=0 file=1 index=2..1\n", "3:36",
              "empty range '2..1'");
  ExpectError(kCfg + "thread P: fault pte=0 file=1 index=0..x\n", "3:39",
              "expected a decimal number for argument 'index', got 'x'");
  ExpectError(kCfg + "thread P: fault pte=0 file=1 index=0..3\n", "3:11",
              "invalid call 'fault': index=3 is out of range 0..2");
  ExpectError(kCfg + "thread P: dma pin=0 |\n", "3:22",
              "missing operation after '|'");
  ExpectError(kCfg + "thread P: dma pin=0 | | unpin pin=0\n", "3:23",
              "missing operation before '|'");
  ExpectError(kCfg + "thread P: repeat {\n", "3:18",
              "expected a repeat count N, LO..HI");
  ExpectError(kCfg + "thread P: repeat 3..1 {\n", "3:18",
              "expected a repeat count");
  ExpectError(kCfg + "thread P: repeat 17 {\n", "3:18",
              "expected a repeat count");
  ExpectError(kCfg + "thread P: repeat 2\n", "3:19",
              "expected '{' after the repeat count");
  ExpectError(kCfg + "thread P: repeat 2 { dma\n", "3:22",
              "unexpected 'dma' after '{'");
  ExpectError(kCfg + "thread P: }\n", "3:11", "'}' closes no 'repeat'");
  ExpectError(kCfg +
                  "thread P: dma pin=0\nthread Q: repeat 2 {\n"
                  "thread P: }\n",
              "5:11", "'}' closes no 'repeat' of thread 'P'");
  ExpectError(kCfg + "thread P: repeat 2 {\nthread P: dma pin=0\n", "3:11",
              "'repeat' of thread 'P' is not closed");
  ExpectError(kCfg + "thread P: dma pin=0..1\nschedule: P\n", "4:11",
              "a trace with choices has no schedule");
  ExpectError(
      kCfg +
          "thread P: fault pte=0..1 file=1 index=0..2 | pin pin=0..1 "
          "pte=0..1 | dma pin=0..1 | unpin pin=0..1\n" +
          "thread P: fault pte=0..1 file=1 index=0..2 | "
          "fault pte=0..1 file=1 index=0..2 | fault pte=0..1 file=1 "
          "index=0..2 | fault pte=0..1 file=1 index=0..2 | fault pte=0..1 "
          "file=1 index=0..2 | fault pte=0..1 file=1 index=0..2 | fault "
          "pte=0..1 file=1 index=0..2 | fault pte=0..1 file=1 index=0..2 | "
          "fault pte=0..1 file=1 index=0..2 | fault pte=0..1 file=1 "
          "index=0..2 | fault pte=0..1 file=1 index=0..2\n",
      "4:11", "more than 64 alternatives");
}

}  // namespace
}  // namespace lifecheck
