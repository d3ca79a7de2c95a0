#include "harness/findings/oracles.h"

#include <string>

#include "gtest/gtest.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

// An impl bug the spec cannot see: unpin drops 1 instead of the pin bias.
const char kUnpin[] = R"(lifecheck-trace v1
config fs=dax files=1 pages=1 ptes=1 pins=1
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread A: unpin pin=0
thread A: munmap pte=0
)";

TEST(DiffOracle, MinimisesADiffFindingKeepingItsId) {
  absl::StatusOr<Trace> t = ParseTrace(kUnpin, "t");
  ASSERT_TRUE(t.ok());
  impl::Faults faults;
  faults.unpin_drops_one = true;
  const Oracle diff = DiffOracle(faults);
  const std::string v = diff(*t);
  ASSERT_EQ(v.rfind("DIFF-", 0), 0u) << v;
  EXPECT_EQ(SpecVerdict(*t), "clean");   // only the impl is wrong
  EXPECT_EQ(DiffOracle()(*t), "clean");  // and only with the fault planted

  absl::StatusOr<Trace> padded = PadTrace(*t, 60, 5, diff);
  ASSERT_TRUE(padded.ok()) << padded.status();
  absl::StatusOr<MinimizeResult> m = Minimize(*padded, diff);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->verdict, v);
  EXPECT_EQ(diff(m->trace), v);
  EXPECT_LE(NumCalls(m->trace), 3) << PrintTrace(m->trace);
  EXPECT_TRUE(m->stats.one_minimal);
  EXPECT_TRUE(IsOneMinimal(m->trace, v, diff));
}

TEST(OracleByName, KnowsSpecAndDiff) {
  EXPECT_TRUE(OracleByName("spec").ok());
  EXPECT_TRUE(OracleByName("diff").ok());
  EXPECT_FALSE(OracleByName("z3").ok());
}

}  // namespace
}  // namespace lifecheck
