// Named model-checking problems (`lifecheck check --scenario NAME`): each is
// a seed's racing operations as threads, sized by --pages and --pinners, with
// the policy variants CI checks and the verdict each must give.
//
// A scenario builds a problem trace (config + threads, no schedule) in the
// one trace format, so every engine takes it. Where a thread may do any of
// several things (a pinner choosing a page), its program has choices
// (spec/thread_body.h) and a counterexample is the concrete trace of the
// run: the calls taken, plus a schedule.
#ifndef LIFECHECK_MC_SCENARIO_H_
#define LIFECHECK_MC_SCENARIO_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/trace/trace.h"

namespace lifecheck {

// knob=value, spelled as in a trace's `policy` line (ConfigFields()).
using PolicySetting = std::pair<std::string, std::string>;

struct ScenarioVariant {
  std::vector<PolicySetting> policy;  // empty: mainline
  // "verified" (no finding in any interleaving) or the invariant ID the
  // counterexample must name ("I-DAX-1", "DEADLOCK").
  std::string expect;
  const char* why;  // the race (kernel-semantics §5 id) or "mainline"
};

struct ScenarioInfo {
  const char* name;
  const char* description;
  const char* threads;  // one line per thread kind, for --list-scenarios
  std::vector<std::string> knobs;  // the knobs that matter here
  // Settings every variant starts from (e.g. the lease mechanism for the
  // lease scenario); --policy and a variant's own settings come after.
  std::vector<PolicySetting> base;
  int default_pages, max_pages;
  int default_pinners, max_pinners;
  std::vector<ScenarioVariant> variants;
  // The problem (config without policies, and each thread's program).
  Trace (*build)(int pages, int pinners);
};

const std::vector<ScenarioInfo>& Scenarios();
const ScenarioInfo* FindScenario(const std::string& name);

// Applies knob=value settings to `cfg`. InvalidArgument naming the choices
// for an unknown knob or value.
absl::Status ApplyPolicy(const std::vector<PolicySetting>& policy, Config& cfg);

// The problem trace of scenario `name`; pages/pinners <= 0 take the
// scenario's defaults. InvalidArgument (listing the choices) for an unknown
// scenario, out-of-range sizes, or a bad knob/value.
absl::StatusOr<Trace> BuildScenario(const std::string& name, int pages,
                                    int pinners,
                                    const std::vector<PolicySetting>& policy);

// "knob=value knob=value" ("mainline" for none).
std::string PolicyText(const std::vector<PolicySetting>& policy);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_SCENARIO_H_
