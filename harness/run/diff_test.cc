// The differential runner: the impl agrees with the spec on every
// call-atomic corpus trace and on random call sequences over a grid of
// configurations and policies; an injected impl bug is found.
#include "harness/run/diff.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/findings/report.h"
#include "harness/run/abstraction.h"
#include "harness/run/call_order.h"
#include "harness/run/impl_call.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "spec/step_table.h"

namespace lifecheck {
namespace {

bool IsDiff(Inv i) {
  return i == Inv::kDiffResult || i == Inv::kDiffState || i == Inv::kDiffBlock;
}

// A random valid call for `cfg`, or false if the op has no valid arguments.
bool RandomCall(std::mt19937& rng, const Config& cfg, Call* out) {
  const Op op = static_cast<Op>(rng() % static_cast<int>(Op::kCount));
  const OpInfo& info = GetOpInfo(op);
  Call c;
  c.op = op;
  for (int k = 0; k < info.nargs; ++k) {
    const auto [lo, hi] = ArgRangeOf(info.arg_kinds[k], cfg);
    if (hi < lo) return false;
    c.args[k] = static_cast<int16_t>(lo + rng() % (hi - lo + 1));
  }
  *out = c;
  return true;
}

std::vector<ThreadCall> RandomCalls(std::mt19937& rng, const Config& cfg, int n,
                                    int threads) {
  std::vector<ThreadCall> calls;
  while (static_cast<int>(calls.size()) < n) {
    Call c;
    if (!RandomCall(rng, cfg, &c)) continue;
    // Bias towards the ops that build state: a third are faults or pins.
    if (rng() % 3 == 0 && cfg.ptes > 0) {
      const Op op = cfg.pins > 0 && rng() % 2 ? Op::kPin : Op::kFault;
      Call f;
      if (op == Op::kPin) {
        f.op = op;
        f.args = {static_cast<int16_t>(rng() % cfg.pins),
                  static_cast<int16_t>(rng() % cfg.ptes), 0};
        c = f;
      } else if (cfg.files > 0 && cfg.pages > 0) {
        f.op = op;
        f.args = {static_cast<int16_t>(rng() % cfg.ptes),
                  static_cast<int16_t>(1 + rng() % cfg.files),
                  static_cast<int16_t>(rng() % cfg.pages)};
        c = f;
      }
    }
    calls.push_back(ThreadCall{static_cast<int>(rng() % threads), c});
  }
  return calls;
}

// Every policy knob's every value on top of a base of each fs kind.
std::vector<Config> ConfigGrid() {
  std::vector<Config> out;
  for (FsKind fs : {FsKind::kLibfs, FsKind::kDisk, FsKind::kDax}) {
    Config base;
    base.fs = fs;
    base.files = 2;
    base.pages = 2;
    base.spare = 2;
    base.ptes = 3;
    base.pins = fs == FsKind::kLibfs ? 0 : 2;
    base.events = 1;
    out.push_back(base);
    for (const ConfigField& f : ConfigFields()) {
      if (!f.is_policy) continue;
      const int n = f.values.empty() ? 0 : static_cast<int>(f.values.size());
      for (int v = 0; v < n; ++v) {
        if (v == f.get(base)) continue;
        Config c = base;
        f.set(c, v);
        if (ValidateConfig(c).empty()) out.push_back(c);
      }
    }
  }
  // Combinations the historic variants need together.
  for (const Config& c : out) EXPECT_EQ(ValidateConfig(c), "");
  Config lease = out.back();
  lease.fs = FsKind::kDax;
  lease.policy.dax_truncate_mechanism = DaxTruncateMechanism::kFlAllocatedLease;
  out.push_back(lease);
  lease.policy.lease_break_refs = LeaseBreakRefs::kPutBeforeUnlink;
  out.push_back(lease);
  Config one = out.back();
  one.fs = FsKind::kDax;
  one.policy.dax_ref_base = DaxRefBase::kOneBased;
  one.policy.dax_truncate = DaxTruncatePolicy::kSequester;
  out.push_back(one);
  return out;
}

std::string Show(const DiffOutcome& o) {
  return o.detail + "\n" + PrintTrace(o.trace);
}

TEST(DiffRandom, ImplAgreesWithSpecOnAGridOfConfigurations) {
  DiffRunner runner;
  int runs = 0, findings = 0, blocked = 0;
  for (const Config& cfg : ConfigGrid()) {
    std::mt19937 rng(12345);
    // LIFECHECK_DIFF_SEEDS=N runs longer (the default keeps the unit tier
    // fast).
    const char* env = std::getenv("LIFECHECK_DIFF_SEEDS");
    const int seeds = env ? std::atoi(env) : 150;
    for (int seed = 0; seed < seeds; ++seed) {
      const auto calls = RandomCalls(rng, cfg, 4 + rng() % 24, 3);
      const DiffOutcome o = runner.Run(cfg, calls);
      ++runs;
      findings += o.inv != Inv::kNone;
      blocked += o.blocked;
      ASSERT_FALSE(IsDiff(o.inv)) << Show(o);
      // RunFast agrees with Run.
      ASSERT_EQ(runner.RunFast(cfg, calls.data(), calls.size()), o.inv);
    }
  }
  // The grid must exercise something: spec findings and blocked runs occur.
  EXPECT_GT(findings, 0);
  EXPECT_GT(blocked, 0);
  RecordProperty("runs", runs);
  std::printf("diff grid: %d runs, %d spec findings, %d ended blocked\n", runs,
              findings, blocked);
}

// With every state invariant ignored the runs go on past the first
// violation, deep into states no correct kernel reaches (negative counts,
// freed blocks still pinned): the impl must still track the spec exactly.
TEST(DiffRandom, ImplAgreesPastViolations) {
  DiffRunner runner;
  uint64_t all = 0;
  for (int i = 1; i < static_cast<int>(Inv::kDeadlock); ++i)
    all |= uint64_t{1} << i;
  const char* env = std::getenv("LIFECHECK_DIFF_SEEDS");
  const int seeds = env ? std::atoi(env) : 100;
  int calls_run = 0;
  for (Config cfg : ConfigGrid()) {
    cfg.ignore = all;
    std::mt19937 rng(999);
    for (int seed = 0; seed < seeds; ++seed) {
      const auto calls = RandomCalls(rng, cfg, 10 + rng() % 30, 3);
      const DiffOutcome o = runner.Run(cfg, calls);
      calls_run += o.calls_run;
      ASSERT_FALSE(IsDiff(o.inv)) << Show(o);
    }
  }
  std::printf("diff past violations: %d calls\n", calls_run);
}

// Each outcome's trace replays: --diff on its text gives the same verdict.
TEST(DiffRandom, OutcomeTraceReplays) {
  DiffRunner runner;
  std::mt19937 rng(7);
  const std::vector<Config> grid = ConfigGrid();
  for (int i = 0; i < 200; ++i) {
    const Config& cfg = grid[rng() % grid.size()];
    const DiffOutcome o = runner.Run(cfg, RandomCalls(rng, cfg, 10, 2));
    if (o.trace.expect.empty()) continue;  // ended blocked with calls left
    absl::StatusOr<Trace> t = ParseTrace(PrintTrace(o.trace), "x.trace");
    ASSERT_TRUE(t.ok()) << t.status() << "\n" << PrintTrace(o.trace);
    absl::StatusOr<DiffOutcome> again = RunDiffTrace(*t, "x.trace");
    ASSERT_TRUE(again.ok()) << again.status() << "\n" << PrintTrace(o.trace);
    EXPECT_EQ(DiffVerdict(*again), o.trace.expect) << PrintTrace(o.trace);
  }
}

// The runner's caller-contract hook skips exactly the calls RunCallOrder
// with contracts skips (the fuzz harness used to run both), runs the same
// calls with the same thread numbers and schedule, and gives the same
// verdict. Fails if the hook judges a call on another world or as another
// thread, checks it after the call, or counts or numbers a skipped call.
TEST(DiffContracts, HookAgreesWithRunCallOrder) {
  DiffRunner runner;
  runner.set_caller_contracts(true);
  std::mt19937 rng(4242);
  const std::vector<Config> grid = ConfigGrid();
  int skipped = 0, not_a_prefix = 0, findings = 0;
  for (int i = 0; i < 600; ++i) {
    const Config& cfg = grid[rng() % grid.size()];
    std::vector<ThreadCall> calls = RandomCalls(rng, cfg, 4 + rng() % 20, 3);
    // Dense thread numbers in order of first appearance (CallList's rule).
    std::array<int, kMaxThreads> dense;
    dense.fill(-1);
    int next = 0;
    CallList l{cfg, {}};
    for (ThreadCall& c : calls) {
      if (dense[c.thread] < 0) dense[c.thread] = next++;
      c.thread = dense[c.thread];
      l.calls.push_back({c.thread, c.call});
    }
    SpecExec exec(cfg);
    std::vector<int> schedule;
    const CallOrderEnd end = RunCallOrder(exec, l, &schedule, true);
    const DiffOutcome o = runner.Run(cfg, calls);
    ASSERT_FALSE(IsDiff(o.inv)) << Show(o);
    EXPECT_EQ(o.calls_run, end.calls_run) << Show(o);
    EXPECT_EQ(o.skipped, end.skipped) << Show(o);
    EXPECT_EQ(o.inv, exec.violation()) << Show(o);
    EXPECT_EQ(o.trace.threads, ThreadsOf(end.run)) << Show(o);
    EXPECT_EQ(o.trace.schedule, schedule) << Show(o);
    ASSERT_EQ(runner.RunFast(cfg, calls.data(), calls.size()), o.inv);
    EXPECT_EQ(runner.last().calls_run, o.calls_run);
    EXPECT_EQ(runner.last().skipped, o.skipped);
    skipped += o.skipped > 0;
    not_a_prefix += !(
        ThreadsOf(end.run) ==
        ThreadsOf(CallList{cfg, std::vector<ThreadCall>(
                                    l.calls.begin(),
                                    l.calls.begin() + end.run.calls.size())}));
    findings += o.inv != Inv::kNone;
  }
  EXPECT_GT(skipped, 0);
  EXPECT_GT(not_a_prefix, 0);
  EXPECT_GT(findings, 0);
}

// Every object whose value differs between two worlds has its bit in `t`.
::testing::AssertionResult CoversChanges(const Touched& t, const CWorld& a,
                                         const CWorld& b) {
  auto kind = [&](const char* name, const auto& x, const auto& y,
                  uint32_t mask) -> std::string {
    for (size_t i = 0; i < x.size(); ++i)
      if (!(x[i] == y[i]) && !((mask >> i) & 1))
        return absl::StrCat(name, "[", i, "] changed, not in the footprint");
    return "";
  };
  for (const std::string& miss :
       {kind("d", a.d, b.d, t.d), kind("ino", a.ino, b.ino, t.ino),
        kind("pg", a.pg, b.pg, t.pg), kind("pte", a.pte, b.pte, t.pte),
        kind("pin", a.pin, b.pin, t.pin),
        kind("lease", a.lease, b.lease, t.lease), kind("ev", a.ev, b.ev, t.ev)})
    if (!miss.empty()) return ::testing::AssertionFailure() << miss;
  return ::testing::AssertionSuccess();
}

// The impl's side of the incremental abstraction: the objects the sync
// layer's write log places include every object whose abstraction changed,
// call by call along random runs, blocked calls included.
TEST(DiffSteps, ImplWriteLogCoversEveryChange) {
  std::mt19937 rng(47);
  const std::vector<Config> grid = ConfigGrid();
  int calls = 0, changed = 0, overflows = 0;
  for (int i = 0; i < 300; ++i) {
    const Config& cfg = grid[rng() % grid.size()];
    impl::Kernel k(cfg);
    CWorld before = Abstract(k);
    for (const ThreadCall& dc : RandomCalls(rng, cfg, 4 + rng() % 20, 3)) {
      Touched wrote;
      bool blocked = false, placed, overflowed;
      {
        impl::sync::NonblockingScope nonblocking;
        impl::sync::WriteLogScope log;
        try {
          CallImpl(k, dc.thread, dc.call);
        } catch (const impl::sync::WouldBlock&) {
          blocked = true;
        }
        placed = ImplFootprint(k, log.log(), &wrote);
        overflowed = log.log().overflowed();
      }
      const CWorld after = Abstract(k);
      // Only an overflowed log (umount writes every object) is not placed.
      ASSERT_EQ(placed, !overflowed) << PrintCall(dc.call);
      overflows += overflowed;
      if (placed)
        ASSERT_TRUE(CoversChanges(wrote, before, after)) << PrintCall(dc.call);
      ++calls;
      changed += !(after == before);
      before = after;
      if (blocked) break;
    }
  }
  EXPECT_GT(calls, 2000);
  EXPECT_GT(changed, 1000);
  EXPECT_LT(overflows, calls / 10);
}

// A log the abstraction cannot place (overflowed, or an address outside the
// kernel's objects) says so: the runner then abstracts everything.
TEST(DiffSteps, ImplFootprintRefusesWhatItCannotPlace) {
  Config cfg;
  cfg.fs = FsKind::kDax;
  impl::Kernel k(cfg);
  impl::sync::WriteLog log{};
  Touched t;
  log.addr[0] = &k.pages()[2].refcount;
  log.n = 1;
  ASSERT_TRUE(ImplFootprint(k, log, &t));
  EXPECT_EQ(t.pg, 1u << 2);
  log.addr[0] = &k.free_mask_word();
  ASSERT_TRUE(ImplFootprint(k, log, &t));
  EXPECT_EQ(t.pg, ~uint32_t{0});  // the allocator: every page's st
  const int elsewhere = 0;
  log.addr[0] = &elsewhere;
  EXPECT_FALSE(ImplFootprint(k, log, &t));
  log.addr[0] = &k.pages()[2].refcount;
  log.n = impl::sync::WriteLog::kSize + 1;
  EXPECT_FALSE(ImplFootprint(k, log, &t));
}

// The runner's step (checks over what the step touched) leaves the same
// world and records the same violation as the full step, step by step along
// random sequential runs that reach violations, and the objects it reports
// written include every object that changed (the runner compares only
// those). (With assertions on the runner CHECKs the first on every step too;
// this test also holds under NDEBUG.)
TEST(DiffSteps, TouchedChecksAgreeWithFullChecks) {
  std::mt19937 rng(31);
  const std::vector<Config> grid = ConfigGrid();
  int steps = 0, violations = 0, written_steps = 0;
  for (int i = 0; i < 500; ++i) {
    const Config& cfg = grid[rng() % grid.size()];
    CWorld w = InitWorld(cfg);
    if (CheckAlwaysInvariants(cfg, w) != Inv::kNone) continue;
    for (const ThreadCall& dc : RandomCalls(rng, cfg, 4 + rng() % 20, 3)) {
      const std::vector<Step>& prog = StepsOf(dc.call.op, cfg);
      const int len = static_cast<int>(prog.size());
      w.th[dc.thread].pc = 0;
      bool blocked = false;
      for (int n = 0; !blocked && w.th[dc.thread].pc < len; ++n) {
        ASSERT_LT(n, 10000);
        const int pc = w.th[dc.thread].pc;
        const Insn insn{dc.call.op,
                        prog[pc],
                        static_cast<int16_t>(pc),
                        static_cast<int16_t>(len),
                        0,
                        0,
                        dc.call.args};
        CWorld full = w;
        Machine<Concrete> mf(full, cfg, insn, dc.thread);
        ExecStep(mf);
        const CWorld before = w;
        Machine<Concrete> mt(w, cfg, insn, dc.thread);
        Touched written;
        ExecStepTouched(mt, &written);
        ASSERT_EQ(mt.blocked(), mf.blocked());
        ASSERT_TRUE(w == full)
            << "call " << PrintCall(dc.call) << " step " << StepName(insn.step);
        ASSERT_TRUE(CoversChanges(written, before, w))
            << "call " << PrintCall(dc.call) << " step " << StepName(insn.step);
        written_steps += (written.d | written.ino | written.pg | written.pte |
                          written.pin | written.lease | written.ev) != 0;
        blocked = mt.blocked();
        ++steps;
      }
      if (blocked || w.violation != 0) break;
    }
    violations += w.violation != 0;
  }
  EXPECT_GT(steps, 2000);
  EXPECT_GT(violations, 10);
  EXPECT_GT(written_steps, 1000);
}

// RunFast from a CallSource: the same verdict as from the array, and it
// pulls no call past the one that ends the run (the fuzz harness decodes
// only what it runs).
TEST(DiffContracts, RunFastPullsOnlyTheCallsItRuns) {
  class Counting : public CallSource {
   public:
    explicit Counting(const std::vector<ThreadCall>& c) : c_(c) {}
    bool Next(ThreadCall* out) override {
      if (pulled >= static_cast<int>(c_.size())) return false;
      *out = c_[pulled++];
      return true;
    }
    int pulled = 0;

   private:
    const std::vector<ThreadCall>& c_;
  };
  DiffRunner runner;
  runner.set_caller_contracts(true);
  std::mt19937 rng(77);
  const std::vector<Config> grid = ConfigGrid();
  int ended_early = 0;
  for (int i = 0; i < 600; ++i) {
    const Config& cfg = grid[rng() % grid.size()];
    const std::vector<ThreadCall> calls =
        RandomCalls(rng, cfg, 4 + rng() % 20, 3);
    const Inv inv = runner.RunFast(cfg, calls.data(), calls.size());
    const DiffOutcome array = runner.last();
    Counting src(calls);
    ASSERT_EQ(runner.RunFast(cfg, src), inv);
    EXPECT_EQ(runner.last().calls_run, array.calls_run);
    EXPECT_EQ(runner.last().skipped, array.skipped);
    EXPECT_EQ(runner.last().blocked, array.blocked);
    // Skipped calls are pulled (and judged) but not run; nothing is pulled
    // after the call that ends the run.
    EXPECT_EQ(src.pulled, array.calls_run + array.skipped);
    ended_early += src.pulled < static_cast<int>(calls.size());
  }
  EXPECT_GT(ended_early, 0);
}

TEST(DiffCorpus, EveryCallAtomicRegressTraceAgrees) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(LIFECHECK_SOURCE_DIR) / "corpus" / "regress";
  int checked = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".trace") continue;
    absl::StatusOr<Trace> t = ReadTraceFile(e.path().string());
    ASSERT_TRUE(t.ok()) << t.status();
    absl::StatusOr<DiffOutcome> o = RunDiffTrace(*t, e.path().string());
    if (!o.ok()) continue;  // interleaves inside a call
    ++checked;
    const std::string v = DiffVerdict(*o);
    EXPECT_TRUE(v == t->expect || (o->blocked && v == "clean"))
        << e.path() << ": expect " << t->expect << ", diff " << v << "\n"
        << o->detail;
  }
  EXPECT_GE(checked, 25);
}

// The planted bug: unpin drops 1 instead of GUP_PIN_COUNTING_BIAS.
TEST(DiffFaults, UnpinDroppingOneIsADiffFinding) {
  Config cfg;
  cfg.fs = FsKind::kDisk;
  cfg.ptes = 1;
  cfg.pins = 1;
  auto C = [](Op op, int a = 0, int b = 0, int c = 0) {
    Call k;
    k.op = op;
    k.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
              static_cast<int16_t>(c)};
    return k;
  };
  const std::vector<ThreadCall> calls = {{0, C(Op::kFault, 0, 1, 0)},
                                         {0, C(Op::kPin, 0, 0)},
                                         {0, C(Op::kUnpin, 0)}};
  DiffRunner runner;
  EXPECT_EQ(runner.Run(cfg, calls).inv, Inv::kNone);
  runner.set_faults(Faults{.unpin_drops_one = true});
  const DiffOutcome o = runner.Run(cfg, calls);
  EXPECT_EQ(o.inv, Inv::kDiffState) << o.detail;
  EXPECT_EQ(o.calls_run, 3);
  EXPECT_NE(o.detail.find("pg[0].refcount: 2 -> 1025"), std::string::npos)
      << o.detail;
  // The outcome's trace describes itself: judged call by call, with the
  // fault planted; its replay needs nothing else.
  const std::string text = PrintTrace(o.trace);
  EXPECT_NE(text.find("\njudge: diff\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfault: unpin_drops_one\n"), std::string::npos) << text;
  absl::StatusOr<Trace> back = ParseTrace(text, "bug.trace");
  ASSERT_TRUE(back.ok()) << back.status();
  absl::StatusOr<DiffOutcome> again = RunDiffTrace(*back, "bug.trace");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->inv, Inv::kDiffState);
  Judgement j;
  j.inv = o.inv;
  j.diff = o;
  const std::string report = RenderReport(ReportOf(o.trace, j, "bug.trace"));
  EXPECT_EQ(report.rfind("lifecheck: finding DIFF-STATE", 0), 0u) << report;
  EXPECT_NE(report.find("replay: lifecheck run bug.trace\n"), std::string::npos)
      << report;
  EXPECT_NE(report.find("SUMMARY: lifecheck: DIFF-STATE unpin in thread T0 "
                        "at call 3"),
            std::string::npos)
      << report;
  // Random sequences find it too.
  std::mt19937 rng(3);
  int found = 0;
  for (int i = 0; i < 2000 && !found; ++i) {
    const auto calls2 = RandomCalls(rng, cfg, 12, 2);
    found += IsDiff(runner.RunFast(cfg, calls2.data(), calls2.size()));
  }
  EXPECT_GT(found, 0);
}

TEST(DiffBlock, TruncateWaitingOnAPinBlocksOnBothSides) {
  Config cfg;
  cfg.fs = FsKind::kDax;
  cfg.ptes = 1;
  cfg.pins = 1;
  Call fault{Op::kFault, {0, 1, 0}}, pin{Op::kPin, {0, 0, 0}},
      trunc{Op::kTruncate, {1, 0, 0}}, unpin{Op::kUnpin, {0, 0, 0}};
  DiffRunner runner;
  DiffOutcome o = runner.Run(cfg, {{0, fault}, {0, pin}, {1, trunc}});
  EXPECT_EQ(o.inv, Inv::kNone) << o.detail;  // they agree: clean
  EXPECT_TRUE(o.blocked);
  o = runner.Run(cfg, {{0, fault}, {0, pin}, {1, trunc}, {0, unpin}});
  EXPECT_EQ(o.inv, Inv::kNone) << o.detail;
  EXPECT_TRUE(o.blocked);
  EXPECT_EQ(o.calls_run, 3);
}

TEST(DiffFaults, EachKindOfDisagreementHasItsId) {
  Config cfg;
  cfg.fs = FsKind::kDax;
  cfg.ptes = 1;
  cfg.pins = 1;
  Call fault{Op::kFault, {0, 1, 0}}, pin{Op::kPin, {0, 0, 0}},
      trunc{Op::kTruncate, {1, 0, 0}}, dma{Op::kDma, {0, 0, 0}};
  DiffRunner runner;
  // The spec blocks (the block is pinned), the planted impl does not.
  runner.set_faults(Faults{.truncate_skips_wait = true});
  DiffOutcome o = runner.Run(cfg, {{0, fault}, {0, pin}, {1, trunc}});
  EXPECT_EQ(o.inv, Inv::kDiffBlock);
  EXPECT_NE(o.detail.find("spec blocked at DaxWaitIdle, impl returned 0"),
            std::string::npos)
      << o.detail;
  // Same state, another return value.
  runner.set_faults(Faults{.dma_reports_efault = true});
  o = runner.Run(cfg, {{0, fault}, {0, pin}, {0, dma}});
  EXPECT_EQ(o.inv, Inv::kDiffResult);
  EXPECT_NE(o.detail.find("call 3 (T0 dma pin=0): spec returned 0, impl -14"),
            std::string::npos)
      << o.detail;
  EXPECT_EQ(o.trace.expect, "DIFF-RESULT");
}

TEST(DiffTrace, InterleavedScheduleIsRejectedWithPosition) {
  absl::StatusOr<Trace> t =
      ReadTraceFile(std::string(LIFECHECK_SOURCE_DIR) +
                    "/corpus/regress/003-zap-without-ptl.trace");
  ASSERT_TRUE(t.ok());
  absl::StatusOr<DiffOutcome> o = RunDiffTrace(*t, "z.trace");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("z.trace:"), std::string::npos);
  EXPECT_NE(o.status().message().find("call-atomic"), std::string::npos);
}

}  // namespace
}  // namespace lifecheck
