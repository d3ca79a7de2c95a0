// Call-ordered traces as data: a configuration and (thread, call)s in the
// order the calls are released. The fuzzers' binary form decodes to one
// (harness/trace/binary_trace.h); running one on the spec is
// harness/run/call_order.h.
#ifndef LIFECHECK_HARNESS_TRACE_CALL_LIST_H_
#define LIFECHECK_HARNESS_TRACE_CALL_LIST_H_

#include <string>
#include <vector>

#include "config/config.h"
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

// "A", "B", ... "F": the names the threads of a call list get in its trace.
std::string CanonicalThreadName(int thread);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_TRACE_CALL_LIST_H_
