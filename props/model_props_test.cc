// Stateful model-based test (rc::state): the spec is the model, the impl
// (impl::Kernel behind the differential runner, harness/run/diff.h) the system
// under test. Commands are calls of every op with arguments in range for a
// random configuration (every size, every policy knob, buggy variants
// included), by up to three threads, each run to completion (the sequential
// schedule).
//
// Model: the spec alone: the call list so far and the outcome of running it
// in call order on SpecExec (harness/run/call_order.h RunCallOrder, independent
// of the runner's own spec loop). SUT: DiffRunner::Run of the list. After
// every command:
//   - spec and impl agree: no DIFF-RESULT / DIFF-STATE / DIFF-BLOCK;
//   - the runner's verdict and blocking are the model's;
//   - when the spec reports a finding (a buggy policy: the expected outcome
//     is the spec's finding, not a pass), the impl reaches the same state:
//     rerun with every invariant ignored, spec and impl still agree through
//     the violating call, so Abstract(impl) shows the violation the spec
//     world shows.
// Commands keep the callers' contracts (harness/run/call_contract.h): a foreign
// dput is a bad program, not a protocol finding.
//
// A failure RC_LOGs the runner's trace of the shrunk case, the file it was
// written to and `lifecheck run FILE`; rapidcheck prints its own
// RC_PARAMS="reproduce=..." line. LIFECHECK_PROPS_FALSIFY=model adds a false
// expectation ("no configuration has a finding"): props/falsify_test.sh runs
// that and replays the dumped trace (the test of the test).
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/run/call_contract.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
#include "harness/trace/trace.h"
#include "props/props_gen.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "rapidcheck/state.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

constexpr int kThreads = 3;

bool IsDiff(Inv i) {
  return i == Inv::kDiffResult || i == Inv::kDiffState || i == Inv::kDiffBlock;
}

bool Falsify() {
  const char* f = std::getenv("LIFECHECK_PROPS_FALSIFY");
  return f && std::string(f) == "model";
}

// Every invariant that may be ignored (not DEADLOCK, not DIFF-*).
uint64_t AllIgnorable() {
  uint64_t m = 0;
  for (int i = 1; i < static_cast<int>(Inv::kDeadlock); ++i)
    m |= uint64_t{1} << i;
  return m;
}

struct SpecModel {
  CallList list;         // config + calls, threads dense
  int threads = 0;       // threads used so far
  Inv inv = Inv::kNone;  // the spec's verdict of the list in call order
  bool blocked = false;  // the last call blocked
  CWorld world{};        // the spec world after the list

  bool ended() const { return inv != Inv::kNone || blocked; }

  // Reruns the list on the spec (the model's own step loop).
  void Recompute() {
    SpecExec exec(list.config);
    const CallOrderEnd end =
        RunCallOrder(exec, list, nullptr, /*contracts=*/false);
    inv = exec.violation();
    blocked = end.blocked;
    world = exec.world();
  }
};

struct ImplSut {
  DiffRunner runner;
  int calls = 0;  // commands run (for the distribution tags)
  Inv last = Inv::kNone;
  bool blocked = false;
};

std::vector<ThreadCall> AsThreadCalls(const CallList& l) {
  std::vector<ThreadCall> out;
  for (const ThreadCall& c : l.calls)
    out.push_back(ThreadCall{c.thread, c.call});
  return out;
}

struct DoCall : rc::state::Command<SpecModel, ImplSut> {
  ThreadCall tc;

  explicit DoCall(const SpecModel& m) {
    tc.thread = *rc::gen::inRange(0, std::min(m.threads + 1, kThreads));
    tc.call = *GenCall(m.list.config, WeightedOps(m.list.config));
  }

  // Every op; the ones of the configuration's own protocol four times as
  // often, so that buggy policies meet their races' calls in short runs;
  // the ones that end a file's or the superblock's life (after which most
  // calls fail early) half as often.
  static std::vector<Op> WeightedOps(const Config& cfg) {
    std::vector<Op> own;
    switch (cfg.fs) {
      case FsKind::kLibfs:
        own = {Op::kLookup, Op::kDput, Op::kDiscard, Op::kUnlink};
        break;
      case FsKind::kDisk:
        own = {Op::kFault,    Op::kWriteFault, Op::kStore, Op::kWriteback,
               Op::kTruncate, Op::kMunmap,     Op::kPin,   Op::kUnpin};
        break;
      case FsKind::kDax:
        own = {Op::kFault, Op::kPin,      Op::kPinFast,   Op::kDma,
               Op::kUnpin, Op::kTruncate, Op::kMunmap,    Op::kAlloc,
               Op::kIput,  Op::kReap,     Op::kBreakWork, Op::kBreakLease};
        break;
    }
    if (cfg.events > 0)
      for (Op o : {Op::kEvLookup, Op::kEvOpen, Op::kEvClose, Op::kEvFormat})
        own.push_back(o);
    std::vector<Op> ops;
    for (int o = 0; o < static_cast<int>(Op::kCount); ++o) {
      const Op op = static_cast<Op>(o);
      const bool ends =
          op == Op::kUmount || op == Op::kUnlink || op == Op::kEvRemove;
      for (int k = ends ? 1 : 2; k > 0; --k) ops.push_back(op);
    }
    for (int k = 0; k < 6; ++k) ops.insert(ops.end(), own.begin(), own.end());
    return ops;
  }

  void checkPreconditions(const SpecModel& m) const override {
    RC_PRE(!m.ended());
    RC_PRE(tc.thread <= m.threads);  // dense (shrinking may drop a thread)
    RC_PRE(CallerContractHolds(m.world, m.list.config, tc.thread, tc.call));
  }

  void apply(SpecModel& m) const override {
    m.list.calls.push_back(tc);
    m.threads = std::max(m.threads, tc.thread + 1);
    m.Recompute();
  }

  void run(const SpecModel& m, ImplSut& sut) const override {
    const SpecModel next = nextState(m);
    const Config& cfg = m.list.config;
    const DiffOutcome o = sut.runner.Run(cfg, AsThreadCalls(next.list));
    std::string why;
    if (IsDiff(o.inv))
      why = absl::StrCat("impl and spec disagree: ", o.detail);
    else if (o.inv != next.inv || o.blocked != next.blocked)
      why = absl::StrCat("runner says ", DiffVerdict(o),
                         o.blocked ? " (blocked)" : "", ", model says ",
                         next.inv == Inv::kNone ? std::string("clean")
                                                : std::string(InvId(next.inv)),
                         next.blocked ? " (blocked)" : "");
    DiffOutcome past;
    if (why.empty() && next.inv != Inv::kNone && next.inv != Inv::kDeadlock) {
      // The finding's state on the impl side: run on past the violation.
      Config all = cfg;
      all.ignore = AllIgnorable();
      past = sut.runner.Run(all, AsThreadCalls(next.list));
      if (IsDiff(past.inv))
        why = absl::StrCat("after the spec's ", std::string(InvId(next.inv)),
                           " (every invariant ignored) impl and spec "
                           "disagree: ",
                           past.detail);
    }
    if (why.empty() && Falsify() && o.inv != Inv::kNone)
      why = absl::StrCat(
          "LIFECHECK_PROPS_FALSIFY=model: expected no finding, "
          "got ",
          DiffVerdict(o));
    if (!why.empty()) {
      const Trace& t = IsDiff(past.inv) ? past.trace : o.trace;
      RC_LOG() << why << "\n" << DumpFailure(t, "model", "lifecheck run");
      RC_FAIL(why);
    }
    ++sut.calls;
    sut.last = next.inv;
    sut.blocked = next.blocked;
  }

  void show(std::ostream& os) const override {
    os << "T" << tc.thread << " " << PrintCall(tc.call);
  }
};

void CheckModel(ImplSut& sut) {
  SpecModel m0;
  // Any knobs; small sizes, so that random calls meet on the same objects
  // and buggy policies show their findings in short sequences.
  Config& c = m0.list.config;
  c = *GenConfig(Knobs::kAny);
  auto small = [](int lo, int hi) {
    return *rc::gen::resize(100, rc::gen::inRange(lo, hi + 1));
  };
  c.files = small(1, 2);
  c.pages = small(1, 2);
  c.spare = small(0, 1);
  c.ptes = 1;
  c.pins = c.fs == FsKind::kLibfs ? 0 : small(1, 2);
  c.events = small(0, 1);
  m0.Recompute();
  rc::state::check(m0, sut, rc::state::gen::execOneOfWithArgs<DoCall>());
  RC_TAG(sut.calls >= 20  ? ">= 20 calls"
         : sut.calls >= 5 ? "5-19 calls"
                          : "< 5 calls",
         sut.last == Inv::kNone ? std::string("no finding")
                                : std::string(InvId(sut.last)),
         sut.blocked ? "blocked" : "");
}

RC_GTEST_PROP(ModelProps, ImplRefinesSpecOnEveryOp, ()) {
  ImplSut sut;
  CheckModel(sut);
}

// The test can fail: with a planted impl bug (unpin drops one reference too
// many) rapidcheck finds a counterexample; its dumped trace carries the
// fault (`judge: diff`, `fault: unpin_drops_one`), so `lifecheck run`
// replays it. props/falsify_test.sh checks the replay end to end.
TEST(ModelProps, PlantedUnpinBugIsFound) {
  const bool ok = rc::check("impl with unpin_drops_one refines the spec", [] {
    ImplSut sut;
    Faults f;
    f.unpin_drops_one = true;
    sut.runner.set_faults(f);
    CheckModel(sut);
  });
  EXPECT_FALSE(ok) << "the planted impl bug was not found";
}

}  // namespace
}  // namespace lifecheck
