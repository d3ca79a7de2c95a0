#include "harness/trace/call_list.h"

#include "spec/check.h"

namespace lifecheck {

std::vector<std::vector<Call>> ThreadsOf(const CallList& l) {
  std::vector<std::vector<Call>> threads;
  for (const ThreadCall& tc : l.calls) {
    LC_CHECK(tc.thread >= 0 && tc.thread < kMaxThreads);
    if (static_cast<int>(threads.size()) <= tc.thread)
      threads.resize(tc.thread + 1);
    threads[tc.thread].push_back(tc.call);
  }
  return threads;
}

std::string CanonicalThreadName(int thread) {
  return std::string(1, static_cast<char>('A' + thread));
}

}  // namespace lifecheck
