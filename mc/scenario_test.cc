// Every scenario x variant gives its registered verdict with the explicit
// engine, and every counterexample replays on the concrete spec (RunTrace)
// to the same invariant ID.
#include "mc/scenario.h"

#include <string>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "mc/engine.h"

namespace lifecheck {
namespace {

McResult Check(const Trace& t, const McOptions& o) {
  McEngineFn fn = FindMcEngine("explicit");
  EXPECT_NE(fn, nullptr);
  return fn(t, o);
}

std::string Verdict(const McResult& r) {
  if (r.verdict == McVerdict::kCounterexample) return std::string(InvId(r.inv));
  return McVerdictName(r.verdict);
}

// The counterexample is the problem plus a schedule, and replays to r.inv.
void ExpectReplays(const Trace& problem, const McResult& r) {
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample);
  const Trace& cex = r.counterexample;
  EXPECT_EQ(cex.config, problem.config);
  EXPECT_EQ(cex.threads, problem.threads);
  EXPECT_EQ(cex.expect, InvId(r.inv));
  absl::StatusOr<RunResult> run = RunTrace(cex, "cex");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Finding(*run), r.inv);
  // The finding is reached by the schedule itself, not by the sequential
  // completion RunTrace appends.
  EXPECT_EQ(run->steps.size(), cex.schedule.size());
}

TEST(Scenario, EveryVariantGivesItsVerdictAndReplays) {
  int variants = 0;
  for (const ScenarioInfo& sc : Scenarios()) {
    for (const ScenarioVariant& v : sc.variants) {
      SCOPED_TRACE(std::string(sc.name) + " " + PolicyText(v.policy));
      absl::StatusOr<Trace> t = BuildScenario(sc.name, 0, 0, v.policy);
      ASSERT_TRUE(t.ok()) << t.status();
      const McResult r = Check(*t, McOptions{});
      EXPECT_EQ(Verdict(r), v.expect);
      if (r.verdict == McVerdict::kCounterexample) ExpectReplays(*t, r);
      ++variants;
    }
  }
  EXPECT_GE(variants, 12);
}

TEST(Scenario, EveryScenarioHasAMainlineAndABuggyVariant) {
  for (const ScenarioInfo& sc : Scenarios()) {
    bool clean = false, buggy = false;
    for (const ScenarioVariant& v : sc.variants) {
      if (v.expect == "verified")
        clean = clean || v.policy.empty();
      else
        buggy = true;
    }
    EXPECT_TRUE(clean) << sc.name << ": mainline must verify";
    EXPECT_TRUE(buggy) << sc.name;
  }
}

TEST(Scenario, BadNamesListTheChoices) {
  auto t = BuildScenario("nope", 0, 0, {});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("dax-truncate"), std::string::npos);
  t = BuildScenario("dax-truncate", 0, 0, {{"dax_truncate", "maybe"}});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("sequester"), std::string::npos);
  t = BuildScenario("dax-truncate", 0, 0, {{"no_such_knob", "x"}});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("evict_barrier"), std::string::npos);
  EXPECT_FALSE(BuildScenario("lease", 1, 2, {}).ok());  // max 1 pinner
}

TEST(Scenario, SizesChangeTheProblem) {
  auto a = BuildScenario("dax-truncate", 2, 3, {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->config.pages, 2);
  EXPECT_EQ(a->config.pins, 3);  // one pin slot per pinner
  EXPECT_EQ(a->threads.size(), 3u + 2u);
}

}  // namespace
}  // namespace lifecheck
