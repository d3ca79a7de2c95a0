// The one trace format (DESIGN principle 3): configuration + per-thread calls
// + an optional schedule. Text form documented in docs/trace-format.md.
#ifndef LIFECHECK_HARNESS_TRACE_TRACE_H_
#define LIFECHECK_HARNESS_TRACE_TRACE_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "config/faults.h"
#include "spec/program.h"
#include "spec/thread_body.h"

namespace lifecheck {

// Where a token was in the text, for errors found after parsing (e.g. a
// schedule entry naming a blocked thread). 1-based; 0 = unknown.
struct SrcPos {
  int line = 0;
  int col = 0;
};

// How a trace is judged (docs/trace-format.md, `judge:`): the spec alone;
// spec and impl call by call (the differential runner, harness/run/diff.h);
// or the impl under the controlled scheduler (harness/sched/), replaying its
// impl-schedule (or its spec schedule through the step markers).
enum class Judge : uint8_t { kSpec, kDiff, kSched };
std::string_view JudgeName(Judge j);  // "spec", "diff", "sched"
bool ParseJudge(std::string_view name, Judge* out);

struct Trace {
  Config config;
  Judge judge = Judge::kSpec;
  // Impl faults planted in the run this trace records (`fault:` lines);
  // only with judge diff or sched.
  Faults faults;
  std::vector<std::string> thread_names;   // in order of first appearance
  std::vector<std::vector<Call>> threads;  // calls of each thread
  std::vector<int> schedule;  // thread index per step; may be empty
  // `impl-schedule:` lines: thread index per scheduling point of the impl
  // under the controlled scheduler (harness/sched/); may be empty.
  std::vector<int> impl_schedule;
  // `# expect: <ID>` / `# expect: clean` header, "" if absent.
  std::string expect;
  // A problem whose threads may run any of several programs (calls with
  // alternatives, bounded repeats: spec/thread_body.h): one body per
  // thread, and then every threads[t] is empty. Empty for a concrete trace.
  // Only the model checker takes such a problem; its counterexamples are
  // concrete traces.
  std::vector<ThreadBody> bodies;
  // A lasso (docs/liveness.md): an infinite run written as a prefix and a
  // cycle. `loops[t]`: calls thread t runs for ever after its calls
  // (`repeat * {`), empty for none; `loops` is empty or one per thread.
  // `cycle`: the schedule run for ever after `schedule` (`cycle:` lines).
  std::vector<std::vector<Call>> loops;
  std::vector<int> cycle;
  // Source positions (filled by the parser, empty for built traces).
  std::vector<std::vector<SrcPos>> call_pos;  // [thread][call]
  std::vector<SrcPos> schedule_pos;           // [schedule entry]
  std::vector<SrcPos> cycle_pos;              // [cycle entry]

  bool concrete() const { return bodies.empty(); }
  bool lasso() const { return !cycle.empty(); }
  // Thread t's loop calls (empty if none).
  const std::vector<Call>& loop(int t) const {
    static const std::vector<Call> kNone;
    return static_cast<size_t>(t) < loops.size() ? loops[t] : kNone;
  }
  // Thread t's program: its body, or the body of its calls (and loop).
  ThreadBody body(int t) const {
    if (!bodies.empty()) return bodies[t];
    ThreadBody b = BodyOfCalls(threads[t]);
    if (!loop(t).empty())
      b.push_back(RepeatItem(0, kForever, BodyOfCalls(loop(t))));
    return b;
  }

  // Equality ignores positions.
  bool operator==(const Trace& o) const {
    return config == o.config && judge == o.judge && faults == o.faults &&
           thread_names == o.thread_names && threads == o.threads &&
           bodies == o.bodies && schedule == o.schedule &&
           impl_schedule == o.impl_schedule && expect == o.expect &&
           SameLoops(o) && cycle == o.cycle;
  }

 private:
  // Thread by thread: `loops` may stop short of the threads (no loop).
  bool SameLoops(const Trace& o) const {
    for (size_t t = 0; t < std::max(loops.size(), o.loops.size()); ++t)
      if (loop(static_cast<int>(t)) != o.loop(static_cast<int>(t)))
        return false;
    return true;
  }
};

struct ParseOptions {
  // Accept choices, argument ranges and repeats (docs/trace-format.md
  // "Choices"): a problem for the model checker (Trace::bodies). Without
  // this, the first one is an error at its position: every other command
  // runs one concrete trace.
  bool choices = false;
};

// Parses the text form. `filename` only labels errors, which read
// "FILE:LINE:COL: message" (absl::InvalidArgumentError). Never crashes.
absl::StatusOr<Trace> ParseTrace(const std::string& text,
                                 const std::string& filename,
                                 const ParseOptions& opts = {});
// Reads and parses a file (NotFound error if it cannot be read).
absl::StatusOr<Trace> ReadTraceFile(const std::string& path,
                                    const ParseOptions& opts = {});

// Canonical text: ParseTrace(PrintTrace(t)) == t, and printing a parsed trace
// is a fixed point after one round.
std::string PrintTrace(const Trace& t);

// One call as it appears in the text: "pin pin=0 pte=0".
std::string PrintCall(const Call& c);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_TRACE_TRACE_H_
