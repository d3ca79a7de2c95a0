#include "harness/run/spec_run.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lifecheck {
namespace {

// "FILE:LINE:COL" of schedule entry i; 0:0 when the trace carries no
// positions (a trace built in code or decoded from bytes).
std::string EntryPos(const Trace& t, const std::string& filename, size_t i) {
  SrcPos pos;
  if (i < t.schedule_pos.size()) pos = t.schedule_pos[i];
  return absl::StrCat(filename, ":", pos.line, ":", pos.col);
}

std::string ThreadLabel(const Trace& t, int thread) {
  if (thread >= 0 && static_cast<size_t>(thread) < t.thread_names.size())
    return t.thread_names[thread];
  return absl::StrCat("#", thread);
}

// One step of `thread` (false if it is blocked), recorded, with its state
// changes when asked.
bool TakeStep(SpecExec& exec, int thread, bool changes, RunResult& r) {
  CWorld before;
  if (changes) before = exec.world();
  StepRecord rec;
  if (!exec.TryStep(thread, &rec)) return false;
  r.steps.push_back(rec);
  if (changes) r.changes.push_back(DiffWorlds(before, exec.world()));
  return true;
}

// "FILE:LINE:COL" of cycle entry i.
std::string CyclePos(const Trace& t, const std::string& filename, size_t i) {
  SrcPos pos;
  if (i < t.cycle_pos.size()) pos = t.cycle_pos[i];
  return absl::StrCat(filename, ":", pos.line, ":", pos.col);
}

// The world as a state of the lasso: each looping thread's pc folded onto
// its loop's first round (rounds append the same calls, so their steps sit
// `round` pcs apart), and the fields no finding reads cleared (as the model
// checker stores states, mc/footprint.h DeadFields).
CWorld LassoState(const CWorld& w, const std::vector<int>& prefix,
                  const std::vector<int>& round) {
  CWorld f = w;
  f.warned = {};
  for (size_t th = 0; th < prefix.size(); ++th) {
    f.th[th].ret = 0;
    if (round[th] > 0 && f.th[th].pc >= prefix[th])
      f.th[th].pc = static_cast<int16_t>(
          prefix[th] + (f.th[th].pc - prefix[th]) % round[th]);
  }
  return f;
}

int CallSteps(const std::vector<Call>& calls, const Config& cfg) {
  int n = 0;
  for (const Call& c : calls) n += static_cast<int>(StepsOf(c.op, cfg).size());
  return n;
}

absl::Status StepBoundError(const std::string& filename) {
  return absl::InvalidArgumentError(
      absl::StrCat(filename, ": step bound exceeded (", kMaxReplaySteps,
                   " steps): the trace does not terminate"));
}

// Phase 1b of a lasso: its cycle, once, then the two checks that make it an
// infinite run (back where it started; fair) and the starved threads.
absl::Status RunCycle(const Trace& t, const std::string& filename,
                      const SpecRunOptions& opts, SpecExec& exec,
                      RunResult& r) {
  const int n = exec.num_threads();
  std::vector<int> prefix(n), round(n);
  for (int th = 0; th < n; ++th) {
    prefix[th] = CallSteps(t.threads[th], t.config);
    round[th] = CallSteps(t.loop(th), t.config);
  }
  r.cycle_start = static_cast<int>(r.steps.size());
  const CWorld start = LassoState(exec.world(), prefix, round);
  std::vector<bool> stepped(n, false), ever_disabled(n, false),
      ever_enabled(n, false);
  auto note_enabled = [&] {
    for (int th = 0; th < n; ++th) {
      const bool en = exec.enabled(th);
      (en ? ever_enabled : ever_disabled)[th] = true;
    }
  };
  for (size_t i = 0; i < t.cycle.size(); ++i) {
    const int th = t.cycle[i];
    if (th < 0 || th >= n)
      return absl::InvalidArgumentError(absl::StrCat(
          CyclePos(t, filename, i), ": cycle entry ", i + 1, " names thread ",
          ThreadLabel(t, th), " which does not exist"));
    if (r.steps.size() >= static_cast<size_t>(kMaxReplaySteps))
      return StepBoundError(filename);
    note_enabled();
    RefillLoop(exec, t, th);
    if (exec.done(th) || !TakeStep(exec, th, opts.record_changes, r))
      return absl::InvalidArgumentError(
          absl::StrCat(CyclePos(t, filename, i), ": cycle entry ", i + 1,
                       " names thread ", ThreadLabel(t, th), " which is ",
                       exec.done(th) ? "finished" : "blocked"));
    stepped[th] = true;
    if (exec.violation() != Inv::kNone) {  // a safety finding on the way
      r.violation = exec.violation();
      return absl::OkStatus();
    }
  }
  const CWorld end = LassoState(exec.world(), prefix, round);
  if (!(end == start)) {
    const std::vector<std::string> diff = DiffWorlds(start, end);
    return absl::InvalidArgumentError(absl::StrCat(
        CyclePos(t, filename, 0),
        ": the cycle does not come back to the state it starts from (",
        diff.empty() ? "a thread's position differs" : diff[0], ")"));
  }
  // Who never steps: done, idle (a kworker with nothing queued) or at a
  // loop's start (it may stop there) is finished; any other thread has
  // work left and is owed fairness.
  for (int th = 0; th < n; ++th) {
    if (stepped[th] || exec.done(th) || exec.idle(th)) continue;
    const Insn& in = exec.next_insn(th);
    const bool weak = IsConditionWaitStep(in.step);
    if (weak ? !ever_disabled[th] : ever_enabled[th])
      return absl::InvalidArgumentError(absl::StrCat(
          CyclePos(t, filename, 0), ": the cycle is not fair to thread ",
          ThreadLabel(t, th), ": it never steps although its step ",
          std::string(StepName(in.step)),
          weak ? " is enabled in every state of the cycle"
               : " (a lock) is enabled in some state of it"));
    r.blocked.push_back(BlockedAt{th, in.call, in.op, in.step});
  }
  r.starvation = !r.blocked.empty();
  return absl::OkStatus();
}

}  // namespace

void RefillLoop(SpecExec& exec, const Trace& t, int th) {
  if (th < exec.num_threads() && exec.done(th))
    for (const Call& c : t.loop(th)) exec.add_call(th, c);
}

absl::StatusOr<RunResult> RunTrace(const Trace& t, const std::string& filename,
                                   const SpecRunOptions& opts) {
  SpecExec exec(t.config, t.threads);
  RunResult r;

  // Phase 1: the trace's own schedule. It may end early: a finding stops the
  // run, and the entries after it are irrelevant to the verdict.
  for (size_t i = 0; i < t.schedule.size(); ++i) {
    // (A lasso's thread out of calls may still go round its loop: the
    // cycle, not this check, says whether it is stuck.)
    if (exec.violation() != Inv::kNone || (!t.lasso() && exec.deadlocked()))
      break;
    const int th = t.schedule[i];
    if (th < 0 || th >= exec.num_threads()) {
      return absl::InvalidArgumentError(absl::StrCat(
          EntryPos(t, filename, i), ": schedule entry ", i + 1,
          " names thread ", ThreadLabel(t, th), " which does not exist"));
    }
    if (r.steps.size() >= static_cast<size_t>(kMaxReplaySteps))
      return StepBoundError(filename);
    RefillLoop(exec, t, th);
    if (exec.done(th) || !TakeStep(exec, th, opts.record_changes, r)) {
      return absl::InvalidArgumentError(
          absl::StrCat(EntryPos(t, filename, i), ": schedule entry ", i + 1,
                       " names thread ", ThreadLabel(t, th), " which is ",
                       exec.done(th) ? "finished" : "blocked"));
    }
  }

  if (t.lasso() && exec.violation() == Inv::kNone) {
    absl::Status s = RunCycle(t, filename, opts, exec, r);
    if (!s.ok()) return s;
    r.results = exec.results();
    r.final_world = exec.world();
    return r;
  }

  // Phase 2: the default sequential schedule until the run is decided.
  while (!exec.finished()) {
    const int th = exec.sequential_choice();
    if (th < 0) break;  // defensive: finished() covers "nobody enabled"
    if (r.steps.size() >= static_cast<size_t>(kMaxReplaySteps))
      return StepBoundError(filename);
    TakeStep(exec, th, opts.record_changes, r);
  }

  r.violation = exec.violation();
  r.deadlock = r.violation == Inv::kNone && !exec.all_done();
  if (r.deadlock) {
    for (int th = 0; th < exec.num_threads(); ++th) {
      if (exec.done(th)) continue;
      const Insn& in = exec.next_insn(th);
      r.blocked.push_back(BlockedAt{th, in.call, in.op, in.step});
    }
  }
  r.results = exec.results();
  r.final_world = exec.world();
  return r;
}

Inv Finding(const RunResult& r) {
  if (r.violation != Inv::kNone) return r.violation;
  if (r.deadlock) return Inv::kDeadlock;
  if (r.starvation) return Inv::kStarvation;
  return Inv::kNone;
}

std::string Verdict(const RunResult& r) {
  const Inv f = Finding(r);
  if (f == Inv::kNone) return "clean";
  return std::string(InvId(f));
}

}  // namespace lifecheck
