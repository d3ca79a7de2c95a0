#include "harness/findings/minimize.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harness/run/spec_run.h"
#include "harness/sched/explore.h"
#include "harness/sched/sched.h"
#include "spec/exec.h"
#include "spec/program.h"

namespace lifecheck {
namespace {

// The schedule a judge sched trace without a spec schedule is minimised
// on: its impl-schedule, replayed on the impl. Every other trace is
// minimised on its spec schedule, replayed on the spec.
bool OnImplSchedule(const Trace& t) {
  return t.judge == Judge::kSched && t.schedule.empty() &&
         !t.impl_schedule.empty();
}
std::vector<int>& Edited(Trace& t) {
  return OnImplSchedule(t) ? t.impl_schedule : t.schedule;
}
const std::vector<int>& Edited(const Trace& t) {
  return OnImplSchedule(t) ? t.impl_schedule : t.schedule;
}

// A maximal block of consecutive schedule entries of one thread.
struct Run {
  int thread;
  int len;
};

std::vector<Run> Runs(const std::vector<int>& schedule) {
  std::vector<Run> runs;
  for (int th : schedule) {
    if (!runs.empty() && runs.back().thread == th)
      ++runs.back().len;
    else
      runs.push_back(Run{th, 1});
  }
  return runs;
}

std::vector<int> Expand(const std::vector<Run>& runs) {
  std::vector<int> out;
  for (const Run& r : runs) out.insert(out.end(), r.len, r.thread);
  return out;
}

// Size of a trace for the "strictly smaller" rule that makes the sweep
// terminate: calls, then schedule entries, then context switches.
std::tuple<int, size_t, size_t> Measure(const Trace& t) {
  return {NumCalls(t), Edited(t).size(), Runs(Edited(t)).size()};
}

// Removes position information and the expect header: what the oracle
// cache is keyed on.
std::string CacheKey(const Trace& t) {
  Trace k = t;
  k.expect.clear();
  return PrintTrace(k);
}

// Object classes that pass 4 renumbers. Dentries 1..files are the files'
// dentries and 1+files+e the event e's, so a dentry argument follows the
// class of the object it names (dentry 0, the root, never moves).
enum class ObjClass { kFile, kEvent, kIndex, kPte, kPin };

// Calls `f(int& value, int base)` for every argument of class `cls` in `t`,
// where value - base is the object's number within its class.
template <typename F>
void ForEachArg(Trace& t, ObjClass cls, F f) {
  const Config& cfg = t.config;
  for (std::vector<Call>& calls : t.threads) {
    for (Call& c : calls) {
      const OpInfo& info = GetOpInfo(c.op);
      for (int k = 0; k < info.nargs; ++k) {
        int v = c.args[k];
        bool hit = false;
        int base = 0;
        switch (info.arg_kinds[k]) {
          case ArgKind::kDentry:
            if (cls == ObjClass::kFile && v >= 1 && v <= cfg.files) {
              hit = true;
              base = 1;
            } else if (cls == ObjClass::kEvent && v > cfg.files) {
              hit = true;
              base = 1 + cfg.files;
            }
            break;
          case ArgKind::kFile:
            hit = cls == ObjClass::kFile;
            base = 1;
            break;
          case ArgKind::kEvent:
            hit = cls == ObjClass::kEvent;
            break;
          case ArgKind::kIndex:
            hit = cls == ObjClass::kIndex;
            break;
          case ArgKind::kPte:
            hit = cls == ObjClass::kPte;
            break;
          case ArgKind::kPin:
            hit = cls == ObjClass::kPin;
            break;
          case ArgKind::kSize:
            break;
        }
        if (!hit) continue;
        f(v, base);
        c.args[k] = static_cast<int16_t>(v);
      }
    }
  }
}

// `t` with the objects of `cls` renumbered 0, 1, ... (files 1, 2, ...) in
// order of first use (threads in order, calls in order).
Trace RenumberClass(const Trace& t, ObjClass cls) {
  Trace out = t;
  std::map<int, int> map;
  ForEachArg(out, cls, [&](int& v, int base) {
    const int n = v - base;
    auto it = map.find(n);
    if (it == map.end())
      it = map.emplace(n, static_cast<int>(map.size())).first;
    v = base + it->second;
  });
  return out;
}

bool AllCallsValid(const Trace& t) {
  if (!ValidateConfig(t.config).empty()) return false;
  for (const std::vector<Call>& calls : t.threads)
    for (const Call& c : calls)
      if (!ValidateCall(c, t.config).empty()) return false;
  return true;
}

// `t` with config size field `name` set to `v` (event dentries follow a
// change of `files`).
Trace WithSize(const Trace& t, const ConfigField& f, int v) {
  Trace out = t;
  const int old_files = t.config.files;
  f.set(out.config, v);
  if (std::string_view(f.name) == "files" && v != old_files) {
    for (std::vector<Call>& calls : out.threads) {
      for (Call& c : calls) {
        const OpInfo& info = GetOpInfo(c.op);
        for (int k = 0; k < info.nargs; ++k)
          if (info.arg_kinds[k] == ArgKind::kDentry && c.args[k] > old_files)
            c.args[k] = static_cast<int16_t>(c.args[k] - old_files + v);
      }
    }
  }
  return out;
}

// What the minimiser learns from one run of a trace's edited schedule
// (EditedSchedule): hints for choosing candidates; every candidate is still
// confirmed by the oracle.
struct ScheduleRun {
  std::vector<int> threads;  // executed thread per entry (then continuation)
  std::vector<int> calls;    // the call index each executed entry steps
  int finding_thread = -1;   // the call that found a violation
  int finding_call = -1;
  std::vector<std::pair<int, int>> blocked;  // (thread, call) at a deadlock
};

// Runs the edited schedule: the spec's schedule-order run without world
// diffs, or the impl's replay under the controlled scheduler. False when
// it cannot be followed (or the step bound is hit).
bool RunSchedule(const Trace& t, ScheduleRun* out) {
  *out = ScheduleRun{};
  if (OnImplSchedule(t)) {
    sched::ExploreOptions opt;
    opt.strategy = "replay";
    static sched::Scheduler* scheduler = new sched::Scheduler();
    opt.scheduler = scheduler;
    absl::StatusOr<sched::ExploreResult> e = sched::Explore(t, "", opt);
    if (!e.ok() || e->diverged) return false;
    const sched::SchedOutcome& o = e->outcome;
    out->threads = o.decisions;
    out->calls = o.decision_calls;
    if (o.inv != Inv::kNone && o.inv != Inv::kDeadlock &&
        !o.decisions.empty()) {
      out->finding_thread = o.decisions.back();
      out->finding_call = o.decision_calls.back();
    }
    return true;
  }
  absl::StatusOr<RunResult> r = RunTrace(t, "", {.record_changes = false});
  if (!r.ok()) return false;
  // A lasso's schedule is its prefix: its cycle is kept as it is.
  const size_t n = r->cycle_start >= 0 ? static_cast<size_t>(r->cycle_start)
                                       : r->steps.size();
  for (size_t i = 0; i < n; ++i) {
    out->threads.push_back(r->steps[i].thread);
    out->calls.push_back(r->steps[i].call);
  }
  if (r->violation != Inv::kNone && !r->steps.empty()) {
    out->finding_thread = r->steps.back().thread;
    out->finding_call = r->steps.back().call;
  }
  for (const BlockedAt& b : r->blocked)
    out->blocked.emplace_back(b.thread, b.call);
  return true;
}

// The executed thread sequence of the edited schedule; false if it cannot
// be replayed.
bool ExecutedThreads(const Trace& t, std::vector<int>* seq,
                     ScheduleRun* result = nullptr) {
  ScheduleRun r;
  if (!RunSchedule(t, &r)) return false;
  *seq = r.threads;
  if (result) *result = std::move(r);
  return true;
}

class Minimizer {
 public:
  Minimizer(const Oracle& oracle, const MinimizeOptions& opts)
      : oracle_(oracle), opts_(opts) {}

  absl::StatusOr<MinimizeResult> Run(const Trace& input) {
    const auto start = std::chrono::steady_clock::now();
    Trace t = input;
    t.call_pos.clear();
    t.schedule_pos.clear();
    target_ = Ask(t);
    if (target_ == "clean" || target_ == kInvalidVerdict) {
      return absl::FailedPreconditionError(absl::StrCat(
          "does not fail (verdict ", target_, "); nothing to minimise"));
    }
    // A scheduled run with both schedules: minimise through the step
    // markers (the spec schedule, judged by replaying it on the impl) when
    // that reproduces the finding, else on the impl-schedule alone (the
    // run's steps overlapped). The impl-schedule is recorded again at the
    // end.
    const bool both = t.judge == Judge::kSched && !t.schedule.empty() &&
                      !t.impl_schedule.empty();
    if (both) {
      Trace steps = t;
      steps.impl_schedule.clear();
      if (Same(steps)) {
        t = steps;
      } else {
        t.schedule.clear();
      }
    }
    stats_.input_calls = NumCalls(t);

    // A scheduled finding the spec finds too, on the same spec schedule:
    // shrink it under the spec's judgement first (a fraction of a
    // millisecond a candidate, against a run of the impl's real threads),
    // then carry on from that result under the trace's own judgement. The
    // passes run again on the impl, so the result is 1-minimal for the
    // impl's judgement whatever the spec said; if the impl does not confirm
    // the spec's result (an impl-only finding, a planted fault the spec
    // run dropped), the impl passes start from the input instead.
    if (t.judge == Judge::kSched && t.impl_schedule.empty() &&
        !t.schedule.empty()) {
      Trace spec = t;
      spec.judge = Judge::kSpec;
      if (Ask(spec) == target_) {
        Passes(spec);
        spec.judge = Judge::kSched;
        if (Ask(spec) == target_) t = spec;
      }
    }
    const bool verified = Passes(t);

    if (opts_.rename_threads) {
      for (size_t th = 0; th < t.thread_names.size(); ++th)
        t.thread_names[th] = std::string(1, static_cast<char>('A' + th));
    }
    if (both && !t.schedule.empty()) RecordImplSchedule(t);
    MinimizeResult out;
    out.trace = t;
    out.trace.expect = target_;
    out.verdict = target_;
    stats_.output_calls = NumCalls(t);
    stats_.one_minimal = verified && !stats_.budget_exhausted;
    stats_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    out.stats = stats_;
    return out;
  }

 private:
  // Cut, then the passes to a fixpoint: the delta pass removes sets of
  // calls that no single removal can (a lookup and its dput), so a trace
  // the sweep changed gets it again; minimising a minimised trace then
  // changes nothing. True if the last sweep verified 1-minimality.
  bool Passes(Trace& t) {
    t = Cut(t);
    while (true) {
      const Trace before = t;
      t = DeltaCalls(t);
      if (opts_.canonicalize) t = Canonical(t);
      const bool verified = Sweep(t);
      if (!verified || t == before) return verified;
    }
  }

  // Adds the impl-schedule of `t`'s step-marker replay, when the trace
  // keeps its verdict with it (it should: it is the same run).
  void RecordImplSchedule(Trace& t) {
    sched::ExploreOptions opt;
    opt.strategy = "replay";
    absl::StatusOr<sched::ExploreResult> e = sched::Explore(t, "", opt);
    if (!e.ok() || e->diverged) return;
    Trace with = t;
    with.impl_schedule = e->outcome.decisions;
    if (Same(with)) t = with;
  }

  // The oracle's verdict, through the cache and the budget.
  std::string Ask(const Trace& t) {
    const std::string key = CacheKey(t);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      ++stats_.cache_hits;
      return it->second;
    }
    if (stats_.oracle_calls >= opts_.max_oracle_calls) {
      stats_.budget_exhausted = true;
      return kInvalidVerdict;
    }
    ++stats_.oracle_calls;
    std::string v = oracle_(t);
    cache_.emplace(key, v);
    return v;
  }
  bool Same(const Trace& t) { return Ask(t) == target_; }

  // Pass 1: calls that had not started when the spec run stopped cannot
  // matter to it; the schedule becomes the executed sequence, so removing
  // calls later keeps the relative order of everything else.
  Trace Cut(const Trace& t) {
    ScheduleRun r;
    std::vector<int> seq;
    if (!ExecutedThreads(t, &seq, &r)) return t;
    std::vector<int> started(t.threads.size(), 0);
    for (size_t i = 0; i < r.threads.size(); ++i)  // (a loop's calls too)
      started[r.threads[i]] = std::max(started[r.threads[i]], r.calls[i] + 1);
    for (const auto& [th, call] : r.blocked)
      started[th] = std::max(started[th], call + 1);
    std::vector<std::vector<bool>> drop(t.threads.size());
    for (size_t th = 0; th < t.threads.size(); ++th) {
      drop[th].assign(t.threads[th].size(), false);
      for (size_t c = started[th]; c < t.threads[th].size(); ++c)
        drop[th][c] = true;
    }
    Trace explicit_t = t;
    Edited(explicit_t) = seq;
    Trace cand = RemoveCalls(explicit_t, drop);
    if (cand == t) return t;
    return Same(cand) ? cand : t;
  }

  // Pass 2: finds the necessary calls one at a time. Invariant: R ∪ C fails
  // the same way; a binary search finds the shortest prefix P of C with
  // R ∪ P failing, whose last element is necessary (given R and P). The
  // call holding the violating step is tried as necessary first: it usually
  // is, and the final sweep corrects the guess if not.
  Trace DeltaCalls(const Trace& t) {
    struct Unit {
      int thread, call;
    };
    std::vector<Unit> units;
    std::vector<std::vector<int>> index(t.threads.size());
    for (size_t th = 0; th < t.threads.size(); ++th)
      index[th].assign(t.threads[th].size(), -1);
    ScheduleRun r;
    std::vector<int> seq;
    int violating = -1;
    if (ExecutedThreads(t, &seq, &r)) {
      for (size_t i = 0; i < r.threads.size(); ++i) {
        const int th = r.threads[i], call = r.calls[i];
        // A lasso's loop calls (past the thread's calls) are kept as they
        // are: not units.
        if (static_cast<size_t>(call) >= index[th].size()) continue;
        if (index[th][call] < 0) {
          index[th][call] = static_cast<int>(units.size());
          units.push_back(Unit{th, call});
        }
      }
      if (r.finding_thread >= 0 &&
          static_cast<size_t>(r.finding_call) < index[r.finding_thread].size())
        violating = index[r.finding_thread][r.finding_call];
    }
    for (size_t th = 0; th < t.threads.size(); ++th) {
      for (size_t c = 0; c < t.threads[th].size(); ++c) {
        if (index[th][c] < 0) {
          index[th][c] = static_cast<int>(units.size());
          units.push_back(Unit{static_cast<int>(th), static_cast<int>(c)});
        }
      }
    }
    if (units.size() <= 1) return t;
    const std::vector<int> entry_calls = EntryCalls(t);

    auto build = [&](const std::vector<int>& keep_a,
                     const std::vector<int>& keep_b, size_t b_len) {
      std::vector<std::vector<bool>> drop(t.threads.size());
      for (size_t th = 0; th < t.threads.size(); ++th)
        drop[th].assign(t.threads[th].size(), true);
      for (int u : keep_a) drop[units[u].thread][units[u].call] = false;
      for (size_t i = 0; i < b_len; ++i)
        drop[units[keep_b[i]].thread][units[keep_b[i]].call] = false;
      return RemoveCallsMapped(t, drop, entry_calls);
    };

    std::vector<int> required, cand;
    for (size_t u = 0; u < units.size(); ++u)
      if (static_cast<int>(u) != violating) cand.push_back(static_cast<int>(u));
    if (violating >= 0) required.push_back(violating);

    while (!stats_.budget_exhausted) {
      if (!required.empty() && Same(build(required, cand, 0))) {
        cand.clear();
        break;
      }
      if (cand.empty()) break;  // the guess was wrong and R ∪ C = R: give up
      size_t lo = 0, hi = cand.size();
      while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (Same(build(required, cand, mid)))
          hi = mid;
        else
          lo = mid;
      }
      required.push_back(cand[hi - 1]);
      cand.resize(hi - 1);
    }
    const Trace out = build(required, cand, cand.size());
    // The invariant says `out` fails; with a budget cut short, check it.
    return Same(out) ? out : t;
  }

  // Pass 4: single removals and scheduling changes to a fixpoint. Returns
  // true when a full round found nothing (the trace is 1-minimal).
  bool Sweep(Trace& t) {
    while (!stats_.budget_exhausted) {
      bool changed = false;
      for (const Trace& c : CallNeighbours(t)) {
        if (Same(c)) {
          t = c;
          changed = true;
          break;
        }
      }
      if (!changed) {
        for (const Trace& c : ScheduleNeighbours(t)) {
          if (Measure(c) < Measure(t) && Same(c)) {
            t = c;
            changed = true;
            break;
          }
        }
      }
      if (!changed) return !stats_.budget_exhausted;
    }
    return false;
  }

  // Pass 3: the canonical schedule, lowest ids, smallest sizes, policy knobs
  // back at their mainline default and `ignore:` bits dropped where the
  // finding does not need them (a crash file's header sets knobs at random).
  // Each change is confirmed by the oracle.
  Trace Canonical(Trace t) {
    auto try_accept = [&](const Trace& c) {
      if (c == t) return;
      if (AllCallsValid(c) && Same(c)) t = c;
    };
    try_accept(CanonicalSchedule(t));
    for (ObjClass cls : {ObjClass::kFile, ObjClass::kEvent, ObjClass::kIndex,
                         ObjClass::kPte, ObjClass::kPin})
      try_accept(RenumberClass(t, cls));
    for (const ConfigField& f : ConfigFields()) {
      if (f.is_policy || !f.values.empty()) continue;  // sizes only
      const int cur = f.get(t.config);
      for (int v = f.min; v < cur; ++v) {
        const Trace c = WithSize(t, f, v);
        if (!AllCallsValid(c)) continue;
        if (Same(c)) {
          t = c;
          break;
        }
      }
    }
    const Config mainline;
    for (const ConfigField& f : ConfigFields()) {
      if (!f.is_policy || f.get(t.config) == f.get(mainline)) continue;
      Trace c = t;
      f.set(c.config, f.get(mainline));
      try_accept(c);
    }
    for (int inv = 0; inv < 64; ++inv) {
      if (!t.config.ignored(inv)) continue;
      Trace c = t;
      c.config.ignore &= ~(uint64_t{1} << inv);
      try_accept(c);
    }
    return t;
  }

  const Oracle& oracle_;
  MinimizeOptions opts_;
  std::string target_;
  MinimizeStats stats_;
  std::map<std::string, std::string> cache_;
};

}  // namespace

absl::StatusOr<MinimizeResult> Minimize(const Trace& failing,
                                        const Oracle& oracle,
                                        const MinimizeOptions& opts) {
  return Minimizer(oracle, opts).Run(failing);
}

int NumCalls(const Trace& t) {
  int n = 0;
  for (const std::vector<Call>& calls : t.threads)
    n += static_cast<int>(calls.size());
  return n;
}

// The call each schedule entry executes a step of, found by replaying the
// schedule on the spec: an op's step count depends on the state (dput's fast
// path returns after one step), so it cannot be computed from StepsOf.
// -1 for an entry the replay does not execute: after a finding, or naming a
// thread that does not exist, is finished or is blocked.
std::vector<int> EntryCalls(const Trace& t) {
  std::vector<int> out(Edited(t).size(), -1);
  if (OnImplSchedule(t)) {
    // A replay that diverges maps nothing: the minimiser then keeps only
    // what it can confirm.
    ScheduleRun r;
    if (!RunSchedule(t, &r)) return out;
    const size_t n = std::min(out.size(), r.calls.size());
    for (size_t i = 0; i < n; ++i) out[i] = r.calls[i];
    return out;
  }
  SpecExec exec(t.config, t.threads);
  StepRecord rec;
  for (size_t i = 0; i < t.schedule.size(); ++i) {
    if (exec.finished()) break;
    const int th = t.schedule[i];
    if (th < 0 || th >= exec.num_threads()) break;
    RefillLoop(exec, t, th);
    if (exec.done(th) || !exec.TryStep(th, &rec)) break;
    out[i] = rec.call;
  }
  return out;
}

Trace RemoveCalls(const Trace& t, const std::vector<std::vector<bool>>& drop) {
  return RemoveCallsMapped(t, drop, EntryCalls(t));
}

Trace RemoveCallsMapped(const Trace& t,
                        const std::vector<std::vector<bool>>& drop,
                        const std::vector<int>& calls) {
  auto dropped = [&](size_t th, int c) {
    return th < drop.size() && c >= 0 &&
           static_cast<size_t>(c) < drop[th].size() && drop[th][c];
  };
  Trace out;
  out.config = t.config;
  out.expect = t.expect;
  out.judge = t.judge;
  out.faults = t.faults;
  // The other schedule (empty when the impl-schedule is edited; an
  // impl-schedule beside an edited spec schedule no longer fits).
  const bool on_impl = OnImplSchedule(t);
  const std::vector<int>& sched = Edited(t);
  std::vector<int>& out_sched = on_impl ? out.impl_schedule : out.schedule;
  std::vector<int> renum(t.threads.size(), -1);
  for (size_t th = 0; th < t.threads.size(); ++th) {
    std::vector<Call> kept;
    for (size_t c = 0; c < t.threads[th].size(); ++c)
      if (!dropped(th, static_cast<int>(c))) kept.push_back(t.threads[th][c]);
    if (kept.empty() && t.loop(static_cast<int>(th)).empty()) continue;
    renum[th] = static_cast<int>(out.threads.size());
    out.threads.push_back(std::move(kept));
    out.thread_names.push_back(th < t.thread_names.size()
                                   ? t.thread_names[th]
                                   : absl::StrCat("T", th));
  }
  // A lasso keeps its loops and its cycle, renumbered.
  if (!t.loops.empty()) {
    out.loops.assign(out.threads.size(), {});
    for (size_t th = 0; th < t.threads.size(); ++th)
      if (renum[th] >= 0) out.loops[renum[th]] = t.loop(static_cast<int>(th));
  }
  for (int th : t.cycle)
    if (th >= 0 && static_cast<size_t>(th) < renum.size() && renum[th] >= 0)
      out.cycle.push_back(renum[th]);
  for (size_t i = 0; i < sched.size(); ++i) {
    const int th = sched[i];
    if (th < 0 || static_cast<size_t>(th) >= t.threads.size()) continue;
    if (renum[th] < 0 || i >= calls.size() || calls[i] < 0 ||
        dropped(th, calls[i]))
      continue;
    out_sched.push_back(renum[th]);
  }
  return out;
}

std::vector<Trace> CallNeighbours(const Trace& t) {
  std::vector<Trace> out;
  const std::vector<int> entry_calls = EntryCalls(t);
  for (size_t th = 0; th < t.threads.size(); ++th) {
    for (size_t c = 0; c < t.threads[th].size(); ++c) {
      std::vector<std::vector<bool>> drop(t.threads.size());
      drop[th].assign(t.threads[th].size(), false);
      drop[th][c] = true;
      out.push_back(RemoveCallsMapped(t, drop, entry_calls));
    }
  }
  return out;
}

std::vector<Trace> ScheduleNeighbours(const Trace& t) {
  std::vector<Trace> out;
  const std::vector<Run> runs = Runs(Edited(t));
  auto with = [&](const std::vector<Run>& r) {
    Trace c = t;
    Edited(c) = Expand(r);
    c.schedule_pos.clear();
    out.push_back(std::move(c));
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<Run> r = runs;
    r.erase(r.begin() + i);
    with(r);
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    size_t j = i + 1;
    while (j < runs.size() && runs[j].thread != runs[i].thread) ++j;
    if (j >= runs.size()) continue;
    // Later run moved up next to the earlier one.
    std::vector<Run> up(runs.begin(), runs.begin() + i + 1);
    up.push_back(runs[j]);
    up.insert(up.end(), runs.begin() + i + 1, runs.begin() + j);
    up.insert(up.end(), runs.begin() + j + 1, runs.end());
    with(up);
    // Earlier run moved down next to the later one.
    std::vector<Run> down(runs.begin(), runs.begin() + i);
    down.insert(down.end(), runs.begin() + i + 1, runs.begin() + j);
    down.push_back(runs[i]);
    down.insert(down.end(), runs.begin() + j, runs.end());
    with(down);
  }
  return out;
}

bool IsOneMinimal(const Trace& t, const std::string& verdict,
                  const Oracle& oracle) {
  for (const Trace& c : CallNeighbours(t))
    if (oracle(c) == verdict) return false;
  for (const Trace& c : ScheduleNeighbours(t))
    if (oracle(c) == verdict) return false;
  return true;
}

Trace CanonicalSchedule(const Trace& t) {
  std::vector<int> seq;
  if (!ExecutedThreads(t, &seq)) return t;
  Trace c = t;
  c.schedule_pos.clear();
  for (size_t p = 0; p <= seq.size(); ++p) {
    Edited(c).assign(seq.begin(), seq.begin() + p);
    std::vector<int> got;
    if (ExecutedThreads(c, &got) && got == seq) return c;
  }
  return t;
}

}  // namespace lifecheck
