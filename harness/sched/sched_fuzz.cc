#include "harness/sched/sched_fuzz.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "harness/run/call_contract.h"
#include "harness/run/call_order.h"
#include "harness/sched/explore.h"
#include "spec/exec.h"

namespace lifecheck::sched {
namespace {

// Choice bytes at the points where more than one thread can run.
class ByteStrategy : public Strategy {
 public:
  ByteStrategy(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  std::string Name() const override { return "bytes"; }
  int Next(const SchedView& v) override {
    const auto& r = *v.runnable;
    if (r.size() == 1) return r[0];
    if (i_ < n_) return r[p_[i_++] % r.size()];
    if (v.last >= 0 && std::binary_search(r.begin(), r.end(), v.last))
      return v.last;
    return r[0];
  }
  bool NextRun() override { return false; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

// Records the choice index of a decision list (the inverse of the above).
class RecordChoices : public Strategy {
 public:
  RecordChoices(const std::vector<int>& d, std::string* out)
      : d_(d), out_(out) {}
  std::string Name() const override { return "record"; }
  int Next(const SchedView& v) override {
    const auto& r = *v.runnable;
    if (i_ >= d_.size()) return -1;
    const int t = d_[i_++];
    auto it = std::find(r.begin(), r.end(), t);
    if (it == r.end()) return -1;
    if (r.size() > 1) out_->push_back(static_cast<char>(it - r.begin()));
    return t;
  }
  bool NextRun() override { return false; }

 private:
  const std::vector<int>& d_;
  std::string* out_;
  size_t i_ = 0;
};

// Caller contracts (harness/run/call_contract.h), as diff_fuzzer keeps them:
// the list keeps the calls the spec's call-order run makes (a call whose
// contract fails at its turn is dropped, and the list ends with the call
// that ends the run). umount is dropped when several threads run: its contract
// (nobody holds anything, nothing mapped) is quiescence, which concurrent
// callers cannot promise without a barrier the trace cannot express.
void WellFormed(CallList& l) {
  std::vector<ThreadCall> keep;
  int threads = 0;
  for (const ThreadCall& c : l.calls) threads = std::max(threads, c.thread + 1);
  // A pin slot is one caller's `pages[]` entry: its pin, dma and unpin
  // calls stay in the thread that used the slot first (two threads
  // pinning into one slot at once is a caller bug the spec flags).
  std::vector<int> slot_owner(kMaxPins, -1);
  auto pin_call = [](Op op) {
    return op == Op::kPin || op == Op::kPinLongterm || op == Op::kPinFast ||
           op == Op::kDma || op == Op::kUnpin || op == Op::kUnpinDirty;
  };
  for (const ThreadCall& c : l.calls) {
    if (threads > 1 && c.call.op == Op::kUmount) continue;
    if (pin_call(c.call.op)) {
      int& owner = slot_owner[c.call.args[0]];
      if (owner < 0) owner = c.thread;
      if (owner != c.thread) continue;
    }
    keep.push_back(c);
  }
  // The run renumbers the threads densely in order of their first call.
  l.calls = std::move(keep);
  SpecExec exec(l.config);
  l = RunCallOrder(exec, l, nullptr, /*contracts=*/true).run;
}

// Whether every call the run started kept its caller contract, judged on
// the spec taking the run's recorded steps (as far as it can follow them)
// at each call's first step. Which calls are well formed can depend on the
// interleaving (a lookup that lost the race to an unlink takes no
// reference, so the thread's later dput is a caller bug): such a run is a
// bad test program, not a finding.
bool ContractsHeld(const Trace& t, const SchedOutcome& o) {
  SpecExec ex(t.config, t.threads);
  for (const StepEvent& e : o.steps) {
    if (ex.done(e.thread)) return true;
    const Insn& in = ex.next_insn(e.thread);
    if (StepName(in.step) != e.step || !ex.enabled(e.thread)) return true;
    if (in.k == 0 && !CallerContractHolds(ex.world(), t.config, e.thread,
                                          t.threads[e.thread][in.call]))
      return false;
    ex.step(e.thread);
    if (ex.violation() != Inv::kNone) return true;
  }
  return true;
}

Scheduler& TheScheduler() {
  static Scheduler* s = new Scheduler();  // workers live for the process
  return *s;
}

}  // namespace

SchedFuzzRun RunSchedInput(const uint8_t* data, size_t size,
                           const DecodeOptions& opts, const Faults& faults) {
  size_t len = 0;
  if (size >= 2) len = data[0] | (static_cast<size_t>(data[1]) << 8);
  const size_t off = std::min<size_t>(2, size);
  len = std::min(len, size - off);
  CallList l = DecodeCalls(data + off, len, opts);
  WellFormed(l);
  SchedFuzzRun r;
  r.trace.config = l.config;
  r.trace.judge = Judge::kSched;
  r.trace.faults = faults;
  r.trace.threads = ThreadsOf(l);
  for (size_t i = 0; i < r.trace.threads.size(); ++i)
    r.trace.thread_names.push_back(CanonicalThreadName(static_cast<int>(i)));
  ByteStrategy s(data + off + len, size - off - len);
  TheScheduler().set_faults(faults);
  r.outcome = TheScheduler().Run(r.trace.config, r.trace.threads, s);
  JudgeRun(r.trace, r.outcome);
  r.contracts_held =
      r.outcome.inv == Inv::kNone || ContractsHeld(r.trace, r.outcome);
  r.trace.impl_schedule = r.outcome.decisions;
  if (r.outcome.serial)
    for (const StepEvent& e : r.outcome.steps)
      r.trace.schedule.push_back(e.thread);
  r.trace.expect = r.outcome.inv == Inv::kNone
                       ? std::string("clean")
                       : std::string(InvId(r.outcome.inv));
  return r;
}

std::string EncodeSchedInput(const Trace& t) {
  CallList l;
  l.config = t.config;
  // Call order: thread by thread (the scheduler, not the order, decides
  // the interleaving).
  for (size_t th = 0; th < t.threads.size(); ++th)
    for (const Call& c : t.threads[th])
      l.calls.push_back(ThreadCall{static_cast<int>(th), c});
  const std::string calls = EncodeCalls(l);
  std::string out;
  out.push_back(static_cast<char>(calls.size() & 0xff));
  out.push_back(static_cast<char>(calls.size() >> 8));
  out += calls;
  RecordChoices rec(t.impl_schedule, &out);
  TheScheduler().set_faults(t.faults);
  TheScheduler().Run(t.config, t.threads, rec);
  return out;
}

}  // namespace lifecheck::sched
