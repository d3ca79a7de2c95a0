#include "harness/findings/oracles.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "harness/run/diff.h"

namespace lifecheck {

Oracle DiffOracle(const impl::Faults& faults) {
  // One runner per oracle: it reuses the impl object across runs.
  auto runner = std::make_shared<DiffRunner>();
  runner->set_faults(faults);
  return [runner](const Trace& t) -> std::string {
    absl::StatusOr<std::vector<DiffCall>> calls =
        CallAtomicOrder(t, "<oracle>");
    if (!calls.ok()) return kInvalidVerdict;
    return DiffVerdict(runner->Run(t.config, *calls));
  };
}

absl::StatusOr<Oracle> OracleByName(const std::string& name) {
  if (name == "spec") return SpecOracle();
  if (name == "diff") return DiffOracle();
  return absl::InvalidArgumentError("unknown oracle '" + name +
                                    "' (expected spec or diff)");
}

}  // namespace lifecheck
