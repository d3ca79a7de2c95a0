// Every finding in corpus/regress, padded with 200 irrelevant calls, must
// minimise back to a trace no longer than the hand-written one with the
// same invariant ID (issue 6, "done when").
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

std::vector<std::string> FindingTraces() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress")) {
    if (e.path().extension() != ".trace") continue;
    absl::StatusOr<Trace> t = ReadTraceFile(e.path().string());
    // An impl-schedule trace's verdict is the impl's under the controlled
    // scheduler (harness/sched/); the spec oracle cannot replay it.
    if (t.ok() && !t->expect.empty() && t->expect != "clean" &&
        t->impl_schedule.empty())
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MinimizePadded, EveryCorpusFindingShrinksBackWithItsId) {
  const std::vector<std::string> paths = FindingTraces();
  ASSERT_GE(paths.size(), 20u) << "corpus/regress lost its findings?";
  uint64_t seed = 1;
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    absl::StatusOr<Trace> t = ReadTraceFile(path);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ(JudgeOracle()(*t), t->expect);
    absl::StatusOr<Trace> padded = PadTrace(*t, 200, seed++, JudgeOracle());
    ASSERT_TRUE(padded.ok()) << padded.status();
    ASSERT_EQ(NumCalls(*padded), NumCalls(*t) + 200);
    ASSERT_EQ(JudgeOracle()(*padded), t->expect);
    absl::StatusOr<MinimizeResult> m = Minimize(*padded, JudgeOracle());
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(JudgeOracle()(m->trace), t->expect)
        << "replay: lifecheck minimize on\n"
        << PrintTrace(*padded);
    EXPECT_LE(NumCalls(m->trace), NumCalls(*t)) << PrintTrace(m->trace);
    EXPECT_TRUE(m->stats.one_minimal);
    std::printf("%-60s %4d -> %d calls, %3d oracle calls, %6.1f ms\n",
                path.c_str(), NumCalls(*padded), NumCalls(m->trace),
                m->stats.oracle_calls, m->stats.seconds * 1e3);
  }
}

}  // namespace
}  // namespace lifecheck
