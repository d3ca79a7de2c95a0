// The explicit engine on several workers and with hash compaction: the same
// verdicts, states and shortest counterexamples as one worker with exact
// storage. Real threads: ci/test also runs this under ThreadSanitizer (label
// tsan).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "mc/explicit.h"
#include "mc/scenario.h"

namespace lifecheck {
namespace {

std::string Stat(const McResult& r, const std::string& key) {
  for (const auto& [k, v] : r.stats)
    if (k == key) return v;
  return "";
}
int64_t States(const McResult& r) { return std::stoll(Stat(r, "states")); }
double BytesPerState(const McResult& r) {
  return std::stod(Stat(r, "bytes/state"));
}

struct Problem {
  const char* scenario;
  int pages, pinners;
  std::vector<PolicySetting> policy;
};

const std::vector<Problem>& Problems() {
  static const std::vector<Problem> kProblems = {
      {"dax-truncate", 3, 2, {}},
      {"dax-truncate", 2, 3, {{"dax_truncate", "ebusy"}}},
      {"dax-truncate", 3, 2, {{"dax_truncate", "none"}}},
      {"dax-truncate", 2, 2, {{"ptl_on_zap", "false"}}},
      {"mkwrite", 2, 2, {}},
      {"mkwrite", 2, 2, {{"mkwrite", "old_racy"}}},
      {"evict", 2, 2, {{"evict_barrier", "none"}}},
  };
  return kProblems;
}

TEST(ExplicitParallel, WorkersAgreeWithOneWorker) {
  for (const Problem& p : Problems()) {
    SCOPED_TRACE(std::string(p.scenario) + " " + PolicyText(p.policy));
    auto t = BuildScenario(p.scenario, p.pages, p.pinners, p.policy);
    ASSERT_TRUE(t.ok()) << t.status();
    McOptions one;
    const McResult base = CheckExplicit(*t, one);
    for (int jobs : {2, 4}) {
      McOptions o;
      o.jobs = jobs;
      const McResult r = CheckExplicit(*t, o);
      EXPECT_EQ(Stat(r, "jobs"), std::to_string(jobs));
      EXPECT_EQ(r.verdict, base.verdict);
      if (base.verdict == McVerdict::kVerified) {
        // The reachable (canonical) set is the same whoever reaches it.
        EXPECT_EQ(States(r), States(base));
        EXPECT_EQ(r.bound, base.bound);
        continue;
      }
      ASSERT_EQ(r.verdict, McVerdict::kCounterexample);
      // Still shortest (BFS layer by layer); the run may differ.
      EXPECT_EQ(r.inv, base.inv);
      EXPECT_EQ(r.counterexample.schedule.size(),
                base.counterexample.schedule.size());
      absl::StatusOr<RunResult> run = RunTrace(r.counterexample, "cex");
      ASSERT_TRUE(run.ok()) << run.status();
      EXPECT_EQ(Finding(*run), r.inv);
    }
  }
}

TEST(ExplicitParallel, HashCompactionKeepsFingerprintsOnly) {
  for (const Problem& p : Problems()) {
    SCOPED_TRACE(std::string(p.scenario) + " " + PolicyText(p.policy));
    auto t = BuildScenario(p.scenario, p.pages, p.pinners, p.policy);
    ASSERT_TRUE(t.ok()) << t.status();
    const McResult exact = CheckExplicit(*t, McOptions{});
    McOptions o;
    o.hash_compact = true;
    o.jobs = 2;
    const McResult hc = CheckExplicit(*t, o);
    EXPECT_EQ(hc.verdict, exact.verdict);
    EXPECT_NE(Stat(hc, "storage").find("hash compaction"), std::string::npos);
    const std::string omission = Stat(hc, "omission probability");
    ASSERT_FALSE(omission.empty());
    if (exact.verdict != McVerdict::kVerified) {
      EXPECT_EQ(hc.counterexample.schedule.size(),
                exact.counterexample.schedule.size());
      continue;
    }
    // At these sizes no two states share a 64-bit fingerprint (the bound
    // printed says how unlikely that is), so the count is the exact one.
    EXPECT_EQ(States(hc), States(exact));
    EXPECT_LT(std::stod(omission.substr(3)), 1e-9) << omission;
    EXPECT_LT(BytesPerState(hc), BytesPerState(exact));
  }
}

}  // namespace
}  // namespace lifecheck
