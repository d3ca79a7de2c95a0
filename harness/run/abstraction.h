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
#ifndef LIFECHECK_HARNESS_RUN_ABSTRACTION_H_
#define LIFECHECK_HARNESS_RUN_ABSTRACTION_H_

#include "config/config.h"
#include "impl/kernel.h"
#include "impl/sync.h"
#include "spec/exec.h"
#include "spec/machine.h"

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

// Incremental abstraction (the differential runner's hot path). Between two
// call boundaries only the objects a call wrote can change, on either side:
// the spec's writes are its write log (Machine::footprint), the impl's are
// the sync layer's (impl::sync::WriteLog, on around the call).
//
// The objects the impl writes in `log` reached, added to `out`. False if the
// log overflowed or holds an address the abstraction cannot place: then
// every object may have changed. A write to the allocator's word marks every
// page (a page's st comes from it); writes to the superblock mark nothing,
// because the globals are always re-abstracted and compared.
bool ImplFootprint(const impl::Kernel& k, const impl::sync::WriteLog& log,
                   Touched* out);
// The slots `cfg` uses: a prefix of each array. The two functions below take
// a `t` within them (t &= UsedSlots(cfg)): a caller that runs many calls of
// one configuration computes it once (it was 3 % of the differential
// runner's time when each call computed it twice).
Touched UsedSlots(const Config& cfg);
// AbstractUsedInto restricted to the objects of `t` and the globals: equal
// to it when `out` held the abstraction of `k` before writes that reached
// only objects of `t`.
void AbstractTouchedInto(const impl::Kernel& k, const Touched& t, CWorld* out);
// AbstractUsedEquals restricted to the objects of `t` and the globals: equal
// to it when `abstract` and `spec` agreed on every other object.
bool AbstractTouchedEquals(const Touched& t, const CWorld& abstract,
                           const CWorld& spec);

// The part of a spec world the abstraction can match at a call boundary:
// `w` with th[] and violation cleared.
CWorld SpecWorldAtBoundary(const CWorld& w);
// AbstractInto(k) == SpecWorldAtBoundary(spec), without copies.
bool AbstractEquals(const CWorld& abstract, const CWorld& spec);
// The same restricted to the slots `cfg` uses (see AbstractUsedInto).
bool AbstractUsedEquals(const Config& cfg, const CWorld& abstract,
                        const CWorld& spec);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_ABSTRACTION_H_
