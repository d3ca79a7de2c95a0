// The agreement property of the model-checking engines (issue 5 item 3,
// issue 6 item 1): on small problems the explicit-state checker and the Z3
// encoding give the same kind of verdict, and every counterexample replays.
//
// The explicit engine runs BFS cut at depth B (steps). Then:
//   - explicit counterexample of length d  =>  Z3 BMC up to bound d finds a
//     counterexample of length d (both are shortest: BFS and BMC deepen one
//     step at a time, so Z3 must find none shorter and one at d);
//   - explicit verified / verified-to-bound  =>  Z3 BMC up to a smaller
//     bound Bz < B finds none (verified, verified-to-bound or proved): both
//     engines agree that no schedule of <= Bz steps fails;
//   - Z3 unknown (its resource limit ran out) is inconclusive, reported and
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
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "mc/engine.h"
#include "mc/scenario.h"
#include "props/props_gen.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace lifecheck {
namespace {

// Budgets. kBound (explicit BFS depth) is deep enough for every shortest
// counterexample of the grid (the longest, lease put_before_unlink and
// evict none, are 10 steps; the explicit engine takes milliseconds).
// Z3's cost grows with its bound (docs/performance-z3.md): on problems the
// explicit engine finds clean it goes to kZ3CleanBound only, and a Z3 query
// that uses up kZ3Rlimit (Z3's resource count, not time: where it stops
// does not depend on the machine's load) makes the run inconclusive.
// Environment overrides for longer runs by hand: LIFECHECK_AGREE_BOUND,
// LIFECHECK_AGREE_Z3_CLEAN_BOUND, LIFECHECK_AGREE_Z3_RLIMIT (0: none),
// LIFECHECK_AGREE_Z3_TIMEOUT (seconds; default none).
int EnvInt(const char* name, int dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : dflt;
}
const int kBound = EnvInt("LIFECHECK_AGREE_BOUND", 12);
const int kZ3CleanBound = EnvInt("LIFECHECK_AGREE_Z3_CLEAN_BOUND", 6);
const double kZ3TimeoutS = EnvInt("LIFECHECK_AGREE_Z3_TIMEOUT", 0);
const int kZ3Rlimit = EnvInt("LIFECHECK_AGREE_Z3_RLIMIT", 20000000);

struct Agreement {
  bool inconclusive = false;
  std::string figures;  // "explicit counterexample/5 0.01s, z3 ..."
  std::string problem;  // empty if they agree
  Trace dump;           // what to replay on a disagreement
};

bool IsCex(const McResult& r) {
  return r.verdict == McVerdict::kCounterexample;
}

// "" if `r`'s counterexample replays to the ID it reports, else why not.
std::string ReplayProblem(const char* engine, const McResult& r) {
  if (!IsCex(r)) return "";
  absl::StatusOr<RunResult> run = RunTrace(r.counterexample, engine);
  if (!run.ok())
    return absl::StrCat(
        engine, " counterexample does not replay: ", run.status().message());
  if (Finding(*run) != r.inv)
    return absl::StrCat(engine, " reported ", std::string(InvId(r.inv)),
                        " but its counterexample replays to ", Verdict(*run));
  return "";
}

Agreement Compare(const Trace& problem, const std::string& other = "z3") {
  Agreement a;
  McOptions opts;
  opts.bound = kBound;
  opts.bfs = true;
  const McResult ex = FindMcEngine("explicit")(problem, opts);
  opts.timeout_s = kZ3TimeoutS;
  opts.z3_rlimit = static_cast<unsigned>(kZ3Rlimit);
  opts.bound = IsCex(ex) ? static_cast<int>(ex.counterexample.schedule.size())
                         : std::min(kZ3CleanBound, kBound);
  const McResult z3 = FindMcEngine(other)(problem, opts);
  a.dump = problem;
  auto fig = [](const McResult& r) {
    return absl::StrCat(McVerdictName(r.verdict),
                        IsCex(r)
                            ? absl::StrCat(" ", std::string(InvId(r.inv)), "/",
                                           r.counterexample.schedule.size())
                            : "",
                        absl::StrFormat(" %.2fs", r.seconds));
  };
  a.figures = absl::StrCat("explicit ", fig(ex), ", z3 ", fig(z3));
  std::string why = ReplayProblem("explicit", ex);
  if (why.empty()) why = ReplayProblem(other.c_str(), z3);
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
    a.problem = absl::StrCat(
        why, " (explicit ", McVerdictName(ex.verdict),
        IsCex(ex) ? absl::StrCat(" ", std::string(InvId(ex.inv))) : "", ", z3 ",
        McVerdictName(z3.verdict),
        IsCex(z3) ? absl::StrCat(" ", std::string(InvId(z3.inv))) : "",
        ", bounds ", kBound, "/", opts.bound, ")");
    if (IsCex(z3))
      a.dump = z3.counterexample;
    else if (IsCex(ex))
      a.dump = ex.counterexample;
  }
  return a;
}

bool HaveZ3() { return FindMcEngine("z3") != nullptr; }

std::vector<int> Sizes(int max) {
  std::vector<int> v;
  for (int k = 1; k <= std::min(max, 2); ++k) v.push_back(k);
  return v;
}

// The grid over the scenarios `pick` selects: three parts of about the same
// Z3 time, ctest entries that run side by side.
void SmallGrid(bool (*pick)(const ScenarioInfo&)) {
  ASSERT_NE(FindMcEngine("explicit"), nullptr);
  int runs = 0, inconclusive = 0;
  for (const ScenarioInfo& sc : Scenarios()) {
    if (!pick(sc)) continue;
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
          if (a.inconclusive) ++inconclusive;
          std::printf("%s%s: %s\n", a.inconclusive ? "INCONCLUSIVE " : "",
                      what.c_str(), a.figures.c_str());
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
  EXPECT_GT(runs, 0);
  EXPECT_LE(inconclusive * 4, runs);
}

bool IsDaxTruncate(const ScenarioInfo& sc) {
  return std::string_view(sc.name) == "dax-truncate";
}
bool IsPage0OrEvict(const ScenarioInfo& sc) {
  const std::string_view n(sc.name);
  return n == "dax-truncate-page0" || n == "evict";
}
bool IsOther(const ScenarioInfo& sc) {
  return !IsDaxTruncate(sc) && !IsPage0OrEvict(sc);
}

TEST(McAgree, SmallGridDaxTruncate) {
  if (!HaveZ3()) GTEST_SKIP() << "engine \"z3\" is not registered (mc/z3_*)";
  SmallGrid(IsDaxTruncate);
}

TEST(McAgree, SmallGridPage0AndEvict) {
  if (!HaveZ3()) GTEST_SKIP() << "engine \"z3\" is not registered (mc/z3_*)";
  SmallGrid(IsPage0OrEvict);
}

TEST(McAgree, SmallGridOtherScenarios) {
  if (!HaveZ3()) GTEST_SKIP() << "engine \"z3\" is not registered (mc/z3_*)";
  SmallGrid(IsOther);
}

// The comparison can fail: engines that lie (registered here only) are
// caught, one by its verdict, one by its counterexample's replay.
McResult AlwaysVerified(const Trace&, const McOptions&) {
  McResult r;
  r.verdict = McVerdict::kVerifiedToBound;
  return r;
}
McResult WrongId(const Trace& p, const McOptions& o) {
  McResult r = FindMcEngine("explicit")(p, o);
  if (IsCex(r)) r.inv = r.inv == Inv::kRef1 ? Inv::kRef2 : Inv::kRef1;
  return r;
}
const RegisterMcEngine kLiar1("test-always-verified", &AlwaysVerified);
const RegisterMcEngine kLiar2("test-wrong-id", &WrongId);

TEST(McAgree, LyingEnginesDisagree) {
  absl::StatusOr<Trace> p = BuildScenario(
      "umount", 1, 1, {{"dentry_pin", "legacy_dget"}, {"kill_sb", "litter"}});
  ASSERT_TRUE(p.ok()) << p.status();
  const Agreement a = Compare(*p, "test-always-verified");
  EXPECT_NE(a.problem.find("explicit counterexample, z3 verified-to-bound"),
            std::string::npos)
      << a.problem;
  const Agreement b = Compare(*p, "test-wrong-id");
  EXPECT_NE(b.problem.find("replays to I-REF-3"), std::string::npos)
      << b.problem;
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
  RC_TAG(a.figures.find("explicit counterexample") == 0 ? "counterexample"
                                                        : "clean");
  if (!a.problem.empty())
    RC_LOG() << sc.name << " --pages " << pages << " --pinners " << pinners
             << " --policy '" << PolicyText(policy) << "': " << a.problem
             << "\n"
             << DumpFailure(a.dump, "mc-agree", "lifecheck run");
  RC_ASSERT(a.problem.empty());
}

}  // namespace
}  // namespace lifecheck
