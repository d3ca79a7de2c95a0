#include "harness/sched/explore.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/run/abstraction.h"
#include "harness/run/spec_run.h"
#include "spec/exec.h"

namespace lifecheck::sched {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// How many rounds of a lasso's cycle the impl replay follows. One round
// back in its start state could be a coincidence of the first pass (a
// warning set once, a lazily filled slot); further rounds from the same
// state show the cycle repeats. Each round is only the cycle's steps.
constexpr int kLassoRounds = 3;

std::string Name(const Trace& t, int tid) {
  return tid >= 0 && tid < static_cast<int>(t.thread_names.size())
             ? t.thread_names[tid]
             : absl::StrCat("T", tid);
}

}  // namespace

Inv CheckAgainstSpec(const Trace& t, SchedOutcome& o) {
  // A lasso's STARVATION is checked too: its steps, results and state must
  // be the spec's as for a run that ends.
  if (!o.serial || (o.inv != Inv::kNone && o.inv != Inv::kStarvation))
    return Inv::kNone;
  SpecExec ex(t.config, t.threads);
  auto fail = [&](Inv inv, std::string why) {
    o.inv = inv;
    o.detail = std::move(why);
    return inv;
  };
  for (size_t i = 0; i < o.steps.size(); ++i) {
    const StepEvent& e = o.steps[i];
    const std::string who =
        absl::StrCat("step ", i + 1, " (", Name(t, e.thread), " ", e.step, ")");
    RefillLoop(ex, t, e.thread);
    if (ex.done(e.thread))
      return fail(Inv::kDiffSched,
                  absl::StrCat("impl passed ", who,
                               " where the spec's thread has no step left"));
    const std::string_view spec_step = StepName(ex.next_insn(e.thread).step);
    if (spec_step != e.step)
      return fail(
          Inv::kDiffSched,
          absl::StrCat("impl passed ", who, " where the spec's next step is ",
                       A(spec_step)));
    if (!ex.enabled(e.thread))
      return fail(Inv::kDiffSched,
                  absl::StrCat("impl passed ", who,
                               " where the spec's step is disabled"));
    ex.step(e.thread);
    o.finding_step = i + 1;
    if (ex.violation() != Inv::kNone)
      return fail(ex.violation(),
                  absl::StrCat("the spec, replaying the impl's step order, "
                               "violates it at ",
                               who));
  }
  // A lasso's run ends after its last round, its threads still going.
  if (!t.lasso() && !ex.all_done())
    return fail(Inv::kDiffSched,
                "every impl call returned but the spec has steps left");
  if (ex.results() != o.results) {
    std::string d;
    for (size_t th = 0; th < o.results.size(); ++th)
      for (size_t c = 0; c < o.results[th].size(); ++c)
        if (c >= ex.results()[th].size() ||
            ex.results()[th][c] != o.results[th][c])
          absl::StrAppend(&d, d.empty() ? "" : "; ", Name(t, th), " call ",
                          c + 1, ": spec ",
                          c < ex.results()[th].size()
                              ? absl::StrCat(ex.results()[th][c])
                              : std::string("-"),
                          ", impl ", o.results[th][c]);
    return fail(Inv::kDiffResult, d);
  }
  const CWorld spec = SpecWorldAtBoundary(ex.world());
  if (!AbstractUsedEquals(t.config, o.final_world, spec))
    return fail(
        Inv::kDiffState,
        absl::StrCat("Abstract(impl) differs (spec -> impl):\n  ",
                     absl::StrJoin(DiffWorlds(spec, o.final_world), "\n  ")));
  return Inv::kNone;
}

// The spec taking the impl's completed steps in the order they completed
// (a step still in progress at the end, e.g. blocked, is not recorded).
Inv SpecMarkerVerdict(const Trace& t, const SchedOutcome& o, std::string* what,
                      size_t* at = nullptr) {
  SpecExec ex(t.config, t.threads);
  size_t taken = 0;
  for (size_t i = 0; i < o.steps.size(); ++i) {
    const StepEvent& e = o.steps[i];
    const std::string who =
        absl::StrCat("step ", i + 1, " (", Name(t, e.thread), " ", e.step, ")");
    RefillLoop(ex, t, e.thread);
    if (ex.done(e.thread) || StepName(ex.next_insn(e.thread).step) != e.step ||
        !ex.enabled(e.thread)) {
      *what = absl::StrCat("spec, same step order: cannot follow at ", who);
      return Inv::kNone;
    }
    ex.step(e.thread);
    ++taken;
    if (ex.violation() != Inv::kNone) {
      if (at != nullptr) *at = i + 1;
      *what = absl::StrCat("spec, same step order: ", A(InvId(ex.violation())),
                           " at ", who);
      return ex.violation();
    }
  }
  if (ex.deadlocked()) {
    *what =
        absl::StrCat("spec, same step order: DEADLOCK after ", taken, " steps");
    return Inv::kDeadlock;
  }
  *what =
      absl::StrCat("spec, same step order: clean through ", taken, " steps");
  return Inv::kNone;
}

std::string SpecOnMarkerOrder(const Trace& t, const SchedOutcome& o) {
  std::string what;
  SpecMarkerVerdict(t, o, &what);
  return what;
}

void JudgeRun(const Trace& t, SchedOutcome& o) {
  CheckAgainstSpec(t, o);
  // A step-serial run IS the recorded order: where the spec, taking the
  // same steps, stops at a step-level check (I-DC-2 ...) the impl only
  // shows later in the state, the finding gets the spec's ID.
  if (o.serial && o.inv != Inv::kNone && o.inv != Inv::kLivelock &&
      o.inv != Inv::kDiffSched) {
    std::string what;
    size_t spec_step = 0;
    const Inv spec = SpecMarkerVerdict(t, o, &what, &spec_step);
    if (spec != Inv::kNone && spec != o.inv) {
      o.detail = absl::StrCat(what, "; impl: ", o.detail);
      o.inv = spec;
      o.finding_step = spec_step;
    }
  }
}

absl::StatusOr<ExploreResult> Explore(const Trace& t, const std::string& file,
                                      const ExploreOptions& opt) {
  std::unique_ptr<Strategy> s;
  ExploreResult r;
  int64_t runs = opt.runs;
  // A lasso replays on the impl as its spec run does: the schedule, then
  // kLassoRounds rounds of the cycle, the loops refilled (sched.h LassoPlan).
  std::optional<LassoPlan> lasso;
  if (opt.strategy == "random") {
    s = MakeRandom(opt.seed);
    r.description = absl::StrCat("random seed=", opt.seed);
    if (runs == 0) runs = 1000;
  } else if (opt.strategy == "pct") {
    s = MakePct(opt.seed, opt.depth);
    r.description = absl::StrCat("pct depth=", opt.depth, " seed=", opt.seed);
    if (runs == 0) runs = 1000;
  } else if (opt.strategy == "dfs") {
    s = MakeDfs(opt.preemptions);
    r.description = absl::StrCat("dfs preemptions=", opt.preemptions);
    if (runs == 0) runs = INT64_MAX;
  } else if (opt.strategy == "replay") {
    // An impl-schedule is a finite run: a lasso is replayed through its
    // spec schedule and cycle.
    if (!t.impl_schedule.empty() && !t.lasso()) {
      s = MakeReplay(t.impl_schedule);
      r.description = "replay of the impl-schedule";
    } else if (!t.schedule.empty()) {
      absl::StatusOr<RunResult> spec =
          RunTrace(t, file, {.record_changes = false});
      if (!spec.ok()) return spec.status();
      // The spec's whole run: the schedule, then its sequential
      // continuation (SpecExec::sequential_choice), step by step.
      std::vector<int> order;
      std::vector<std::string> names;
      for (const StepRecord& sr : spec->steps) {
        order.push_back(sr.thread);
        names.emplace_back(StepName(sr.step));
      }
      r.description = "replay of the spec schedule through the step markers";
      if (t.lasso()) {
        lasso.emplace();
        lasso->loops = t.loops;
        // A spec run that stopped before its cycle came round (a finding
        // on the way) is followed once, to its end: no round checks.
        const bool whole =
            (Finding(*spec) == Inv::kNone || spec->starvation) &&
            spec->cycle_start >= 0 &&
            order.size() > static_cast<size_t>(spec->cycle_start);
        lasso->rounds = whole ? kLassoRounds : 0;
        lasso->cycle_start = whole ? spec->cycle_start : order.size();
        lasso->cycle_steps = whole ? order.size() - lasso->cycle_start : 1;
        for (int k = 1; k < lasso->rounds; ++k)
          for (size_t i = lasso->cycle_start; i < spec->steps.size(); ++i) {
            order.push_back(order[i]);
            names.push_back(names[i]);
          }
        if (spec->starvation)
          for (const BlockedAt& b : spec->blocked)
            lasso->starved.push_back(
                StarvedThread{b.thread, b.call, std::string(StepName(b.step))});
        absl::StrAppend(&r.description, ", its cycle ", lasso->rounds,
                        " times");
      }
      s = MakeStepReplay(order, names);
    } else {
      s = MakeReplay({});
      r.description = "the sequential schedule";
    }
    runs = 1;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown strategy '", opt.strategy,
                     "' (expected random, pct, dfs or replay)"));
  }
  Scheduler own;
  Scheduler& sched = opt.scheduler != nullptr ? *opt.scheduler : own;
  sched.set_faults(t.faults);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  for (;;) {
    r.outcome = sched.Run(t.config, t.threads, *s, opt.max_points,
                          opt.step_atomic, lasso ? &*lasso : nullptr);
    ++r.runs;
    r.diverged = !s->Divergence().empty();
    JudgeRun(t, r.outcome);
    if (r.outcome.inv != Inv::kNone) {
      r.found = true;
      break;
    }
    if (r.runs >= runs) break;
    if (opt.seconds > 0 && elapsed() > opt.seconds) break;
    if (!s->NextRun()) {
      r.exhausted = true;
      break;
    }
  }
  r.seconds = elapsed();
  if (opt.step_atomic && opt.strategy != "replay")
    r.description += " granularity=step";
  r.found_trace = t;
  r.found_trace.judge = Judge::kSched;  // the run is the impl's
  // A lasso's run is infinite: no decision list records it, and its own
  // schedule and cycle replay it (on the spec and, by `judge: sched`, here).
  if (!lasso) r.found_trace.impl_schedule = r.outcome.decisions;
  // A step-serial run's step order is a spec schedule of the same run:
  // `lifecheck run` replays it on the spec, --strategy replay on the impl.
  if (!lasso) r.found_trace.schedule.clear();
  if (r.outcome.serial && !lasso)
    for (const StepEvent& e : r.outcome.steps)
      r.found_trace.schedule.push_back(e.thread);
  r.found_trace.expect =
      r.found ? std::string(InvId(r.outcome.inv)) : std::string("clean");
  r.found_trace.call_pos.clear();
  r.found_trace.schedule_pos.clear();
  return r;
}

}  // namespace lifecheck::sched
