// The explicit-state checker: verdicts agree across modes and reductions on
// a grid of scenarios, counterexamples replay to the same ID, BFS finds the
// shortest one, reductions never store more states, bounds and budgets give
// their verdicts, and the packed state storage is exact.
#include "mc/explicit.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "mc/mc_test_util.h"
#include "mc/scenario.h"
#include "mc/state_layout.h"

namespace lifecheck {
namespace {

McOptions Mode(bool bfs, bool por, bool sym) {
  McOptions o;
  o.bfs = bfs;
  o.por = por;
  o.symmetry = sym;
  return o;
}

int64_t States(const McResult& r) {
  for (const auto& [k, v] : r.stats)
    if (k == "states") return std::stoll(v);
  ADD_FAILURE() << "no states figure";
  return -1;
}

void ExpectReplays(const McResult& r) {
  ASSERT_EQ(r.verdict, McVerdict::kCounterexample);
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, "cex");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Finding(*run), r.inv);
  EXPECT_EQ(r.counterexample.expect, InvId(r.inv));
  EXPECT_EQ(run->steps.size(), r.counterexample.schedule.size());
  EXPECT_EQ(static_cast<int>(r.counterexample.schedule.size()), r.bound);
}

// Every scenario x variant at 1..2 pages x 1..2 pinners, in five modes.
TEST(Explicit, ModesAndReductionsAgreeOnAGrid) {
  int problems = 0;
  for (const ScenarioInfo& sc : Scenarios()) {
    for (const ScenarioVariant& v : sc.variants) {
      for (int pages = 1; pages <= std::min(2, sc.max_pages); ++pages) {
        for (int k = 1; k <= std::min(2, sc.max_pinners); ++k) {
          SCOPED_TRACE(std::string(sc.name) + " " + PolicyText(v.policy) + " " +
                       std::to_string(pages) + "x" + std::to_string(k));
          auto t = BuildScenario(sc.name, pages, k, v.policy);
          ASSERT_TRUE(t.ok());
          const McResult bfs_sym = CheckExplicit(*t, Mode(true, false, true));
          const McResult bfs = CheckExplicit(*t, Mode(true, false, false));
          const McResult dfs_all = CheckExplicit(*t, Mode(false, true, true));
          const McResult dfs_por = CheckExplicit(*t, Mode(false, true, false));
          const McResult dfs = CheckExplicit(*t, Mode(false, false, false));
          const bool cex = v.expect != "verified";
          for (const McResult* r : {&bfs_sym, &bfs, &dfs_all, &dfs_por, &dfs}) {
            EXPECT_EQ(r->verdict,
                      cex ? McVerdict::kCounterexample : McVerdict::kVerified);
            if (r->verdict == McVerdict::kCounterexample) ExpectReplays(*r);
          }
          if (cex) {
            // BFS: shortest. Both BFS runs find the same length.
            EXPECT_EQ(bfs.bound, bfs_sym.bound);
            EXPECT_LE(bfs.bound, dfs.bound);
            EXPECT_LE(bfs.bound, dfs_all.bound);
          } else {
            // A full search: reductions store no more states.
            EXPECT_LE(States(bfs_sym), States(bfs));
            EXPECT_LE(States(dfs_por), States(dfs));
            EXPECT_LE(States(dfs_all), States(dfs_por));
            EXPECT_EQ(States(bfs), States(dfs));  // same reachable set
          }
          ++problems;
        }
      }
    }
  }
  EXPECT_GT(problems, 30);
}

TEST(Explicit, SymmetryReducesIdenticalPinners) {
  auto t = BuildScenario("dax-truncate", 1, 3, {});
  ASSERT_TRUE(t.ok());
  const McResult on = CheckExplicit(*t, Mode(true, false, true));
  const McResult off = CheckExplicit(*t, Mode(true, false, false));
  EXPECT_EQ(on.verdict, McVerdict::kVerified);
  // 3 identical pinners: close to 3! fewer states.
  EXPECT_LT(States(on) * 3, States(off));
}

TEST(Explicit, BoundCutsTheSearch) {
  auto t = BuildScenario("dax-truncate", 1, 1, {{"dax_truncate", "none"}});
  ASSERT_TRUE(t.ok());
  McOptions o;
  const McResult full = CheckExplicit(*t, o);
  ASSERT_EQ(full.verdict, McVerdict::kCounterexample);
  o.bound = full.bound - 1;
  const McResult cut = CheckExplicit(*t, o);
  EXPECT_EQ(cut.verdict, McVerdict::kVerifiedToBound);
  EXPECT_EQ(cut.bound, full.bound - 1);
  o.bound = full.bound;
  EXPECT_EQ(CheckExplicit(*t, o).verdict, McVerdict::kCounterexample);
}

TEST(Explicit, StateBudgetGivesUnknown) {
  auto t = BuildScenario("dax-truncate", 2, 2, {});
  ASSERT_TRUE(t.ok());
  McOptions o;
  o.max_states = 50;
  EXPECT_EQ(CheckExplicit(*t, o).verdict, McVerdict::kUnknown);
}

TEST(Explicit, DeadlockIsAFinding) {
  // 003-wait-never-unpinned: WAIT truncate vs a pin that is never released.
  auto t = ParseTrace(
      "lifecheck-trace v1\n"
      "config fs=dax files=1 pages=1 spare=1 ptes=1 pins=1\n"
      "thread A: fault pte=0 file=1 index=0\n"
      "thread A: pin pin=0 pte=0\n"
      "thread T: truncate file=1 size=0\n",
      "t");
  ASSERT_TRUE(t.ok());
  for (bool bfs : {true, false}) {
    const McResult r = CheckExplicit(*t, Mode(bfs, true, true));
    EXPECT_EQ(r.inv, Inv::kDeadlock);
    ExpectReplays(r);
  }
}

TEST(Explicit, StarvationOnAFairCycleIsAFinding) {
  // Seed 003, option 2: WAIT truncate behind a mapper that keeps
  // re-faulting and re-pinning; with EBUSY truncate always returns.
  const std::string text =
      "lifecheck-trace v1\n"
      "config fs=dax files=1 pages=1 spare=0 ptes=1 pins=1\n"
      "thread T: truncate file=1 size=0\n"
      "thread A: repeat * {\n"
      "thread A: fault pte=0 file=1 index=0\n"
      "thread A: pin pin=0 pte=0\n"
      "thread A: unpin pin=0\n"
      "thread A: munmap pte=0\n"
      "thread A: }\n";
  auto t = ParseTrace(text, "t", ParseOptions{.choices = true});
  ASSERT_TRUE(t.ok()) << t.status();
  for (bool bfs : {true, false}) {
    const McResult r = CheckExplicit(*t, Mode(bfs, true, true));
    ASSERT_EQ(r.inv, Inv::kStarvation);
    ASSERT_TRUE(r.counterexample.lasso());
    absl::StatusOr<RunResult> run = RunTrace(r.counterexample, "cex");
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(Finding(*run), Inv::kStarvation);
    EXPECT_EQ(run->blocked[0].step, Step::kDaxWaitIdle);
  }
  Trace ebusy = *t;
  ebusy.config.policy.dax_truncate = DaxTruncatePolicy::kEbusy;
  EXPECT_EQ(CheckExplicit(ebusy, Mode(true, true, true)).verdict,
            McVerdict::kVerified);
}

// Pack/Unpack is exact on every reachable world, and distinct worlds pack
// differently (the visited set never merges two states).
TEST(StateLayout, ExactOnReachableWorlds) {
  for (const ScenarioInfo& sc : Scenarios()) {
    const char* name = sc.name;
    auto t = BuildScenario(name, std::min(2, sc.max_pages),
                           std::min(2, sc.max_pinners), {});
    ASSERT_TRUE(t.ok());
    test::Problem p(*t);
    StateLayout layout(p.cfg, p.n());
    EXPECT_LT(layout.bytes(), static_cast<int>(sizeof(CWorld)) / 3);
    const std::vector<CWorld> worlds = test::Reachable(p, 5000);
    // Widen what outgrows a byte first (the engine restarts instead; e.g. a
    // dput on a dead dentry drives its count below -128).
    for (const CWorld& w : worlds) {
      std::string b(layout.bytes(), '\0');
      for (int i;
           (i = layout.Pack(w, reinterpret_cast<uint8_t*>(b.data()))) >= 0;) {
        layout.Widen(i);
        b.assign(layout.bytes(), '\0');
      }
    }
    absl::flat_hash_map<std::string, CWorld> packed;
    for (const CWorld& w : worlds) {
      std::string b(layout.bytes(), '\0');
      ASSERT_EQ(layout.Pack(w, reinterpret_cast<uint8_t*>(b.data())), -1);
      CWorld u = InitWorld(p.cfg);
      layout.Unpack(reinterpret_cast<const uint8_t*>(b.data()), u);
      ASSERT_TRUE(u == w) << name << ": " << [&] {
        std::string d;
        for (const std::string& c : DiffWorlds(w, u)) d += c + "; ";
        return d;
      }();
      auto [it, fresh] = packed.emplace(b, w);
      ASSERT_TRUE(fresh || it->second == w) << name;
    }
  }
}

// A count beyond a byte: Pack reports the field, Widen makes it fit.
TEST(StateLayout, WidensAFieldThatOutgrowsItsByte) {
  Config cfg;
  cfg.fs = FsKind::kLibfs;
  StateLayout layout(cfg, 1);
  CWorld w = InitWorld(cfg);
  w.d[1].count = 300;
  std::string b(layout.bytes(), '\0');
  const int overflow = layout.Pack(w, reinterpret_cast<uint8_t*>(b.data()));
  ASSERT_GE(overflow, 0);
  const int before = layout.bytes();
  layout.Widen(overflow);
  EXPECT_EQ(layout.bytes(), before + 1);
  b.assign(layout.bytes(), '\0');
  ASSERT_EQ(layout.Pack(w, reinterpret_cast<uint8_t*>(b.data())), -1);
  CWorld u = InitWorld(cfg);
  layout.Unpack(reinterpret_cast<const uint8_t*>(b.data()), u);
  EXPECT_TRUE(u == w);
}

// The engine widens and restarts on its own: 130 lookups hold a dentry
// count of 130.
TEST(Explicit, RestartsWithAWiderFieldWhenACountOutgrowsItsByte) {
  std::string text =
      "lifecheck-trace v1\nconfig fs=disk files=1 pages=1 ptes=1\n";
  for (int i = 0; i < 130; ++i) text += "thread A: lookup d=1\n";
  text += "thread B: lookup d=1\nthread B: dput d=1\n";
  auto t = ParseTrace(text, "t");
  ASSERT_TRUE(t.ok()) << t.status();
  const McResult r = CheckExplicit(*t, McOptions{});
  EXPECT_EQ(r.verdict, McVerdict::kVerified);
  bool restarted = false;
  for (const auto& [k, v] : r.stats) restarted = restarted || k == "restarts";
  EXPECT_TRUE(restarted);
}

}  // namespace
}  // namespace lifecheck
