#include "harness/call_order.h"

#include <algorithm>
#include <string>
#include <vector>

#include "spec/check.h"

namespace lifecheck {
namespace {

// The pc one past the last step of call `call` of a thread.
int EndOfCall(const ThreadProgram& prog, int call) {
  int end = 0;
  for (const Insn& in : prog) {
    if (in.call > call) break;
    end = in.base + in.len;
  }
  return end;
}

}  // namespace

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

int RunCallOrder(SpecExec& exec, const CallList& l, std::vector<int>* schedule,
                 std::vector<int>* released_at) {
  const int n = exec.num_threads();
  // Flattened programs, to know where each released call ends.
  std::vector<ThreadProgram> progs;
  for (const auto& calls : ThreadsOf(l))
    progs.push_back(Flatten(calls, exec.config()));
  std::vector<int> released(n, 0);  // calls released per thread
  std::vector<int> bound(n, 0);     // pc the thread may run up to
  int steps = 0;
  // Runs t while it is enabled and below its bound; false on a violation.
  auto run = [&](int t) {
    while (exec.world().th[t].pc < bound[t] && exec.enabled(t)) {
      exec.step(t);
      ++steps;
      if (schedule) schedule->push_back(t);
      if (exec.violation() != Inv::kNone) return false;
    }
    return true;
  };
  for (const ThreadCall& tc : l.calls) {
    const int t = tc.thread;
    if (released_at) released_at->push_back(steps);
    bound[t] = EndOfCall(progs[t], released[t]++);
    if (!run(t)) return steps;
    // Parked calls resume as soon as they are enabled, lowest thread first.
    for (bool progress = true; progress;) {
      progress = false;
      for (int u = 0; u < n; ++u) {
        const int before = exec.world().th[u].pc;
        if (!run(u)) return steps;
        progress |= exec.world().th[u].pc != before;
      }
    }
  }
  return steps;
}

std::string CanonicalThreadName(int thread) {
  return std::string(1, static_cast<char>('A' + thread));
}

Trace TraceOfCalls(const CallList& l) {
  Trace t;
  t.config = l.config;
  t.threads = ThreadsOf(l);
  for (size_t i = 0; i < t.threads.size(); ++i)
    t.thread_names.push_back(CanonicalThreadName(static_cast<int>(i)));
  SpecExec exec(t.config, t.threads);
  RunCallOrder(exec, l, &t.schedule);
  return t;
}

CallList CallsOfTrace(const Trace& t) {
  // Position in the schedule of each call's first step (or "never").
  const size_t kNever = t.schedule.size();
  std::vector<std::vector<size_t>> first(t.threads.size());
  for (size_t th = 0; th < t.threads.size(); ++th)
    first[th].assign(t.threads[th].size(), kNever);
  std::vector<ThreadProgram> progs;
  for (const auto& calls : t.threads)
    progs.push_back(Flatten(calls, t.config));
  std::vector<size_t> pc(t.threads.size(), 0);
  for (size_t i = 0; i < t.schedule.size(); ++i) {
    const int th = t.schedule[i];
    if (th < 0 || th >= static_cast<int>(progs.size())) continue;
    if (pc[th] >= progs[th].size()) continue;
    const Insn& in = progs[th][pc[th]++];
    if (in.k == 0) first[th][in.call] = std::min(first[th][in.call], i);
  }
  // Release order: by first step; unreached calls after, thread by thread.
  struct Key {
    size_t pos;
    int thread;
    int call;
  };
  std::vector<Key> keys;
  for (size_t th = 0; th < t.threads.size(); ++th)
    for (size_t c = 0; c < t.threads[th].size(); ++c)
      keys.push_back({first[th][c], static_cast<int>(th), static_cast<int>(c)});
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.pos != b.pos) return a.pos < b.pos;
    return a.thread < b.thread;  // (stable: calls of a thread stay in order)
  });
  // A thread's calls must be released in its program order: a later call of
  // the same thread never precedes an earlier one (it cannot start first).
  CallList l;
  l.config = t.config;
  std::vector<int> dense(t.threads.size(), -1);
  std::vector<int> next_call(t.threads.size(), 0);
  int num_dense = 0;
  for (const Key& k : keys) {
    // Emit this thread's calls up to k.call in order (normally just k.call).
    while (next_call[k.thread] <= k.call) {
      if (dense[k.thread] < 0) dense[k.thread] = num_dense++;
      l.calls.push_back(
          {dense[k.thread], t.threads[k.thread][next_call[k.thread]++]});
    }
  }
  return l;
}

}  // namespace lifecheck
