// What every model-checking engine takes and returns, so that the explicit
// checker and the Z3 encoding are interchangeable behind `lifecheck check` and
// their verdicts can be compared (the agreement property).
//
// A problem is a trace without a schedule: a configuration and each thread's
// calls. A counterexample is the same trace with the schedule that reaches the
// violation, in units of spec steps (DESIGN principle 3: the one trace
// format), so `lifecheck run` replays it on the concrete spec.
#ifndef LIFECHECK_MC_ENGINE_H_
#define LIFECHECK_MC_ENGINE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/trace/trace.h"
#include "spec/findings.h"

namespace lifecheck {

enum class McVerdict : uint8_t {
  kCounterexample,   // a schedule reaches a violation or a deadlock
  kVerified,         // every schedule explored (explicit) or up to the bound
  kVerifiedToBound,  // no counterexample of <= bound steps (Z3 BMC)
  kProved,           // k-induction: no counterexample of any length
  kUnknown,          // a budget (time, states) ran out first
};
const char* McVerdictName(McVerdict v);  // "counterexample", "verified", ...

struct McResult {
  McVerdict verdict = McVerdict::kUnknown;
  Inv inv = Inv::kNone;  // the violated invariant, or Inv::kDeadlock
  Trace counterexample;  // problem + schedule, when verdict is kCounterexample
  double seconds = 0;
  int bound = 0;  // steps explored to (BMC) or the longest path seen
  // Engine figures for the report, in print order: {"states", "12345"},
  // {"bytes/state", "40"}, {"conflicts", "..."}, ...
  std::vector<std::pair<std::string, std::string>> stats;
};

// Knobs an engine may honour; each engine documents which it reads.
struct McOptions {
  int bound = 0;           // max schedule length in steps (0: engine default)
  bool prove = false;      // Z3: k-induction for an unbounded proof
  bool bfs = true;         // explicit: BFS (shortest counterexample) vs DFS
  bool por = true;         // explicit: partial-order reduction (DFS)
  bool symmetry = true;    // both: reduce identical threads
  double timeout_s = 0;    // 0: none
  int64_t max_states = 0;  // explicit: 0 = unlimited
  bool progress = false;   // progress lines on stderr for long runs
};

// An engine: problem (a trace; its schedule is ignored) -> verdict. Engines
// register by name ("explicit", "z3") so `lifecheck check --engine NAME` and
// the agreement tests reach them without naming their headers.
using McEngineFn = McResult (*)(const Trace& problem, const McOptions& opts);
struct RegisterMcEngine {
  RegisterMcEngine(const char* name, McEngineFn fn);
};
McEngineFn FindMcEngine(const std::string& name);  // nullptr if unknown
std::vector<std::string> McEngineNames();

}  // namespace lifecheck

#endif  // LIFECHECK_MC_ENGINE_H_
