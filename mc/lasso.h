// The concrete lasso of an infinite run an engine found (docs/liveness.md):
// the one way the explicit checker and Z3 write a STARVATION.
#ifndef LIFECHECK_MC_LASSO_H_
#define LIFECHECK_MC_LASSO_H_

#include <string>
#include <vector>

#include "harness/trace/trace.h"
#include "spec/program.h"

namespace lifecheck {

// One step of a run of a problem: thread t runs its instruction at `pc`
// (its pc, or the target of the junction it waits at).
struct LassoMove {
  int thread;
  int pc;
};

// The lasso of `prefix` then `cycle` (from InitWorld; every move enabled)
// over the flattened programs `progs` of `problem`. Each thread's calls are
// the ones it started, then, if it started calls on the cycle, a loop of
// the calls of one round, rotated so that the loop starts where the cycle
// does (a thread inside a call when the cycle starts makes that call its
// loop's first). A thread that starts none on the cycle goes on as
// ResolveCalls would: the rest of its call, then the first alternative at
// each junction. `# expect: STARVATION`.
Trace LassoTrace(const Trace& problem, const std::vector<ThreadProgram>& progs,
                 const std::vector<LassoMove>& prefix,
                 const std::vector<LassoMove>& cycle);

// The witness check (DESIGN principle 2): the lasso replays on the spec to
// a starvation of `starved`. Otherwise "" is not returned: the reason.
std::string CheckLasso(const Trace& lasso, int starved);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_LASSO_H_
