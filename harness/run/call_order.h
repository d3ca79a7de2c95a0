// Call-ordered traces: a list of (thread, call) whose schedule is implied by
// the order of the list. This is what the fuzzers generate (the binary
// decoding, harness/trace/binary_trace.h) and what the differential runner
// replays call by call.
//
// The implied schedule ("call order") is the differential runner's
// (harness/run/diff.h): the calls run one at a time, in list order, each to
// completion. A call whose next step is disabled (truncate waiting for a pin,
// eviction waiting for the DMA) ends the run there, blocked: in a sequential
// schedule nothing else could ever enable it. A violated invariant also ends
// the run. Every step the rule takes is enabled, so the schedule is a valid
// `schedule:` for `lifecheck run`.
#ifndef LIFECHECK_HARNESS_RUN_CALL_ORDER_H_
#define LIFECHECK_HARNESS_RUN_CALL_ORDER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "harness/run/call_contract.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/call_list.h"
#include "harness/trace/trace.h"
#include "spec/check.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck {

// Where a call-order run takes its calls from, one at a time: a decoder
// that decodes only as far as the run goes (harness/trace/binary_trace.h
// CallDecoder), or an array.
class CallSource {
 public:
  virtual ~CallSource() = default;
  // The next call, or false after the last one.
  virtual bool Next(ThreadCall* out) = 0;
};

class ArraySource : public CallSource {
 public:
  ArraySource(const ThreadCall* calls, size_t n) : calls_(calls), n_(n) {}
  explicit ArraySource(const std::vector<ThreadCall>& calls)
      : ArraySource(calls.data(), calls.size()) {}
  bool Next(ThreadCall* out) override {
    if (i_ >= n_) return false;
    *out = calls_[i_++];
    return true;
  }

 private:
  const ThreadCall* calls_;
  size_t n_;
  size_t i_ = 0;
};

// How a call-order run ended.
struct CallOrderEnd {
  int steps = 0;         // steps taken
  int calls_run = 0;     // calls started (a blocked or violating call counts)
  bool blocked = false;  // the last call started is blocked
  // Calls skipped because their caller contract did not hold when their
  // turn came (harness/run/call_contract.h); none is counted in calls_run.
  int skipped = 0;
  // The finding that ended the run: a spec invariant, or what the
  // after-call hook returned; kNone otherwise.
  Inv inv = Inv::kNone;
  int last_thread = -1;  // (dense) thread of the last call started
  Call last_call;
  // RunCallOrder only: the calls started, in order, threads renumbered
  // densely in order of their first call started — the list without its
  // skipped calls and without the calls after the one that ended the run.
  CallList run;
};

struct CallOrderOptions {
  // Skip a call whose caller contract does not hold on the world of its
  // turn: the program goes on as if it had never made the call.
  bool contracts = true;
  // Pass each call's write footprint to the hook (ExecStepTouched), for the
  // differential runner's incremental comparison.
  bool footprints = false;
  std::vector<int>* schedule = nullptr;  // appended: thread per step taken
  // Appended: the calls started, in order, threads renumbered densely in
  // order of their first call started.
  std::vector<ThreadCall>* run = nullptr;
};

// The call-order view of a spec run (the other is harness/run/spec_run.h),
// on the one primitive SpecExec::RunCall: each call is added to its thread
// as its turn comes (so `exec`, which must have no calls yet, ends with the
// run's threads) and run to its end. After each call that did not violate
// an invariant, `after(t, call, end, spec_wrote)` runs (the differential
// runner runs the impl there); a non-kNone result ends the run with it. A
// call that blocks ends the run after the hook: in a sequential schedule
// nothing else could unblock it.
template <class AfterCall>
CallOrderEnd RunCallOrderWith(SpecExec& exec, CallSource& src,
                              const CallOrderOptions& o, AfterCall&& after) {
  LC_CHECK(exec.num_threads() == 0);
  CallOrderEnd end;
  std::array<int8_t, kMaxThreads> dense;
  dense.fill(-1);
  ThreadCall tc;
  while (src.Next(&tc)) {
    LC_CHECK(tc.thread >= 0 && tc.thread < kMaxThreads);
    // A thread not started yet is judged as the next one: it holds nothing.
    const int t = dense[tc.thread] >= 0 ? dense[tc.thread] : exec.num_threads();
    if (o.contracts &&
        !CallerContractHolds(exec.world(), exec.config(), t, tc.call)) {
      ++end.skipped;
      continue;
    }
    dense[tc.thread] = static_cast<int8_t>(t);
    exec.add_call(t, tc.call);
    if (o.run != nullptr) o.run->push_back({t, tc.call});
    ++end.calls_run;
    end.last_thread = t;
    end.last_call = tc.call;
    Touched wrote;
    const CallEnd ce =
        exec.RunCall(t, o.footprints ? &wrote : nullptr, o.schedule);
    end.steps += ce.steps;
    if (exec.violation() != Inv::kNone) {
      end.inv = exec.violation();
      return end;
    }
    end.inv = after(t, tc.call, ce, wrote);
    if (end.inv != Inv::kNone) return end;
    if (ce.blocked) {
      end.blocked = true;
      return end;
    }
  }
  return end;
}

// RunCallOrderWith without a hook, recording `run`: the spec alone, under
// the call-order rule.
CallOrderEnd RunCallOrder(SpecExec& exec, const CallList& l,
                          std::vector<int>* schedule, bool contracts = true);

// The trace of the list: threads named A, B, ... in index order, each
// thread's calls, and the call-order schedule (computed by running the spec
// with contracts on). Skipped calls and the calls after the one that ends
// the run (blocked or violating) are dropped: the trace holds RunCallOrder's
// `run`. Precondition: `l` is valid.
Trace TraceOfCalls(const CallList& l);

// The inverse of TraceOfCalls: recovers the call order from the schedule (a
// call comes where its first step is scheduled; calls the schedule never
// reaches follow, thread by thread). CallsOfTrace(TraceOfCalls(l)) is l
// without the calls TraceOfCalls drops, so TraceOfCalls(CallsOfTrace(t)) == t
// on TraceOfCalls' image. For any trace it returns a valid list with the
// trace's config and per-thread calls (threads renumbered by first call).
CallList CallsOfTrace(const Trace& t);

// The binary form of a trace (harness/trace/binary_trace.h) with its
// schedule: DecodeCalls + TraceOfCalls (runs the spec to compute it).
Trace DecodeTrace(const uint8_t* data, size_t size, const DecodeOptions& opts);

// EncodeCalls(CallsOfTrace(t)): DecodeTrace(EncodeTrace(t), {}) == t for every
// trace DecodeTrace returns.
std::string EncodeTrace(const Trace& t);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_CALL_ORDER_H_
