// The agreement property of the model-checking engines (issue 5 item 3,
// issue 6 item 1): on small problems the explicit-state checker and the Z3
// encoding give the same kind of verdict, and every counterexample replays.
//
// Both engines run at the same bound B (steps): explicit BFS cut at depth B,
// Z3 BMC up to B. Then, with d = the explicit engine's counterexample length:
//   - explicit counterexample (d <= B)  =>  Z3 counterexample of length d
//     (both are shortest: BFS and BMC deepen one step at a time);
//   - explicit verified / verified-to-bound  =>  Z3 verified,
//     verified-to-bound or proved (no counterexample of <= B steps);
//   - Z3 unknown (its time budget ran out) is inconclusive, reported and
//     counted, never a pass of a disagreement.
// IDs may differ (two violations at the same depth): each engine's
// counterexample must replay on the concrete spec (RunTrace) to the ID that
// engine reported, which the expected ID of the scenario registry (BFS's)
// need not be.
//
// Grid (ctest label `mc`): every scenario of mc/scenario.h, every policy
// variant it lists (every truncate policy, both mkwrite protocols, both
// dentry schemes, the lease disciplines, the eventfs and evict variants),
// pages 1..2 and pinners 1..2 where the scenario has them. Random (label
// `props`): a scenario, pages/pinners 1..2, any value of each of its knobs.
// Without the "z3" engine registered the tests skip, saying so.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/replay.h"
#include "harness/trace.h"
#include "mc/engine.h"
#include "mc/scenario.h"
#include "props/props_gen.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace lifecheck {
namespace {

// Deep enough for every shortest counterexample of the small grid (the
// longest, mkwrite old_racy with 2 writers, is 9 steps); Z3's cost grows
// with it (docs/performance-z3.md).
constexpr int kBound = 12;
constexpr double kZ3TimeoutS = 20;

struct Agreement {
  bool inconclusive = false;
  std::string problem;  // empty if they agree
  Trace dump;           // what to replay on a disagreement
};

bool IsCex(const McResult& r) { return r.verdict == McVerdict::kCounterexample; }

// "" if `r`'s counterexample replays to the ID it reports, else why not.
std::string ReplayProblem(const char* engine, const McResult& r) {
  if (!IsCex(r)) return "";
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, engine);
  if (!run.ok()) return absl::StrCat(engine, " counterexample does not replay: ",
                                     run.status().message());
  if (Finding(*run) != r.inv)
    return absl::StrCat(engine, " reported ", std::string(InvId(r.inv)),
                        " but its counterexample replays to ", Verdict(*run));
  return "";
}

Agreement Compare(const Trace& problem) {
  Agreement a;
  McOptions opts;
  opts.bound = kBound;
  opts.bfs = true;
  const McResult ex = FindMcEngine("explicit")(problem, opts);
  opts.timeout_s = kZ3TimeoutS;
  const McResult z3 = FindMcEngine("z3")(problem, opts);
  a.dump = problem;
  std::string why = ReplayProblem("explicit", ex);
  if (why.empty()) why = ReplayProblem("z3", z3);
  if (why.empty() && z3.verdict == McVerdict::kUnknown) {
    a.inconclusive = true;
    return a;
  }
  const auto len = [](const McResult& r) {
    return static_cast<int>(r.counterexample.schedule.size());
  };
  if (why.empty() && ex.verdict == McVerdict::kUnknown)
    why = "explicit engine gave up";
  else if (why.empty() && IsCex(ex) != IsCex(z3))
    why = absl::StrCat("explicit ", McVerdictName(ex.verdict), ", z3 ",
                       McVerdictName(z3.verdict));
  else if (why.empty() && IsCex(ex) && len(ex) != len(z3))
    why = absl::StrCat("shortest counterexamples differ: explicit ", len(ex),
                       " steps, z3 ", len(z3));
  if (!why.empty()) {
    a.problem = absl::StrCat(why, " (explicit ", McVerdictName(ex.verdict),
                             IsCex(ex) ? absl::StrCat(" ", std::string(InvId(ex.inv))) : "",
                             ", z3 ", McVerdictName(z3.verdict),
                             IsCex(z3) ? absl::StrCat(" ", std::string(InvId(z3.inv))) : "",
                             ", bound ", kBound, ")");
    if (IsCex(z3)) a.dump = z3.counterexample;
    else if (IsCex(ex)) a.dump = ex.counterexample;
  }
  return a;
}

bool HaveZ3() { return FindMcEngine("z3") != nullptr; }

std::vector<int> Sizes(int max) {
  std::vector<int> v;
  for (int k = 1; k <= std::min(max, 2); ++k) v.push_back(k);
  return v;
}

TEST(McAgree, SmallGrid) {
  if (!HaveZ3()) GTEST_SKIP() << "engine \"z3\" is not registered (mc/z3_*)";
  ASSERT_NE(FindMcEngine("explicit"), nullptr);
  int runs = 0, inconclusive = 0;
  for (const ScenarioInfo& sc : Scenarios()) {
    for (const ScenarioVariant& v : sc.variants) {
      for (int pages : Sizes(sc.max_pages)) {
        for (int pinners : Sizes(sc.max_pinners)) {
          absl::StatusOr<Trace> p =
              BuildScenario(sc.name, pages, pinners, v.policy);
          ASSERT_TRUE(p.ok()) << p.status();
          const Agreement a = Compare(*p);
          ++runs;
          const std::string what =
              absl::StrCat(sc.name, " --pages ", pages, " --pinners ", pinners,
                           " --policy '", PolicyText(v.policy), "'");
          if (a.inconclusive) {
            ++inconclusive;
            std::printf("inconclusive (z3 timeout): %s\n", what.c_str());
          }
          EXPECT_EQ(a.problem, "")
              << what << "\n"
              << DumpFailure(a.dump, "mc-agree", "lifecheck run");
        }
      }
    }
  }
  std::printf("McAgree.SmallGrid: %d problems, %d inconclusive\n", runs,
              inconclusive);
  // Most of the grid must be decided, or the test shows nothing.
  EXPECT_LE(inconclusive * 4, runs);
}

RC_GTEST_PROP(McAgreeProps, RandomSmallConfigurations, ()) {
  if (!HaveZ3()) {
    RC_SUCCEED("engine \"z3\" is not registered");
  }
  const ScenarioInfo& sc = *rc::gen::elementOf(Scenarios());
  const int pages = *rc::gen::inRange(1, std::min(sc.max_pages, 2) + 1);
  const int pinners = *rc::gen::inRange(1, std::min(sc.max_pinners, 2) + 1);
  std::vector<PolicySetting> policy;
  for (const std::string& knob : sc.knobs)
    for (const ConfigField& f : ConfigFields())
      if (knob == f.name && !f.values.empty())
        policy.emplace_back(knob, *rc::gen::elementOf(f.values));
  absl::StatusOr<Trace> p = BuildScenario(sc.name, pages, pinners, policy);
  RC_ASSERT(p.ok());
  const Agreement a = Compare(*p);
  RC_PRE(!a.inconclusive);
  if (!a.problem.empty())
    RC_LOG() << sc.name << " --pages " << pages << " --pinners " << pinners
             << " --policy '" << PolicyText(policy) << "': " << a.problem
             << "\n"
             << DumpFailure(a.dump, "mc-agree", "lifecheck run");
  RC_ASSERT(a.problem.empty());
}

}  // namespace
}  // namespace lifecheck
