// The oracles `lifecheck minimize` and `lifecheck triage` can minimise
// against (harness/findings/minimize.h Oracle): what "fails the same way"
// means.
//
//   spec  SpecVerdict: replay on the spec; verdict = invariant ID, DEADLOCK
//         or clean. Any schedule.
//   diff  the differential runner (harness/run/diff.h RunDiffTrace): spec and
//         impl call by call; verdict = a spec invariant ID, DIFF-RESULT,
//         DIFF-STATE, DIFF-BLOCK or clean. Only call-atomic schedules (each
//         call's steps contiguous); any other candidate is kInvalidVerdict,
//         i.e. "does not fail", so the minimiser stays inside them.
#ifndef LIFECHECK_HARNESS_FINDINGS_ORACLES_H_
#define LIFECHECK_HARNESS_FINDINGS_ORACLES_H_

#include <string>

#include "absl/status/statusor.h"
#include "harness/findings/minimize.h"
#include "impl/kernel.h"

namespace lifecheck {

// `faults` plants impl bugs (impl/kernel.h) for tests of the DIFF-* path.
Oracle DiffOracle(const impl::Faults& faults = {});

// "spec" or "diff"; InvalidArgument naming the choices otherwise.
absl::StatusOr<Oracle> OracleByName(const std::string& name);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_ORACLES_H_
