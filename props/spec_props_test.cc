// Spec self-consistency (ctest label `props`):
//   - on mainline configurations (every size, the default knobs) no
//     invariant is violated after any step, neither for random call lists
//     run one call at a time nor under random interleavings of up to three
//     threads (callers keep their contracts, harness/run/call_contract.h;
//     blocking forever is the program's problem, not a violation);
//   - operation contracts, on the world after a random clean mainline
//     prefix: lookup + dput by a fresh thread restores every dentry and
//     inode; pin + unpin restores every page; truncate to a size at or
//     above i_size changes no page and no page-cache slot.
// Interleavings leave out umount and d_make_discardable: their callers are
// serialised by the VFS (s_umount, the parent's i_rwsem), and the spec
// models what happens when they are not (scenario umount-race, corpus
// 000-double-discard): a random schedule of them is a bad program.
// LIFECHECK_PROPS_FALSIFY=spec widens the configurations to every knob
// value, which makes the first property false (the test of the test,
// props/falsify_test.sh): its failure dumps a trace `lifecheck run`
// reproduces.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/run/abstraction.h"
#include "harness/run/call_contract.h"
#include "harness/run/call_order.h"
#include "harness/trace/trace.h"
#include "props/props_gen.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

Knobs MainlineUnlessFalsified() {
  const char* f = std::getenv("LIFECHECK_PROPS_FALSIFY");
  return f && std::string(f) == "spec" ? Knobs::kAny : Knobs::kMainline;
}

// A call list run one call at a time (RunCallOrder, contracts on).
struct SeqRun {
  Inv inv = Inv::kNone;
  CallOrderEnd end;
  CWorld world{};  // SpecWorldAtBoundary of the final world
  std::vector<std::vector<int>> results;
};

SeqRun RunSeq(const CallList& l) {
  SpecExec exec(l.config);
  SeqRun r;
  r.end = RunCallOrder(exec, l, nullptr, /*contracts=*/true);
  r.inv = exec.violation();
  r.world = SpecWorldAtBoundary(exec.world());
  r.results = exec.results();
  return r;
}

// Random calls by up to `max_threads` threads, each kept only if its caller
// contract holds and it does not block (a blocked call ends a sequential
// run): every call of the list runs to completion, unless the last one
// violates an invariant (the list then ends there).
rc::Gen<CallList> GenGoodCallList(const Config& cfg, int max_threads,
                                  std::vector<Op> ops = {}) {
  return rc::gen::exec([cfg, max_threads, ops] {
    CallList l;
    l.config = cfg;
    const int n = *rc::gen::resize(100, rc::gen::inRange(0, 80));
    int threads = 0;
    for (int i = 0; i < n; ++i) {
      const int t = *rc::gen::inRange(0, std::min(threads + 1, max_threads));
      CallList cand = l;
      cand.calls.push_back(ThreadCall{t, *GenCall(cfg, ops)});
      const SeqRun r = RunSeq(cand);
      if (r.end.skipped > 0 || r.end.blocked) continue;
      l = cand;
      threads = std::max(threads, t + 1);
      if (r.inv != Inv::kNone) break;
    }
    return l;
  });
}

RC_GTEST_PROP(SpecProps, MainlineCleanCallByCall, ()) {
  const CallList l =
      *GenGoodCallList(*GenConfig(MainlineUnlessFalsified()), kMaxThreads);
  const SeqRun r = RunSeq(l);
  RC_TAG(r.end.calls_run >= 10 ? ">= 10 calls" : "< 10 calls");
  if (r.inv != Inv::kNone) {
    Trace t = TraceOfCalls(l);
    t.expect = std::string(InvId(r.inv));
    RC_LOG() << DumpFailure(t, "spec-seq", "lifecheck run");
    RC_FAIL(absl::StrCat("mainline violation ", std::string(InvId(r.inv))));
  }
}

// A thread program made of well-formed snippets, so that callers keep their
// contracts under any interleaving: lookup d + dput d; igrab f + iput f;
// ev_lookup + ev_open + ev_close; fault + pin (any flavour) + dma + unpin on
// the thread's own pin slot; the lease calls on its own slot; or any single
// call without a contract. A snippet whose first call fails (a lookup of a
// dead dentry) leaves its second call ill-formed: the thread stops there.
rc::Gen<std::vector<Call>> GenThreadProgram(const Config& cfg, int t) {
  return rc::gen::exec([cfg, t] {
    auto arg = [&](ArgKind k) {
      const auto [lo, hi] = ArgRangeOf(k, cfg);
      return static_cast<int16_t>(*rc::gen::inRange(lo, hi + 1));
    };
    auto has = [&](ArgKind k) { return ArgRangeOf(k, cfg).size() > 0; };
    const bool own_pin = t < cfg.pins;
    const int16_t p = static_cast<int16_t>(t);
    std::vector<Op> singles;
    for (Op o : CallableOps(cfg)) {
      switch (o) {
        case Op::kUmount:
        case Op::kDiscard:
        case Op::kDput:
        case Op::kIput:
        case Op::kEvClose:
        case Op::kDma:
        case Op::kUnpin:
        case Op::kPin:
        case Op::kPinFast:
        case Op::kPinLongterm:
        case Op::kReap:
        case Op::kBreakWork:
          break;
        default:
          singles.push_back(o);
      }
    }
    std::vector<Call> calls;
    // Uniform (not scaled by rapidcheck's size): programs of real length.
    const int n = *rc::gen::resize(100, rc::gen::inRange(1, 16));
    for (int i = 0; i < n; ++i) {
      switch (*rc::gen::inRange(0, 6)) {
        case 0: {
          const int16_t d = arg(ArgKind::kDentry);
          calls.push_back({Op::kLookup, {d, 0, 0}});
          calls.push_back({Op::kDput, {d, 0, 0}});
          break;
        }
        case 1:
          if (has(ArgKind::kFile)) {
            const int16_t f = arg(ArgKind::kFile);
            calls.push_back({Op::kIgrab, {f, 0, 0}});
            calls.push_back({Op::kIput, {f, 0, 0}});
          }
          break;
        case 2:
          if (has(ArgKind::kEvent)) {
            const int16_t e = arg(ArgKind::kEvent);
            calls.push_back({Op::kEvLookup, {e, 0, 0}});
            calls.push_back({Op::kEvOpen, {e, 0, 0}});
            calls.push_back({Op::kEvClose, {e, 0, 0}});
          }
          break;
        case 3:
          if (own_pin && has(ArgKind::kPte) && has(ArgKind::kIndex) &&
              has(ArgKind::kFile)) {
            const int16_t pte = arg(ArgKind::kPte);
            calls.push_back(
                {Op::kFault, {pte, arg(ArgKind::kFile), arg(ArgKind::kIndex)}});
            const Op pin =
                *rc::gen::element(Op::kPin, Op::kPinFast, Op::kPinLongterm);
            calls.push_back({pin, {p, pte, 0}});
            calls.push_back({Op::kDma, {p, 0, 0}});
            calls.push_back({Op::kUnpin, {p, 0, 0}});
          }
          break;
        case 4:
          if (own_pin)
            calls.push_back(
                {*rc::gen::element(Op::kReap, Op::kBreakWork), {p, 0, 0}});
          break;
        default:
          calls.push_back(*GenCall(cfg, singles));
      }
    }
    if (calls.empty()) calls.push_back(*GenCall(cfg, singles));
    for (const Call& c : calls) RC_ASSERT(ValidateCall(c, cfg).empty());
    return calls;
  });
}

RC_GTEST_PROP(SpecProps, MainlineCleanUnderInterleavings, ()) {
  const Config cfg = *GenConfig(MainlineUnlessFalsified());
  const int n = *rc::gen::resize(100, rc::gen::inRange(1, 4));
  std::vector<std::vector<Call>> threads(n);
  for (int k = 0; k < n; ++k) threads[k] = *GenThreadProgram(cfg, k);
  const std::vector<int> choices =
      *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 64));
  SpecExec exec(cfg, threads);
  std::vector<bool> stopped(n, false);  // broke a caller contract
  std::vector<int> schedule;
  for (size_t i = 0; exec.violation() == Inv::kNone; ++i) {
    std::vector<int> runnable;
    for (int t : exec.enabled_threads()) {
      if (stopped[t]) continue;
      const Insn& in = exec.next_insn(t);
      const Call c{in.op, in.args};
      if (in.k == 0 && !CallerContractHolds(exec.world(), cfg, t, c)) {
        stopped[t] = true;
        continue;
      }
      runnable.push_back(t);
    }
    if (runnable.empty()) break;
    const int pick = i < choices.size() ? choices[i] : 0;
    const int t = runnable[pick % runnable.size()];
    exec.step(t);
    schedule.push_back(t);
  }
  RC_TAG(schedule.size() >= 20 ? ">= 20 steps" : "< 20 steps");
  if (exec.violation() != Inv::kNone) {
    Trace t;
    t.config = cfg;
    t.threads = threads;
    for (int k = 0; k < n; ++k)
      t.thread_names.push_back(CanonicalThreadName(k));
    t.schedule = schedule;
    t.expect = std::string(InvId(exec.violation()));
    RC_LOG() << DumpFailure(t, "spec-interleaved", "lifecheck run");
    RC_FAIL(absl::StrCat("mainline violation ",
                         std::string(InvId(exec.violation()))));
  }
}

// The world after running `l` call by call, if every call completed
// cleanly.
bool CleanRun(const CallList& l, CWorld* w, std::vector<std::vector<int>>* r) {
  const SeqRun run = RunSeq(l);
  if (run.inv != Inv::kNone || run.end.blocked || run.end.skipped > 0 ||
      run.end.calls_run != static_cast<int>(l.calls.size()))
    return false;
  *w = run.world;
  if (r) *r = run.results;
  return true;
}

// A random clean mainline prefix on threads 0..4 (thread 5 is the probe's),
// on a configuration with at least one file, page, PTE and (disk or dax)
// pin slot, so every probe has something to act on.
CallList CleanPrefix(CWorld* w) {
  Config cfg = *GenConfig(Knobs::kMainline);
  cfg.files = std::max(cfg.files, 1);
  cfg.pages = std::max(cfg.pages, 1);
  cfg.ptes = std::max(cfg.ptes, 1);
  if (cfg.fs == FsKind::kLibfs) cfg.fs = FsKind::kDisk;
  cfg.pins = std::max(cfg.pins, 1);
  CallList l = *GenGoodCallList(cfg, kMaxThreads - 1);
  RC_PRE(CleanRun(l, w, nullptr));
  return l;
}

int Threads(const CallList& l) {
  int n = 0;
  for (const ThreadCall& c : l.calls) n = std::max(n, c.thread + 1);
  return n;
}

RC_GTEST_PROP(SpecProps, LookupDputRestoresDentriesAndInodes, ()) {
  CWorld w0, w1;
  CallList l = CleanPrefix(&w0);
  const int d = *rc::gen::inRange(0, l.config.dentries());
  const int t = Threads(l);
  Call lookup{Op::kLookup, {static_cast<int16_t>(d), 0, 0}};
  l.calls.push_back(ThreadCall{t, lookup});
  std::vector<std::vector<int>> res;
  RC_PRE(CleanRun(l, &w1, &res));
  RC_PRE(res[t].back() == 0);  // the lookup found the dentry
  l.calls.push_back(ThreadCall{t, Call{Op::kDput, lookup.args}});
  RC_ASSERT(CleanRun(l, &w1, nullptr));
  if (!(w1.d == w0.d && w1.ino == w0.ino))
    RC_LOG() << DumpFailure(TraceOfCalls(l), "contract-dput", "lifecheck run");
  RC_ASSERT(w1.d == w0.d);
  RC_ASSERT(w1.ino == w0.ino);
}

RC_GTEST_PROP(SpecProps, PinUnpinRestoresPages, ()) {
  CWorld w0, w1;
  CallList l = CleanPrefix(&w0);
  int16_t p = -1;
  for (int k = 0; k < l.config.pins; ++k)
    if (!w0.pin[k].held) p = static_cast<int16_t>(k);
  RC_PRE(p >= 0);
  const int16_t pte = static_cast<int16_t>(*rc::gen::inRange(0, l.config.ptes));
  const int t = Threads(l);
  // Map the page writable first: a FOLL_WRITE pin of a read-only PTE takes
  // the write fault (mm/gup.c faultin_page), which dirties the page and is
  // not undone by the unpin. The world to restore is the one after the
  // write fault.
  l.calls.push_back(ThreadCall{
      t,
      Call{Op::kFault,
           {pte, static_cast<int16_t>(*rc::gen::inRange(1, l.config.files + 1)),
            static_cast<int16_t>(*rc::gen::inRange(0, l.config.pages))}}});
  l.calls.push_back(ThreadCall{t, Call{Op::kWriteFault, {pte, 0, 0}}});
  RC_PRE(CleanRun(l, &w0, nullptr));
  RC_PRE(w0.pte[pte].present && w0.pte[pte].writable);
  l.calls.push_back(ThreadCall{t, Call{Op::kPin, {p, pte, 0}}});
  std::vector<std::vector<int>> res;
  RC_PRE(CleanRun(l, &w1, &res));
  RC_PRE(w1.pin[p].held);  // the pin succeeded
  l.calls.push_back(ThreadCall{t, Call{Op::kUnpin, {p, 0, 0}}});
  RC_ASSERT(CleanRun(l, &w1, nullptr));
  if (!(w1.pg == w0.pg))
    RC_LOG() << DumpFailure(TraceOfCalls(l), "contract-unpin", "lifecheck run");
  RC_ASSERT(w1.pg == w0.pg);
  RC_ASSERT(!w1.pin[p].held);
}

RC_GTEST_PROP(SpecProps, TruncateUpIsANoOpOnPages, ()) {
  CWorld w0, w1;
  CallList l = CleanPrefix(&w0);
  const int f = *rc::gen::inRange(1, l.config.files + 1);
  RC_PRE(w0.ino[f].size <= l.config.pages);
  const int16_t size = static_cast<int16_t>(
      *rc::gen::inRange(static_cast<int>(w0.ino[f].size), l.config.pages + 1));
  l.calls.push_back(ThreadCall{
      Threads(l), Call{Op::kTruncate, {static_cast<int16_t>(f), size, 0}}});
  RC_PRE(CleanRun(l, &w1, nullptr));
  if (!(w1.pg == w0.pg && w1.ino[f].map == w0.ino[f].map))
    RC_LOG() << DumpFailure(TraceOfCalls(l), "contract-truncate",
                            "lifecheck run");
  RC_ASSERT(w1.pg == w0.pg);
  RC_ASSERT(w1.ino[f].map == w0.ino[f].map);
}

}  // namespace
}  // namespace lifecheck
