// Every scenario x variant gives its registered verdict with the explicit
// engine, and every counterexample replays to the same invariant ID on the
// concrete spec (RunTrace) and on the impl under the controlled scheduler,
// through the step markers of its schedule (judge sched).
#include "mc/scenario.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "harness/sched/explore.h"
#include "mc/engine.h"
#include "spec/thread_body.h"

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

// The counterexample is the problem (its choices resolved: one of the
// programs each thread's body stands for) plus a schedule, and replays to
// r.inv.
void ExpectReplays(const Trace& problem, const McResult& r) {
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample);
  const Trace& cex = r.counterexample;
  EXPECT_EQ(cex.config, problem.config);
  EXPECT_TRUE(cex.concrete());
  if (problem.concrete()) {
    EXPECT_EQ(cex.threads, problem.threads);
  } else {
    ASSERT_EQ(cex.threads.size(), problem.bodies.size());
    for (size_t t = 0; t < cex.threads.size(); ++t)
      EXPECT_TRUE(IsProgramOf(cex.threads[t],
                              FlattenBody(problem.bodies[t], problem.config)))
          << "thread " << t;
  }
  EXPECT_EQ(cex.expect, InvId(r.inv));
  absl::StatusOr<RunResult> run = RunTrace(cex, "cex");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Finding(*run), r.inv);
  // The finding is reached by the schedule itself, not by the sequential
  // completion RunTrace appends.
  EXPECT_EQ(run->steps.size(), cex.schedule.size());
  Trace on_impl = cex;
  on_impl.judge = Judge::kSched;
  sched::ExploreOptions replay;
  replay.strategy = "replay";
  absl::StatusOr<sched::ExploreResult> e =
      sched::Explore(on_impl, "cex", replay);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(InvId(e->outcome.inv), InvId(r.inv))
      << "impl: " << e->outcome.detail;
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
  EXPECT_EQ(a->config.ptes, 3);  // and one PTE
  EXPECT_EQ(a->threads.size(), 3u + 2u);
  // Each pinner chooses one of the 2 pages, the writer one of 2 indices.
  ASSERT_FALSE(a->concrete());
  EXPECT_EQ(a->bodies[0][0].alts.size(), 2u);
  EXPECT_EQ(a->bodies[4][0].alts.size(), 2u);
  // One page leaves nothing to choose: the plain calls.
  auto b = BuildScenario("dax-truncate", 1, 3, {});
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->concrete());
}

int64_t States(const McResult& r) {
  for (const auto& [k, v] : r.stats)
    if (k == "states") return std::stoll(v);
  return -1;
}

// More pages are more work: pinners on different pages (issue 16's
// complaint was that --pages changed nothing).
TEST(Scenario, PagesAreWork) {
  for (const char* name : {"dax-truncate", "mkwrite", "evict"}) {
    SCOPED_TRACE(name);
    int64_t last = 0;
    for (int pages = 1; pages <= 3; ++pages) {
      auto t = BuildScenario(name, pages, 2, {});
      ASSERT_TRUE(t.ok());
      const McResult r = Check(*t, McOptions{});
      EXPECT_EQ(r.verdict, McVerdict::kVerified);
      EXPECT_GT(States(r), last) << pages << " pages";
      last = States(r);
    }
  }
}

// Every variant with choices (2 pages, 2 pinners): the verdict of the
// registry, and counterexamples that resolve the choices and replay.
TEST(Scenario, VariantsWithChoicesReplay) {
  for (const ScenarioInfo& sc : Scenarios()) {
    for (const ScenarioVariant& v : sc.variants) {
      SCOPED_TRACE(std::string(sc.name) + " " + PolicyText(v.policy));
      auto t = BuildScenario(sc.name, std::min(2, sc.max_pages),
                             std::min(2, sc.max_pinners), v.policy);
      ASSERT_TRUE(t.ok()) << t.status();
      const McResult r = Check(*t, McOptions{});
      EXPECT_EQ(Verdict(r), v.expect);
      if (r.verdict == McVerdict::kCounterexample) ExpectReplays(*t, r);
    }
  }
}

}  // namespace
}  // namespace lifecheck
