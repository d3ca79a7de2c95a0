// Caller contracts: what a well-behaved caller guarantees before it makes a
// call, judged on the spec world at the moment the call is released.
//
// The spec checks protocols, and it also flags a caller that breaks the
// kernel API (dput of a reference the thread does not hold -> I-REF-1,
// d_make_discardable on a dentry that is not PERSISTENT -> I-DC-2, umount of
// a busy superblock -> I-DC-4). A random program breaks those contracts all
// the time; that is a bad test program, not a protocol bug. The fuzz harness
// therefore skips each call whose contract does not hold when its turn
// comes, as a careful caller would not make it, and runs the rest of the
// program (RunCallOrder with contracts on): only protocol findings remain,
// and no input is cut short by one bad call. The contracts read ghost
// holders only; they never restate a step.
#ifndef LIFECHECK_HARNESS_RUN_CALL_CONTRACT_H_
#define LIFECHECK_HARNESS_RUN_CALL_CONTRACT_H_

#include <string>

#include "config/config.h"
#include "spec/exec.h"
#include "spec/program.h"

namespace lifecheck {

// True if thread `t` may make call `c` in world `w`:
//   dput d       t holds a reference on d (lookup/open ghost holder)
//   discard d    the fs's own +1 exists (PERSISTENT or legacy pin)
//   unlink d     on a libfs, a hashed positive file dentry still has the
//                fs's own +1 (it was not removed already: a kernel-internal
//                removal unhashes it first, so no lookup finds it)
//   iput f       t holds an igrab reference on inode f
//   umount       the superblock is active, and no thread holds a dentry,
//                an inode or an open event file, and nothing is mapped
//   ev_close e   some open of event e is outstanding
//   dma/unpin p  pin slot p is held
// Every other call is always allowed.
bool CallerContractHolds(const CWorld& w, const Config& cfg, int t,
                         const Call& c);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_CALL_CONTRACT_H_
