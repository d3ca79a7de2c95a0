// The "z3" model-checking engine behind `lifecheck check --engine z3`.
// Reads McOptions: bound, prove (k-induction), por and symmetry (the Z3
// encoding's reductions), timeout_s, progress. Ignores bfs and max_states.
#include "mc/engine.h"
#include "mc/z3_bmc.h"

namespace lifecheck {
namespace {

McResult CheckZ3(const Trace& problem, const McOptions& opts) {
  Z3Options z;
  z.bound = opts.bound;
  z.prove = opts.prove;
  z.enc.por = opts.por;
  z.enc.symmetry = opts.symmetry;
  z.timeout_s = opts.timeout_s;
  z.progress = opts.progress;
  return CheckZ3Bmc(problem, z);
}

const RegisterMcEngine kZ3("z3", &CheckZ3);

}  // namespace
}  // namespace lifecheck
