// Padding a failing trace with irrelevant calls: the input of the
// minimiser's "padded corpus" test and of its benchmark.
//
// The padding is neutral pairs — lookup/dput of one dentry, igrab/iput of one
// inode — put on new threads and in front of the original threads' calls,
// and the schedule first runs every padding step (threads interleaved at
// random, step by step), then the original schedule. A pair leaves the
// reference counts as it found them, so the original interleaving replays
// unchanged; PadTrace still checks the verdict with the oracle and retries
// with other draws if it changed.
#ifndef LIFECHECK_PROPS_PAD_H_
#define LIFECHECK_PROPS_PAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"

namespace lifecheck {

// `t` with `extra` more calls (an odd count ends with a lone lookup) that
// keep oracle(t)'s verdict; deterministic in `seed`. Error if no draw of
// 20 kept the verdict or the calls do not fit (kMaxThreads threads of
// at most 1000 calls).
absl::StatusOr<Trace> PadTrace(const Trace& t, int extra, uint64_t seed,
                               const Oracle& oracle);

}  // namespace lifecheck

#endif  // LIFECHECK_PROPS_PAD_H_
