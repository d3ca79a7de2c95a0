// The controlled scheduler on the real (hooked) impl: deterministic replay,
// the strategies, the seed races and their fixes, step-marker replay.
#include "harness/sched/sched.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/run/call_order.h"
#include "harness/run/spec_run.h"
#include "harness/sched/explore.h"
#include "harness/sched/sched_fuzz.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"

namespace lifecheck::sched {
namespace {

std::string Src(const std::string& rel) {
  return std::string(LIFECHECK_SOURCE_DIR) + "/" + rel;
}

Trace Read(const std::string& rel) {
  absl::StatusOr<Trace> t = ReadTraceFile(Src(rel));
  EXPECT_TRUE(t.ok()) << t.status();
  return *t;
}

std::string Verdict(const ExploreResult& r) {
  return r.found ? std::string(InvId(r.outcome.inv)) : "clean";
}

// Issue 4 item 2: 100 replays of every regression trace that carries an
// impl-schedule give the identical run (decisions, step order, results,
// final abstract state) and its expected verdict.
TEST(Sched, ImplScheduleReplaysAreIdentical) {
  int traces = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(Src("corpus/regress"))) {
    const std::string path = e.path().string();
    absl::StatusOr<Trace> t = ReadTraceFile(path);
    ASSERT_TRUE(t.ok()) << t.status();
    if (t->impl_schedule.empty()) continue;
    ++traces;
    Scheduler s;
    std::vector<int> decisions;
    std::vector<std::string> steps;
    SchedOutcome first;
    for (int i = 0; i < 100; ++i) {
      auto replay = MakeReplay(t->impl_schedule);
      SchedOutcome o = s.Run(t->config, t->threads, *replay);
      CheckAgainstSpec(*t, o);
      ASSERT_EQ(o.decisions, t->impl_schedule) << path << " replay " << i;
      if (i == 0) {
        first = o;
        continue;
      }
      ASSERT_EQ(o.inv, first.inv) << path;
      ASSERT_EQ(o.results, first.results) << path;
      ASSERT_TRUE(o.final_world == first.final_world) << path;
      ASSERT_EQ(o.steps.size(), first.steps.size()) << path;
      for (size_t k = 0; k < o.steps.size(); ++k)
        ASSERT_EQ(o.steps[k].step, first.steps[k].step) << path;
    }
    ExploreOptions opt;
    opt.strategy = "replay";
    absl::StatusOr<ExploreResult> r = Explore(*t, path, opt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Verdict(*r), t->expect) << path;
  }
  EXPECT_GE(traces, 5);
}

// The seed races: found by DFS (preemption bound 2); the fixed policies
// exhaust the same bounded space clean. The search is deterministic; the
// time limit only stops a runaway search (how fast: docs/scheduler.md, and
// `lifecheck explore` prints the time; a timed assertion here failed on a
// loaded 2-core machine under ASan).
TEST(Sched, SeedRacesFoundAndFixesClean) {
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"001-mkwrite-old-vs-writeback", "I-PG-1"},
      {"003-busy-scan-skips-unmapped", "I-DAX-4"},
      {"003-zap-without-ptl", "I-DAX-1"},
      {"003-lease-setlease-without-mmaplock", "I-DAX-1"},
      {"002-eventfs-open-after-remove", "I-EV-1"},
  };
  for (const auto& [name, id] : seeds) {
    ExploreOptions opt;
    opt.strategy = "dfs";
    opt.preemptions = 2;
    opt.seconds = 300;
    const std::string bug = "corpus/sched/" + name + ".trace";
    absl::StatusOr<ExploreResult> r = Explore(Read(bug), bug, opt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Verdict(*r), id) << bug;
    const std::string fix = "corpus/sched/" + name + "-fixed.trace";
    r = Explore(Read(fix), fix, opt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Verdict(*r), "clean") << fix << ": " << r->outcome.detail;
    EXPECT_TRUE(r->exhausted) << fix;
  }
}

// Item 6: every buggy regression trace with a spec schedule replays on the
// impl, from step marker to step marker, to the same ID.
TEST(Sched, SpecSchedulesReplayThroughStepMarkers) {
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(Src("corpus/regress"))) {
    const std::string path = e.path().string();
    absl::StatusOr<Trace> t = ReadTraceFile(path);
    ASSERT_TRUE(t.ok());
    if (t->schedule.empty() || t->expect == "clean") continue;
    Trace spec_only = *t;
    spec_only.impl_schedule.clear();
    ExploreOptions opt;
    opt.strategy = "replay";
    absl::StatusOr<ExploreResult> r = Explore(spec_only, path, opt);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(Verdict(*r), t->expect) << path << ": " << r->outcome.detail;
    ++n;
  }
  EXPECT_GE(n, 15);
}

// A wrong spec schedule is a precise divergence, not a crash.
TEST(Sched, StepReplayReportsDivergence) {
  Trace t = Read("corpus/regress/001-mkwrite-old-vs-writeback.trace");
  auto s = MakeStepReplay({0, 0, 0, 1},
                          {"FaultMap", "WfGetPage", "WfMkwrite", "WbIoDone"});
  Scheduler sched;
  SchedOutcome o = sched.Run(t.config, t.threads, *s);
  EXPECT_EQ(o.inv, Inv::kDiffSched);
  EXPECT_NE(o.detail.find("the spec takes WbIoDone, the impl reaches "
                          "WbLockClean"),
            std::string::npos)
      << o.detail;
}

// A decision list that names a thread which cannot run diverges.
TEST(Sched, ReplayOfImpossibleDecisionDiverges) {
  Trace t = Read("corpus/regress/001-mkwrite-old-vs-writeback.trace");
  auto s = MakeReplay({0, 0, 7});
  Scheduler sched;
  SchedOutcome o = sched.Run(t.config, t.threads, *s);
  EXPECT_EQ(o.inv, Inv::kDiffSched);
}

// DFS enumerates distinct runs and ends; random and PCT are reproducible
// from their seed.
TEST(Sched, StrategiesAreDeterministic) {
  Trace t = Read("corpus/sched/001-mkwrite-old-vs-writeback-fixed.trace");
  for (const char* st : {"random", "pct", "dfs"}) {
    ExploreOptions opt;
    opt.strategy = st;
    opt.runs = 50;
    absl::StatusOr<ExploreResult> a = Explore(t, "x", opt);
    absl::StatusOr<ExploreResult> b = Explore(t, "x", opt);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->outcome.decisions, b->outcome.decisions) << st;
    EXPECT_FALSE(a->found) << st << ": " << a->outcome.detail;
  }
  ExploreOptions opt;
  opt.strategy = "dfs";
  opt.preemptions = 0;
  absl::StatusOr<ExploreResult> r = Explore(t, "x", opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exhausted);
  EXPECT_GE(r->runs, 2);  // who starts, at least
}

// The impl-side checks can fail: a self-deadlocking run and the livelock
// bound.
TEST(Sched, DeadlockAndLivelockAreFindings) {
  Trace t = Read("corpus/regress/003-wait-never-unpinned.trace");
  ExploreOptions opt;
  opt.strategy = "dfs";
  absl::StatusOr<ExploreResult> r = Explore(t, "x", opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Verdict(*r), "DEADLOCK");
  opt.max_points = 5;
  r = Explore(Read("corpus/sched/001-mkwrite-old-vs-writeback-fixed.trace"),
              "x", opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Verdict(*r), "LIVELOCK");
}

// Lassos on the impl (docs/liveness.md, docs/scheduler.md): seed 003's
// truncate starved by a mapper that re-faults and re-pins for ever.
constexpr char kStarves[] =
    "corpus/regress/003-wait-starved-by-refault-impl.trace";

// The plan Explore makes of a lasso, built here from the spec's run so that
// a test can change it: `cycle_steps` of the spec's cycle per round.
LassoPlan PlanOf(const Trace& t, const RunResult& spec, size_t cycle_steps,
                 int rounds, std::vector<int>* order,
                 std::vector<std::string>* names) {
  LassoPlan p;
  p.loops = t.loops;
  p.cycle_start = static_cast<size_t>(spec.cycle_start);
  p.cycle_steps = cycle_steps;
  p.rounds = rounds;
  for (const BlockedAt& b : spec.blocked)
    p.starved.push_back({b.thread, b.call, std::string(StepName(b.step))});
  for (size_t i = 0; i < p.cycle_start + cycle_steps * rounds; ++i) {
    const size_t k = i < p.cycle_start
                         ? i
                         : p.cycle_start + (i - p.cycle_start) % cycle_steps;
    order->push_back(spec.steps[k].thread);
    names->emplace_back(StepName(spec.steps[k].step));
  }
  return p;
}

TEST(SchedLasso, TruncateStarvesOnTheImpl) {
  const Trace t = Read(kStarves);
  ASSERT_TRUE(t.lasso());
  ExploreOptions opt;
  opt.strategy = "replay";
  absl::StatusOr<ExploreResult> r = Explore(t, kStarves, opt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "STARVATION") << r->outcome.detail;
  EXPECT_FALSE(r->diverged);
  EXPECT_EQ(r->outcome.lasso_rounds, 3);
  ASSERT_EQ(r->outcome.starved.size(), 1u);
  EXPECT_EQ(t.thread_names[r->outcome.starved[0]], "T");
  EXPECT_NE(r->outcome.detail.find("T0 at DaxWaitIdle (call 1)"),
            std::string::npos)
      << r->outcome.detail;
  // The finding's trace is the lasso itself (it replays, no decision list).
  EXPECT_EQ(r->found_trace.cycle, t.cycle);
  EXPECT_EQ(r->found_trace.schedule, t.schedule);
  EXPECT_TRUE(r->found_trace.impl_schedule.empty());
  // The run ended cleanly with A looping and T parked: the pool is reusable.
  Scheduler sched;
  opt.scheduler = &sched;
  for (int i = 0; i < 3; ++i) {
    r = Explore(t, kStarves, opt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Verdict(*r), "STARVATION");
  }
}

// A cycle that does not come back is no lasso: the spec rejects it (bad
// input), and the impl, driven through such a cycle anyway, departs from
// its start state (DIFF-STATE), never STARVATION.
TEST(SchedLasso, CycleThatDoesNotReturnIsNoStarvation) {
  Trace t = Read(kStarves);
  Trace short_cycle = t;
  short_cycle.cycle = {1, 1, 1};  // A*3
  short_cycle.cycle_pos.clear();
  ExploreOptions opt;
  opt.strategy = "replay";
  absl::StatusOr<ExploreResult> r = Explore(short_cycle, "a3", opt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not come back"), std::string::npos)
      << r.status();

  absl::StatusOr<RunResult> spec = RunTrace(t, "x", {.record_changes = false});
  ASSERT_TRUE(spec.ok() && spec->starvation);
  std::vector<int> order;
  std::vector<std::string> names;
  const LassoPlan plan = PlanOf(t, *spec, 3, 3, &order, &names);
  auto s = MakeStepReplay(order, names);
  Scheduler sched;
  SchedOutcome o = sched.Run(t.config, t.threads, *s, 200000, false, &plan);
  EXPECT_EQ(o.inv, Inv::kDiffState) << o.detail;
  EXPECT_NE(o.detail.find("does not come back"), std::string::npos) << o.detail;
  EXPECT_TRUE(o.starved.empty());
}

// The mutation: under dax_truncate=ebusy the impl's truncate returns
// -EBUSY instead of waiting. Its own lasso is clean, and the wait policy's
// starvation plan forced onto it departs (T returned), not STARVATION.
TEST(SchedLasso, EbusyTruncateDoesNotStarve) {
  const Trace t = Read(kStarves);
  Trace ebusy = t;
  ebusy.config.policy.dax_truncate = DaxTruncatePolicy::kEbusy;
  ebusy.expect = "clean";
  ExploreOptions opt;
  opt.strategy = "replay";
  absl::StatusOr<ExploreResult> r = Explore(ebusy, "ebusy", opt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "clean") << r->outcome.detail;
  EXPECT_EQ(r->outcome.lasso_rounds, 3);

  absl::StatusOr<RunResult> spec = RunTrace(t, "x", {.record_changes = false});
  ASSERT_TRUE(spec.ok() && spec->starvation);
  std::vector<int> order;
  std::vector<std::string> names;
  const LassoPlan plan = PlanOf(
      t, *spec, spec->steps.size() - spec->cycle_start, 3, &order, &names);
  auto s = MakeStepReplay(order, names);
  Scheduler sched;
  SchedOutcome o =
      sched.Run(ebusy.config, ebusy.threads, *s, 200000, false, &plan);
  EXPECT_EQ(o.inv, Inv::kDiffSched) << o.detail;
  EXPECT_NE(o.detail.find("has returned"), std::string::npos) << o.detail;
}

}  // namespace
}  // namespace lifecheck::sched

namespace lifecheck::sched {
namespace {

// Random call lists over every configuration the binary decoder reaches
// (sizes, policies), in the spec's call order: the impl, replayed through
// its step markers, reaches the spec's verdict. Catches a missing or
// misplaced marker anywhere (DIFF-SCHED names it).
TEST(Sched, RandomCallListsReplayThroughStepMarkers) {
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int i = 0; i < 400; ++i) {
    std::string bytes(40 + rng() % 60, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    Trace t = DecodeTrace(reinterpret_cast<const uint8_t*>(bytes.data()),
                          bytes.size(), DecodeOptions{});
    if (t.schedule.empty()) continue;
    absl::StatusOr<RunResult> spec = RunTrace(t, "random");
    ASSERT_TRUE(spec.ok());
    ExploreOptions opt;
    opt.strategy = "replay";
    absl::StatusOr<ExploreResult> r = Explore(t, "random", opt);
    ASSERT_TRUE(r.ok()) << r.status();
    const std::string want = lifecheck::Verdict(*spec);
    // The impl shows an always-invariant only at the next step boundary,
    // and a step-level check only through the spec: both are the spec's
    // finding (possibly under another ID); what must never happen is a
    // divergence, a finding where the spec is clean, or a clean impl run
    // where the spec found something.
    EXPECT_NE(r->outcome.inv, Inv::kDiffSched)
        << PrintTrace(t) << r->outcome.detail;
    if (want == "clean") {
      EXPECT_EQ(Verdict(*r), "clean") << PrintTrace(t) << r->outcome.detail;
    } else {
      EXPECT_NE(Verdict(*r), "clean") << PrintTrace(t) << "spec: " << want;
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace lifecheck::sched

namespace lifecheck::sched {
namespace {

// sched_fuzzer's bytes: every seed of corpus/sched_fuzzer decodes to its
// race (or clean for -fixed) with its own configuration and to clean when
// pinned to mainline; random bytes always decode and run.
TEST(SchedFuzz, SeedsDecodeToTheirVerdicts) {
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"001-mkwrite-old-vs-writeback", "I-PG-1"},
      {"003-busy-scan-skips-unmapped", "I-DAX-4"},
      {"003-zap-without-ptl", "I-DAX-1"},
      {"003-lease-setlease-without-mmaplock", "I-DAX-1"},
      {"002-eventfs-open-after-remove", "I-EV-1"},
  };
  absl::StatusOr<DecodeOptions> mainline = ParseConfigPin("mainline");
  ASSERT_TRUE(mainline.ok());
  for (const auto& [name, id] : seeds) {
    for (const std::string& suffix : {std::string(""), std::string("-fixed")}) {
      std::ifstream f(Src("corpus/sched_fuzzer/" + name + suffix + ".bin"),
                      std::ios::binary);
      const std::string b((std::istreambuf_iterator<char>(f)),
                          std::istreambuf_iterator<char>());
      ASSERT_FALSE(b.empty()) << name << suffix;
      const auto* p = reinterpret_cast<const uint8_t*>(b.data());
      SchedFuzzRun r = RunSchedInput(p, b.size(), DecodeOptions{});
      EXPECT_EQ(r.trace.expect, suffix.empty() ? id : "clean")
          << name << suffix;
      // The decoded trace replays the run point for point.
      ExploreOptions opt;
      opt.strategy = "replay";
      absl::StatusOr<ExploreResult> e = Explore(r.trace, "decoded", opt);
      ASSERT_TRUE(e.ok());
      EXPECT_EQ(e->outcome.decisions, r.outcome.decisions);
      EXPECT_EQ(Verdict(*e), r.trace.expect);
      r = RunSchedInput(p, b.size(), *mainline);
      EXPECT_EQ(r.trace.expect, "clean") << name << suffix << " on mainline";
    }
  }
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    std::string b(rng() % 300, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    RunSchedInput(reinterpret_cast<const uint8_t*>(b.data()), b.size(),
                  *mainline);
  }
}

}  // namespace
}  // namespace lifecheck::sched

namespace lifecheck::sched {
namespace {

// DFS never runs the same schedule twice, and sleep sets prune: with them
// it explores fewer runs than the preemption-bounded tree has leaves, yet
// still reaches every seed race (SeedRacesFoundAndFixesClean).
TEST(Sched, DfsRunsAreDistinct) {
  Trace t = Read("corpus/sched/001-mkwrite-old-vs-writeback-fixed.trace");
  Scheduler s;
  auto dfs = MakeDfs(2);
  std::set<std::vector<int>> seen;
  int runs = 0;
  do {
    SchedOutcome o = s.Run(t.config, t.threads, *dfs);
    EXPECT_TRUE(seen.insert(o.decisions).second) << "run " << runs;
    ++runs;
  } while (dfs->NextRun() && runs < 100000);
  EXPECT_EQ(static_cast<int>(seen.size()), runs);
  EXPECT_GT(runs, 10);
}

}  // namespace
}  // namespace lifecheck::sched
