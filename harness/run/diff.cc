#include "harness/run/diff.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/no_coverage.h"
#include "harness/run/abstraction.h"
#include "harness/run/call_contract.h"
#include "harness/run/impl_call.h"
#include "harness/run/replay.h"
#include "spec/step_table.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// How a call ended on one side.
struct CallEnd {
  bool blocked = false;
  std::string_view step;  // the disabled spec step / the impl's wait label
  int ret = 0;
};

}  // namespace

struct DiffRunner::State {
  explicit State(const Config& cfg) : kernel(cfg) {}
  impl::Kernel kernel;
  Config cfg;
  CWorld spec{};
  // Abstract(kernel) at the last call boundary, kept up to date object by
  // object: a call re-abstracts only what the impl wrote and compares only
  // what either side wrote (the rest agreed at the last boundary). After
  // Reset the first call does both in full, so that Reset itself is
  // compared too.
  CWorld abs{};
  bool abs_exact = false;
  std::vector<int> schedule;  // spec thread per step taken
  std::array<int, kMaxThreads> dense{};
  // The spec world has passed the full always-invariant check since Reset
  // (the first step of a run checks InitWorld's objects too); later steps
  // check only what they touch (spec/step_table.h ExecStepTouched).
  bool checked = false;
  static constexpr int kMaxStepsPerCall = 10000;

  // InitWorld(cfg) and whether it passes the always-invariants, for the
  // last configuration (a fuzzer pins one, or changes it rarely).
  bool init_valid = false;
  Config init_cfg;
  CWorld init{};
  CWorld init_abs{};  // SpecWorldAtBoundary(init)
  bool init_clean = false;

  LC_NO_COVERAGE void Reset(const Config& c, const impl::Faults& f) {
    cfg = c;
    kernel.Reset(c);
    kernel.set_faults(f);
    if (!init_valid || !(init_cfg == c)) {
      init_cfg = c;
      init = InitWorld(c);
      init_abs = SpecWorldAtBoundary(init);
      init_clean = CheckAlwaysInvariants(c, init) == Inv::kNone;
      init_valid = true;
    }
    spec = init;
    abs = init_abs;  // unused slots: see AbstractUsedInto
    abs_exact = false;
    schedule.clear();
    // A clean initial world needs no full check at the first step.
    checked = init_clean;
  }

  // Runs `call` of thread t on the spec, step by step (the sequential
  // schedule), until it returns, blocks or violates an invariant. The
  // objects its steps wrote are added to `*written`.
  LC_NO_COVERAGE CallEnd SpecCall(int t, const Call& call, Touched* written) {
    const std::vector<Step>& steps_of = StepsOf(call.op, cfg);
    const int len = static_cast<int>(steps_of.size());
    Insn insn{call.op, steps_of[0], 0,        static_cast<int16_t>(len),
              0,       0,           call.args};
    spec.th[t].pc = 0;  // pcs are call-relative here (base 0)
    CallEnd end;
    int call_steps = 0;
    for (;;) {
      const int pc = spec.th[t].pc;
      if (pc >= len) {
        end.ret = spec.th[t].ret;
        return end;
      }
      insn.step = steps_of[pc];
      insn.k = static_cast<int16_t>(pc);
      Machine<Concrete> m(spec, cfg, insn, t);
      if (checked) {
        ExecStepTouched(m, written);
      } else {
        ExecStep(m);
        checked = !m.blocked();
        *written = Touched::All();
      }
      if (m.blocked()) {
        end.blocked = true;
        end.step = StepName(insn.step);
        return end;
      }
      schedule.push_back(t);
      // Every op is a short program: a call this long is a spec loop.
      LC_CHECK(++call_steps < kMaxStepsPerCall);
      if (spec.violation != 0) return end;
    }
  }

  // Runs `call` on the impl; the objects it wrote are added to `*written`
  // (every object on the first call after Reset: `abs` does not hold the
  // reset kernel yet, and the first comparison covers it all).
  LC_NO_COVERAGE CallEnd ImplCall(int t, const Call& call, Touched* written) {
    CallEnd end;
    impl::sync::NonblockingScope nonblocking;
    impl::sync::WriteLogScope log;
    try {
      end.ret = CallImpl(kernel, t, call);
    } catch (const impl::sync::WouldBlock& wb) {
      end.blocked = true;
      end.step = wb.step;
    }
    if (!abs_exact || !ImplFootprint(kernel, log.log(), written))
      *written = Touched::All();
    return end;
  }

  // Brings `abs` up to date after a call and compares it with the spec.
  LC_NO_COVERAGE bool AbstractAndCompare(const Touched& spec_wrote,
                                         const Touched& impl_wrote) {
    Touched compare = spec_wrote;
    compare |= impl_wrote;
    AbstractTouchedInto(kernel, impl_wrote, &abs);
    abs_exact = true;
    const bool eq = AbstractTouchedEquals(cfg, compare, abs, spec);
#ifndef NDEBUG
    // The incremental abstraction and comparison are the full ones.
    CWorld full = abs;
    AbstractUsedInto(kernel, &full);
    LC_CHECK(AbstractUsedEquals(cfg, full, abs));
    LC_CHECK(eq == AbstractUsedEquals(cfg, full, spec));
#endif
    return eq;
  }
};

DiffRunner::DiffRunner() = default;
DiffRunner::~DiffRunner() = default;

namespace {

struct FaultKnob {
  std::string_view name;
  bool impl::Faults::*flag;
};
constexpr FaultKnob kFaultKnobs[] = {
    {"unpin_drops_one", &impl::Faults::unpin_drops_one},
    {"truncate_skips_wait", &impl::Faults::truncate_skips_wait},
    {"dma_reports_efault", &impl::Faults::dma_reports_efault},
};

}  // namespace

bool AddFaultByName(std::string_view name, impl::Faults* f) {
  for (const FaultKnob& k : kFaultKnobs) {
    if (name == k.name) {
      f->*k.flag = true;
      return true;
    }
  }
  return false;
}

std::string KnownFaultNames() {
  std::string out;
  for (const FaultKnob& k : kFaultKnobs)
    absl::StrAppend(&out, out.empty() ? "" : ", ", A(k.name));
  return out;
}

std::string FaultNames(const impl::Faults& f) {
  std::string out;
  for (const FaultKnob& k : kFaultKnobs)
    if (f.*k.flag) absl::StrAppend(&out, out.empty() ? "" : ",", A(k.name));
  return out;
}

std::string FaultFlags(const impl::Faults& f) {
  std::string out;
  for (const FaultKnob& k : kFaultKnobs)
    if (f.*k.flag) absl::StrAppend(&out, " --fault ", A(k.name));
  return out;
}

std::string DiffVerdict(const DiffOutcome& o) {
  return o.inv == Inv::kNone ? "clean" : std::string(InvId(o.inv));
}

namespace {

std::string CallLabel(int index, int thread, const Call& c) {
  return absl::StrCat("call ", index + 1, " (T", thread, " ", PrintCall(c),
                      ")");
}

}  // namespace

// The shared loop; `detail` filled only when `full`.
LC_NO_COVERAGE static Inv RunLoop(DiffRunner::State& s, CallSource& src,
                                  bool full, bool contracts, DiffOutcome* o) {
  s.dense.fill(-1);
  int next_dense = 0;
  DiffCall dc;
  while (src.Next(&dc)) {
    LC_CHECK(dc.thread >= 0 && dc.thread < kMaxThreads);
    // A thread not started yet is judged as the next one: it holds nothing.
    const int t = s.dense[dc.thread] >= 0 ? s.dense[dc.thread] : next_dense;
    // The contracts read ghost holders only (never pcs), so the spec world
    // between calls is the world RunCallOrder judges them on.
    if (contracts && !CallerContractHolds(s.spec, s.cfg, t, dc.call)) {
      ++o->skipped;
      continue;
    }
    if (t == next_dense) s.dense[dc.thread] = next_dense++;
    const int i = o->calls_run++;
    if (full) o->run.push_back({t, dc.call});
    o->last_thread = t;
    o->last_call = dc.call;
    Touched spec_wrote, impl_wrote;
    const CallEnd spec = s.SpecCall(t, dc.call, &spec_wrote);
    if (s.spec.violation != 0) return static_cast<Inv>(s.spec.violation);
    const CallEnd impl = s.ImplCall(t, dc.call, &impl_wrote);
    auto fail = [&](Inv inv, std::string why) {
      if (full) o->detail = absl::StrCat(CallLabel(i, t, dc.call), ": ", why);
      return inv;
    };
    if (spec.blocked != impl.blocked || spec.step != impl.step) {
      return fail(
          Inv::kDiffBlock,
          absl::StrCat("spec ",
                       spec.blocked ? absl::StrCat("blocked at ", A(spec.step))
                                    : absl::StrCat("returned ", spec.ret),
                       ", impl ",
                       impl.blocked ? absl::StrCat("blocked at ", A(impl.step))
                                    : absl::StrCat("returned ", impl.ret)));
    }
    if (!spec.blocked && spec.ret != impl.ret)
      return fail(Inv::kDiffResult, absl::StrCat("spec returned ", spec.ret,
                                                 ", impl ", impl.ret));
    if (!s.AbstractAndCompare(spec_wrote, impl_wrote)) {
      if (!full) return Inv::kDiffState;
      return fail(
          Inv::kDiffState,
          absl::StrCat(
              "Abstract(impl) differs (spec -> impl):\n  ",
              absl::StrJoin(DiffWorlds(SpecWorldAtBoundary(s.spec), s.abs),
                            "\n  ")));
    }
    if (spec.blocked) {
      // Both blocked at the same step in equal states: the run ends here,
      // clean (impl and spec agree). Whether it is a DEADLOCK is the spec's
      // question (RunTrace answers it when nothing can unblock the call).
      o->blocked = true;
      return Inv::kNone;
    }
    // Equal states: the impl's always-invariants (and CheckQuiescent's
    // conservation group, which restates them) are the spec's, checked by
    // ExecStep after every step; the allocator group is covered by the
    // comparison (page st comes from the free bitmap, map[] is compared).
    // What only the impl has: its locks and sleepers.
    const bool released =
        s.kernel.LocksReleasedIn(impl_wrote.d, impl_wrote.ino, impl_wrote.pg);
#ifndef NDEBUG
    LC_CHECK(released == s.kernel.LocksReleased());
#endif
    if (!released) {
      std::string why = "impl CheckQuiescent failed:";
      for (const auto& f :
           s.kernel.CheckQuiescent(impl::Kernel::kLocksAndSleepers))
        absl::StrAppend(&why, "\n  ", f.check, ": ", f.detail);
      return fail(Inv::kDiffState, why);
    }
  }
  return Inv::kNone;
}

namespace {

class ArraySource : public CallSource {
 public:
  ArraySource(const DiffCall* calls, int n) : calls_(calls), n_(n) {}
  LC_NO_COVERAGE bool Next(DiffCall* out) override {
    if (i_ >= n_) return false;
    *out = calls_[i_++];
    return true;
  }

 private:
  const DiffCall* calls_;
  int n_;
  int i_ = 0;
};

}  // namespace

LC_NO_COVERAGE Inv DiffRunner::RunFast(const Config& cfg, CallSource& src) {
  if (!s_) s_ = std::make_unique<State>(cfg);
  s_->Reset(cfg, faults_);
  last_.calls_run = 0;
  last_.blocked = false;
  last_.skipped = 0;
  last_.inv = RunLoop(*s_, src, /*full=*/false, contracts_, &last_);
  return last_.inv;
}

LC_NO_COVERAGE Inv DiffRunner::RunFast(const Config& cfg, const DiffCall* calls,
                                       int n) {
  ArraySource src(calls, n);
  return RunFast(cfg, src);
}

DiffOutcome DiffRunner::Run(const Config& cfg,
                            const std::vector<DiffCall>& calls) {
  if (!s_) s_ = std::make_unique<State>(cfg);
  s_->Reset(cfg, faults_);
  DiffOutcome o;
  o.faults = faults_;
  ArraySource src(calls.data(), static_cast<int>(calls.size()));
  o.inv = RunLoop(*s_, src, /*full=*/true, contracts_, &o);
  // The replayable trace of the calls run (dense thread numbering).
  Trace& t = o.trace;
  t.config = cfg;
  for (const DiffCall& c : o.run) {
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

absl::StatusOr<std::vector<DiffCall>> CallAtomicOrder(
    const Trace& t, const std::string& filename) {
  // An impl-schedule without a spec schedule records a run whose steps
  // overlapped: its spec order is unknown, not the sequential one.
  if (!t.impl_schedule.empty() && t.schedule.empty())
    return absl::InvalidArgumentError(
        filename +
        ":1:1: an impl-schedule without a schedule has no "
        "call-atomic spec order (replay it with explore "
        "--strategy replay)");
  absl::StatusOr<RunResult> r = RunTrace(t, filename);
  if (!r.ok()) return r.status();
  std::vector<DiffCall> out;
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
      out.push_back(DiffCall{s.thread, t.threads[s.thread][s.call]});
      cur_thread = s.thread;
      cur_call = s.call;
    }
    cur_open = !s.call_returned;
  }
  // Calls blocked at their first step (a deadlock) run last: they block.
  for (const BlockedAt& b : r->blocked)
    if (!started[b.thread][b.call])
      out.push_back(DiffCall{b.thread, t.threads[b.thread][b.call]});
  return out;
}

absl::StatusOr<DiffOutcome> RunDiffTrace(const Trace& t,
                                         const std::string& filename,
                                         const impl::Faults& faults) {
  absl::StatusOr<std::vector<DiffCall>> calls = CallAtomicOrder(t, filename);
  if (!calls.ok()) return calls.status();
  DiffRunner runner;
  runner.set_faults(faults);
  DiffOutcome o = runner.Run(t.config, *calls);
  // Keep the trace's own names for the report.
  for (size_t i = 0; i < o.trace.thread_names.size(); ++i) {
    int orig = -1, seen = 0;
    std::array<bool, kMaxThreads> s{};
    for (const DiffCall& c : *calls) {
      if (!s[c.thread]) {
        s[c.thread] = true;
        if (seen++ == static_cast<int>(i)) {
          orig = c.thread;
          break;
        }
      }
    }
    if (orig >= 0 && orig < static_cast<int>(t.thread_names.size()))
      o.trace.thread_names[i] = t.thread_names[orig];
  }
  return o;
}

}  // namespace lifecheck
