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

absl::Status StepBoundError(const std::string& filename) {
  return absl::InvalidArgumentError(
      absl::StrCat(filename, ": step bound exceeded (", kMaxReplaySteps,
                   " steps): the trace does not terminate"));
}

}  // namespace

absl::StatusOr<RunResult> RunTrace(const Trace& t, const std::string& filename,
                                   const SpecRunOptions& opts) {
  SpecExec exec(t.config, t.threads);
  RunResult r;

  // Phase 1: the trace's own schedule. It may end early: a finding stops the
  // run, and the entries after it are irrelevant to the verdict.
  for (size_t i = 0; i < t.schedule.size(); ++i) {
    if (exec.violation() != Inv::kNone || exec.deadlocked()) break;
    const int th = t.schedule[i];
    if (th < 0 || th >= exec.num_threads()) {
      return absl::InvalidArgumentError(absl::StrCat(
          EntryPos(t, filename, i), ": schedule entry ", i + 1,
          " names thread ", ThreadLabel(t, th), " which does not exist"));
    }
    if (r.steps.size() >= static_cast<size_t>(kMaxReplaySteps))
      return StepBoundError(filename);
    if (exec.done(th) || !TakeStep(exec, th, opts.record_changes, r)) {
      return absl::InvalidArgumentError(
          absl::StrCat(EntryPos(t, filename, i), ": schedule entry ", i + 1,
                       " names thread ", ThreadLabel(t, th), " which is ",
                       exec.done(th) ? "finished" : "blocked"));
    }
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
  return Inv::kNone;
}

std::string Verdict(const RunResult& r) {
  const Inv f = Finding(r);
  if (f == Inv::kNone) return "clean";
  return std::string(InvId(f));
}

}  // namespace lifecheck
