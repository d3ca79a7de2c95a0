// Call-ordered traces: a list of (thread, call) whose schedule is implied by
// the order of the list. This is what the fuzzers generate (the binary
// decoding, harness/binary_trace.h) and what the differential runner replays
// call by call.
//
// The implied schedule ("call order"): the calls are released one at a time,
// in list order. Releasing call c of thread t lets t run until it has
// finished c; then every released thread that is not finished with its
// released calls runs, lowest thread first, as long as it is enabled; this
// repeats until no released work is enabled. A call whose next step is
// disabled (truncate waiting for a pin, eviction waiting for the DMA) is
// parked there and resumes as soon as a later call makes it enabled. The
// schedule stops at the first violated invariant.
//
// Every step the rule takes is enabled, so the schedule is a valid
// `schedule:` for `lifecheck run`; after it, the only possible outcome of the
// run's sequential tail is "all done" or DEADLOCK (every released call that
// is still parked stays parked).
#ifndef LIFECHECK_HARNESS_CALL_ORDER_H_
#define LIFECHECK_HARNESS_CALL_ORDER_H_

#include <vector>

#include "config/config.h"
#include "harness/trace.h"
#include "spec/exec.h"
#include "spec/program.h"

namespace lifecheck {

struct ThreadCall {
  int thread;  // dense: threads are numbered in order of first appearance
  Call call;
  bool operator==(const ThreadCall&) const = default;
};

// A configuration and its calls in release order. Valid when the config
// passes ValidateConfig, every call passes ValidateCall, and thread indices
// are dense in order of first appearance (thread k first appears after
// threads 0..k-1).
struct CallList {
  Config config;
  std::vector<ThreadCall> calls;
  bool operator==(const CallList&) const = default;
};

// Splits the list into per-thread call vectors (SpecExec's input).
std::vector<std::vector<Call>> ThreadsOf(const CallList& l);

// Runs `exec` (built from ThreadsOf(l)) under the call-order rule. Appends
// each step's thread to `schedule` and, per released call, the number of
// steps taken before its release to `released_at` (each if non-null).
// Returns the number of steps.
// On return the exec has a violation, or every released call is finished or
// parked (exec.finished() tells whether it is a deadlock or all done).
int RunCallOrder(SpecExec& exec, const CallList& l, std::vector<int>* schedule,
                 std::vector<int>* released_at = nullptr);

// The trace of the list: threads named A, B, ... in index order, each
// thread's calls, and the call-order schedule (computed by running the spec).
// Precondition: `l` is valid.
Trace TraceOfCalls(const CallList& l);

// The inverse of TraceOfCalls: recovers a release order from the schedule (a
// call is released where its first step is scheduled; calls the schedule
// never reaches follow in thread order). TraceOfCalls(CallsOfTrace(t)) == t
// when t = TraceOfCalls(l) and every call of l finished before the next
// release (no call parked). A parked call's release point, and the release
// of calls queued behind it, is not visible in the schedule; the recovered
// list then releases them when their first step runs, which gives the same
// config and calls but can resume parked threads in another order. For any
// trace it returns a valid list with the trace's config and per-thread calls
// (threads renumbered by first release).
CallList CallsOfTrace(const Trace& t);

// "A", "B", ... "F": the names TraceOfCalls gives threads 0..kMaxThreads-1.
std::string CanonicalThreadName(int thread);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_CALL_ORDER_H_
