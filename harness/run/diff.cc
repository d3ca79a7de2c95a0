#include "harness/run/diff.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/no_coverage.h"
#include "harness/run/abstraction.h"
#include "harness/run/impl_call.h"
#include "harness/run/spec_run.h"
#include "impl/kernel.h"
#include "impl/sync.h"

namespace lifecheck {

struct DiffRunner::State {
  explicit State(const Config& cfg) : kernel(cfg), exec(cfg) {}
  impl::Kernel kernel;
  Config cfg;
  SpecExec exec;  // the spec side: the call-order view of the spec run
  // Abstract(kernel) at the last call boundary, kept up to date object by
  // object: a call re-abstracts only what the impl wrote and compares only
  // what either side wrote (the rest agreed at the last boundary). After
  // Reset the first call does both in full, so that Reset itself is
  // compared too.
  CWorld abs{};
  bool abs_exact = false;
  std::vector<int> schedule;  // spec thread per step taken

  // InitWorld(cfg) and whether it passes the always-invariants, for the
  // last configuration (a fuzzer pins one, or changes it rarely).
  bool init_valid = false;
  Config init_cfg;
  Touched used;  // UsedSlots(init_cfg)
  CWorld init{};
  CWorld init_abs{};  // SpecWorldAtBoundary(init)
  bool init_clean = false;

  LC_NO_COVERAGE void Reset(const Config& c, const Faults& f) {
    cfg = c;
    kernel.Reset(c);
    kernel.set_faults(f);
    if (!init_valid || !(init_cfg == c)) {
      init_cfg = c;
      used = UsedSlots(c);
      init = InitWorld(c);
      init_abs = SpecWorldAtBoundary(init);
      init_clean = CheckAlwaysInvariants(c, init) == Inv::kNone;
      init_valid = true;
    }
    // A clean initial world needs no full check at the first step.
    exec.Reset(c, init, init_clean);
    abs = init_abs;  // unused slots: see AbstractUsedInto
    abs_exact = false;
    schedule.clear();
  }

  // Runs `call` on the impl; the objects it wrote are added to `*written`
  // (every object on the first call after Reset: `abs` does not hold the
  // reset kernel yet, and the first comparison covers it all).
  LC_NO_COVERAGE CallEnd ImplCall(int t, const Call& call, Touched* written,
                                  std::string_view* wait_step) {
    CallEnd end;
    impl::sync::NonblockingScope nonblocking;
    impl::sync::WriteLogScope log;
    try {
      end.ret = CallImpl(kernel, t, call);
      // An idle work item returns instead of throwing (wait_for_work).
      if (const char* idle = impl::sync::TakeIdleBlock()) {
        end.blocked = true;
        *wait_step = idle;
      }
    } catch (const impl::sync::WouldBlock& wb) {
      end.blocked = true;
      *wait_step = wb.step;
    }
    if (!abs_exact || !ImplFootprint(kernel, log.log(), written))
      *written = Touched::All();
    return end;
  }

  // Brings `abs` up to date after a call and compares it with the spec.
  LC_NO_COVERAGE bool AbstractAndCompare(const Touched& spec_wrote,
                                         Touched impl_wrote) {
    impl_wrote &= used;
    Touched compare = spec_wrote;
    compare &= used;
    compare |= impl_wrote;
    AbstractTouchedInto(kernel, impl_wrote, &abs);
    abs_exact = true;
    const bool eq = AbstractTouchedEquals(compare, abs, exec.world());
#ifndef NDEBUG
    // The incremental abstraction and comparison are the full ones.
    CWorld full = abs;
    AbstractUsedInto(kernel, &full);
    LC_CHECK(AbstractUsedEquals(cfg, full, abs));
    LC_CHECK(eq == AbstractUsedEquals(cfg, full, exec.world()));
#endif
    return eq;
  }
};

DiffRunner::DiffRunner() = default;
DiffRunner::~DiffRunner() = default;

std::string DiffVerdict(const DiffOutcome& o) {
  return o.inv == Inv::kNone ? "clean" : std::string(InvId(o.inv));
}

namespace {

std::string CallLabel(int index, int thread, const Call& c) {
  return absl::StrCat("call ", index + 1, " (T", thread, " ", PrintCall(c),
                      ")");
}

}  // namespace

// The shared loop: the call-order spec run, with the impl call and the
// comparison in its after-call hook. `part` (where the sides part) filled
// only when `full`.
LC_NO_COVERAGE static Inv RunLoop(DiffRunner::State& s, CallSource& src,
                                  bool full, bool contracts, DiffOutcome* o) {
  CallOrderOptions opts;
  opts.contracts = contracts;
  opts.footprints = true;
  opts.schedule = &s.schedule;
  if (full) opts.run = &o->run;
  int index = 0;
  const CallOrderEnd end = RunCallOrderWith(
      s.exec, src, opts,
      [&](int t, const Call& call, const CallEnd& spec,
          const Touched& spec_wrote) LC_NO_COVERAGE {
        const int i = index++;
        Touched impl_wrote;
        std::string_view impl_step;
        const CallEnd impl = s.ImplCall(t, call, &impl_wrote, &impl_step);
        const std::string_view spec_step =
            spec.blocked ? StepName(spec.step) : std::string_view();
        auto fail = [&](Inv inv, std::vector<std::string> fields = {}) {
          if (!full) return inv;
          DiffPart& p = o->part;
          p.call_index = i;
          p.thread = t;
          p.call = call;
          p.spec_blocked = spec.blocked;
          p.impl_blocked = impl.blocked;
          p.spec_step = std::string(spec_step);
          p.impl_step = std::string(impl_step);
          p.spec_ret = spec.ret;
          p.impl_ret = impl.ret;
          p.fields = std::move(fields);
          return inv;
        };
        if (spec.blocked != impl.blocked || spec_step != impl_step)
          return fail(Inv::kDiffBlock);
        if (!spec.blocked && spec.ret != impl.ret)
          return fail(Inv::kDiffResult);
        if (!s.AbstractAndCompare(spec_wrote, impl_wrote)) {
          if (!full) return Inv::kDiffState;
          return fail(Inv::kDiffState,
                      DiffWorlds(SpecWorldAtBoundary(s.exec.world()), s.abs));
        }
        // Both blocked at the same step in equal states: the run ends here
        // (RunCallOrderWith stops at a blocked call), clean: impl and spec
        // agree. Whether it is a DEADLOCK is the spec's question.
        if (spec.blocked) return Inv::kNone;
        // Equal states: the impl's always-invariants (and CheckQuiescent's
        // conservation group, which restates them) are the spec's, checked
        // by ExecStep after every step; the allocator group is covered by
        // the comparison (page st comes from the free bitmap, map[] is
        // compared). What only the impl has: its locks and sleepers.
        const bool released = s.kernel.LocksReleasedIn(
            impl_wrote.d, impl_wrote.ino, impl_wrote.pg);
#ifndef NDEBUG
        LC_CHECK(released == s.kernel.LocksReleased());
#endif
        if (released) return Inv::kNone;
        std::vector<std::string> why;
        for (const auto& f :
             s.kernel.CheckQuiescent(impl::Kernel::kLocksAndSleepers))
          why.push_back(
              absl::StrCat("impl CheckQuiescent: ", f.check, ": ", f.detail));
        return fail(Inv::kDiffState, std::move(why));
      });
  o->calls_run = end.calls_run;
  o->skipped = end.skipped;
  o->last_thread = end.last_thread;
  o->last_call = end.last_call;
  o->blocked = end.blocked && end.inv == Inv::kNone;
  return end.inv;
}

LC_NO_COVERAGE Inv DiffRunner::RunFast(const Config& cfg, CallSource& src) {
  if (!s_) s_ = std::make_unique<State>(cfg);
  s_->Reset(cfg, faults_);
  last_.calls_run = 0;
  last_.blocked = false;
  last_.skipped = 0;
  last_.inv = RunLoop(*s_, src, /*full=*/false, contracts_, &last_);
  return last_.inv;
}

LC_NO_COVERAGE Inv DiffRunner::RunFast(const Config& cfg,
                                       const ThreadCall* calls, int n) {
  ArraySource src(calls, static_cast<size_t>(n));
  return RunFast(cfg, src);
}

namespace {

// The detail line of a finding, from where the sides part.
std::string PartDetail(Inv inv, const DiffPart& p) {
  const std::string at = CallLabel(p.call_index, p.thread, p.call);
  auto side = [](bool blocked, const std::string& step, int ret) {
    return blocked ? absl::StrCat("blocked at ", step)
                   : absl::StrCat("returned ", ret);
  };
  switch (inv) {
    case Inv::kDiffBlock:
      return absl::StrCat(
          at, ": spec ", side(p.spec_blocked, p.spec_step, p.spec_ret),
          ", impl ", side(p.impl_blocked, p.impl_step, p.impl_ret));
    case Inv::kDiffResult:
      return absl::StrCat(at, ": spec returned ", p.spec_ret, ", impl ",
                          p.impl_ret);
    case Inv::kDiffState:
      return absl::StrCat(at, ": Abstract(impl) differs (spec -> impl):\n  ",
                          absl::StrJoin(p.fields, "\n  "));
    default:
      return "";
  }
}

}  // namespace

DiffOutcome DiffRunner::Run(const Config& cfg,
                            const std::vector<ThreadCall>& calls) {
  if (!s_) s_ = std::make_unique<State>(cfg);
  s_->Reset(cfg, faults_);
  DiffOutcome o;
  o.faults = faults_;
  ArraySource src(calls);
  o.inv = RunLoop(*s_, src, /*full=*/true, contracts_, &o);
  o.detail = PartDetail(o.inv, o.part);
  // The replayable, self-describing trace of the calls run (dense thread
  // numbering).
  Trace& t = o.trace;
  t.config = cfg;
  t.judge = Judge::kDiff;
  t.faults = faults_;
  for (const ThreadCall& c : o.run) {
    if (static_cast<int>(t.threads.size()) <= c.thread)
      t.threads.resize(c.thread + 1);
    t.threads[c.thread].push_back(c.call);
  }
  for (size_t th = 0; th < t.threads.size(); ++th)
    t.thread_names.push_back(absl::StrCat("T", th));
  t.schedule = s_->schedule;
  if (!(o.blocked && o.inv == Inv::kNone)) t.expect = DiffVerdict(o);
  last_ = o;
  return o;
}

absl::StatusOr<std::vector<ThreadCall>> CallAtomicOrder(
    const Trace& t, const std::string& filename) {
  // An impl-schedule without a spec schedule records a run whose steps
  // overlapped: its spec order is unknown, not the sequential one.
  if (!t.impl_schedule.empty() && t.schedule.empty())
    return absl::InvalidArgumentError(
        filename +
        ":1:1: an impl-schedule without a schedule has no "
        "call-atomic spec order (replay it with explore "
        "--strategy replay)");
  absl::StatusOr<RunResult> r =
      RunTrace(t, filename, {.record_changes = false});
  if (!r.ok()) return r.status();
  std::vector<ThreadCall> out;
  std::vector<std::vector<bool>> started(t.threads.size());
  for (size_t th = 0; th < t.threads.size(); ++th)
    started[th].assign(t.threads[th].size(), false);
  int cur_thread = -1, cur_call = -1;
  bool cur_open = false;
  for (size_t i = 0; i < r->steps.size(); ++i) {
    const StepRecord& s = r->steps[i];
    const bool same = s.thread == cur_thread && s.call == cur_call;
    if (!same) {
      if (cur_open || started[s.thread][s.call]) {
        SrcPos pos;
        if (i < t.schedule_pos.size()) pos = t.schedule_pos[i];
        return absl::InvalidArgumentError(absl::StrCat(
            filename, ":", pos.line, ":", pos.col, ": schedule entry ", i + 1,
            " interleaves inside a call (thread ",
            cur_thread >= 0 ? t.thread_names[cur_thread] : "?",
            "'s call is unfinished); the differential runner needs "
            "call-atomic schedules"));
      }
      started[s.thread][s.call] = true;
      out.push_back(ThreadCall{s.thread, t.threads[s.thread][s.call]});
      cur_thread = s.thread;
      cur_call = s.call;
    }
    cur_open = !s.call_returned;
  }
  // Calls blocked at their first step (a deadlock) run last: they block.
  for (const BlockedAt& b : r->blocked)
    if (!started[b.thread][b.call])
      out.push_back(ThreadCall{b.thread, t.threads[b.thread][b.call]});
  return out;
}

absl::StatusOr<DiffOutcome> RunDiffTrace(const Trace& t,
                                         const std::string& filename) {
  absl::StatusOr<std::vector<ThreadCall>> calls = CallAtomicOrder(t, filename);
  if (!calls.ok()) return calls.status();
  DiffRunner runner;
  runner.set_faults(t.faults);
  DiffOutcome o = runner.Run(t.config, *calls);
  // Keep the trace's own names for the report: the run numbers threads by
  // their first call, CallAtomicOrder keeps the trace's numbering.
  std::vector<int> orig;
  for (const ThreadCall& c : *calls)
    if (std::find(orig.begin(), orig.end(), c.thread) == orig.end())
      orig.push_back(c.thread);
  for (size_t i = 0; i < o.trace.thread_names.size() && i < orig.size(); ++i)
    if (orig[i] < static_cast<int>(t.thread_names.size()))
      o.trace.thread_names[i] = t.thread_names[orig[i]];
  return o;
}

}  // namespace lifecheck
