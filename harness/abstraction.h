// The abstraction function: impl state -> spec state (DESIGN principle 4,
// STYLE habit 5). The ONLY code that looks inside impl::Kernel.
//
// Stutter steps: an impl-internal step (a failed CAS, a retry, a fast path
// that falls back to the slow one, setting PG_waiters) changes nothing this
// function reads, so Abstract() is unchanged across it.
//
// Thread-local spec fields (th[].pc/ret/r) have no impl counterpart: the
// result has th[] zero and violation 0 (spec-only). Compare with
// SpecWorldAtBoundary().
#ifndef LIFECHECK_HARNESS_ABSTRACTION_H_
#define LIFECHECK_HARNESS_ABSTRACTION_H_

#include "config/config.h"
#include "impl/kernel.h"
#include "spec/exec.h"

namespace lifecheck {

// Precondition: no call is running on `k` (a quiescent point), or the caller
// accepts a racy snapshot (relaxed loads).
CWorld Abstract(const impl::Kernel& k);
// Fills `out` without a temporary (the differential runner's hot path).
void AbstractInto(const impl::Kernel& k, CWorld* out);
// Only the slots the configuration uses (a prefix of each array) and the
// globals; the other slots of `out` are left as they are. Unused slots never
// change on either side, so a caller that initialised `out` from
// InitWorld(cfg) gets the full abstraction at a fraction of the cost.
void AbstractUsedInto(const impl::Kernel& k, CWorld* out);

// The part of a spec world the abstraction can match at a call boundary:
// `w` with th[] and violation cleared.
CWorld SpecWorldAtBoundary(const CWorld& w);
// AbstractInto(k) == SpecWorldAtBoundary(spec), without copies.
bool AbstractEquals(const CWorld& abstract, const CWorld& spec);
// The same restricted to the slots `cfg` uses (see AbstractUsedInto).
bool AbstractUsedEquals(const Config& cfg, const CWorld& abstract,
                        const CWorld& spec);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_ABSTRACTION_H_
