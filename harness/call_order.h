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
  // The run ended before a call whose caller contract does not hold
  // (harness/call_contract.h); that call is not counted in calls_run.
  bool ill_formed = false;
};

// Runs `exec` (built from ThreadsOf(l), or from a prefix of l that contains
// every call the run reaches) under the call-order rule. Appends each step's
// thread to `schedule` if non-null. With `contracts`, the run ends before
// the first call whose caller contract does not hold.
CallOrderEnd RunCallOrder(SpecExec& exec, const CallList& l,
                          std::vector<int>* schedule, bool contracts = true);

// The trace of the list: threads named A, B, ... in index order, each
// thread's calls, and the call-order schedule (computed by running the spec).
// Calls after the one that ends the run (blocked or violating) and from the
// first ill-formed one on are dropped: no schedule reaches them.
// Precondition: `l` is valid.
Trace TraceOfCalls(const CallList& l);

// The inverse of TraceOfCalls: recovers the call order from the schedule (a
// call comes where its first step is scheduled; calls the schedule never
// reaches follow, thread by thread). CallsOfTrace(TraceOfCalls(l)) is l
// without the calls TraceOfCalls drops, so TraceOfCalls(CallsOfTrace(t)) == t
// on TraceOfCalls' image. For any trace it returns a valid list with the
// trace's config and per-thread calls (threads renumbered by first call).
CallList CallsOfTrace(const Trace& t);

// "A", "B", ... "F": the names TraceOfCalls gives threads 0..kMaxThreads-1.
std::string CanonicalThreadName(int thread);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_CALL_ORDER_H_
