// Call-ordered traces: a list of (thread, call) whose schedule is implied by
// the order of the list. This is what the fuzzers generate (the binary
// decoding, harness/binary_trace.h) and what the differential runner replays
// call by call.
//
// The implied schedule ("call order") is the differential runner's
// (harness/diff.h): the calls run one at a time, in list order, each to
// completion. A call whose next step is disabled (truncate waiting for a pin,
// eviction waiting for the DMA) ends the run there, blocked: in a sequential
// schedule nothing else could ever enable it. A violated invariant also ends
// the run. Every step the rule takes is enabled, so the schedule is a valid
// `schedule:` for `lifecheck run`.
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

// How a call-order run ended.
struct CallOrderEnd {
  int steps = 0;         // steps taken
  int calls_run = 0;     // calls started (a blocked or violating call counts)
  bool blocked = false;  // the last call started is blocked
  // Calls skipped because their caller contract did not hold when their
  // turn came (harness/call_contract.h); none is counted in calls_run.
  int skipped = 0;
  // The calls started, in order, threads renumbered densely in order of
  // their first call started: the list without its skipped calls and
  // without the calls after the one that ended the run.
  CallList run;
};

// Runs `l` under the call-order rule on `exec`, which must have no calls
// yet (SpecExec(l.config)): each call is added to its thread as its turn
// comes, so exec's threads are run's. Appends each step's thread to
// `schedule` if non-null. With `contracts`, a call whose caller contract
// does not hold on the world of its turn is skipped: the program goes on as
// if it had never made the call.
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

// "A", "B", ... "H": the names TraceOfCalls gives threads 0..kMaxThreads-1.
std::string CanonicalThreadName(int thread);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_CALL_ORDER_H_
