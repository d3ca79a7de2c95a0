#include "harness/run/call_order.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "spec/check.h"

namespace lifecheck {

CallOrderEnd RunCallOrder(SpecExec& exec, const CallList& l,
                          std::vector<int>* schedule, bool contracts) {
  ArraySource src(l.calls);
  CallOrderOptions o;
  o.contracts = contracts;
  o.schedule = schedule;
  std::vector<ThreadCall> run;
  o.run = &run;
  CallOrderEnd end = RunCallOrderWith(
      exec, src, o, [](int, const Call&, const CallEnd&, const Touched&) {
        return Inv::kNone;
      });
  end.run.config = l.config;
  end.run.calls = std::move(run);
  return end;
}

Trace TraceOfCalls(const CallList& l) {
  Trace t;
  t.config = l.config;
  SpecExec exec(l.config);
  const CallOrderEnd end = RunCallOrder(exec, l, &t.schedule);
  t.threads = ThreadsOf(end.run);
  for (size_t i = 0; i < t.threads.size(); ++i)
    t.thread_names.push_back(CanonicalThreadName(static_cast<int>(i)));
  return t;
}

CallList CallsOfTrace(const Trace& t) {
  // Position in the schedule of each call's first step (or "never").
  const size_t kNever = t.schedule.size();
  std::vector<std::vector<size_t>> first(t.threads.size());
  for (size_t th = 0; th < t.threads.size(); ++th)
    first[th].assign(t.threads[th].size(), kNever);
  // Replay the schedule on the spec: a call can return before its last
  // step (pc jumps to its end), so only the executor knows where each step
  // falls. Stop at the first entry that is not executable.
  SpecExec exec(t.config, t.threads);
  for (size_t i = 0; i < t.schedule.size(); ++i) {
    const int th = t.schedule[i];
    if (th < 0 || th >= exec.num_threads() || !exec.enabled(th)) break;
    const Insn& in = exec.next_insn(th);
    if (in.k == 0) first[th][in.call] = std::min(first[th][in.call], i);
    exec.step(th);
    if (exec.violation() != Inv::kNone) break;
  }
  // Call order: by first step; unreached calls after, thread by thread.
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

Trace DecodeTrace(const uint8_t* data, size_t size, const DecodeOptions& opts) {
  return TraceOfCalls(DecodeCalls(data, size, opts));
}

std::string EncodeTrace(const Trace& t) { return EncodeCalls(CallsOfTrace(t)); }

}  // namespace lifecheck
