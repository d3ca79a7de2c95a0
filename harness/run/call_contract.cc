#include "harness/run/call_contract.h"

#include "config/no_coverage.h"

namespace lifecheck {
namespace {

LC_NO_COVERAGE bool SuperblockIdle(const CWorld& w, const Config& cfg) {
  if (!static_cast<bool>(w.sb_active)) return false;
  for (int d = 0; d < cfg.dentries(); ++d)
    for (int t = 0; t < kMaxThreads; ++t)
      if (static_cast<int>(w.d[d].h_thr[t]) > 0) return false;
  for (int i = 0; i < cfg.inodes(); ++i) {
    if (static_cast<int>(w.ino[i].h_vma) > 0) return false;
    for (int t = 0; t < kMaxThreads; ++t)
      if (static_cast<int>(w.ino[i].h_thr[t]) > 0) return false;
  }
  for (int e = 0; e < cfg.events; ++e)
    if (static_cast<int>(w.ev[e].h_opens) > 0) return false;
  return true;
}

}  // namespace

LC_NO_COVERAGE bool CallerContractHolds(const CWorld& w, const Config& cfg,
                                        int t, const Call& c) {
  const int a0 = c.args[0];
  switch (c.op) {
    case Op::kDput:
      return static_cast<int>(w.d[a0].h_thr[t]) > 0;
    case Op::kDiscard:
      return static_cast<int>(w.d[a0].h_persist) > 0 ||
             static_cast<int>(w.d[a0].h_pin) > 0;
    case Op::kUnlink:
    case Op::kRemoveWork:
      // vfs_unlink, and the fs's own removal work (simple_remove_by_name),
      // find their dentry by name. A kernel-internal removal
      // (simple_recursive_removal) d_invalidate()s a libfs dentry before
      // d_make_discardable, so no unlink can reach a dentry already removed
      // that way; the spec's discard is the bare d_make_discardable and
      // leaves it hashed. A hashed positive libfs file dentry therefore
      // still owns the fs's +1 when either is called (else: a double
      // removal, corpus 000-discard-then-unlink and
      // 000-discard-then-remove-work).
      if (cfg.fs != FsKind::kLibfs || a0 < 1 || a0 > cfg.files ||
          !static_cast<bool>(w.d[a0].hashed) ||
          !static_cast<bool>(w.d[a0].positive))
        return true;
      return static_cast<int>(w.d[a0].h_persist) > 0 ||
             static_cast<int>(w.d[a0].h_pin) > 0;
    case Op::kIput:
      return static_cast<int>(w.ino[a0].h_thr[t]) > 0;
    case Op::kUmount:
      return SuperblockIdle(w, cfg);
    case Op::kEvClose:
      return static_cast<int>(w.ev[a0].h_opens) > 0;
    case Op::kDma:
    case Op::kUnpin:
    case Op::kUnpinDirty:
      return static_cast<bool>(w.pin[a0].held);
    default:
      return true;
  }
}

}  // namespace lifecheck
