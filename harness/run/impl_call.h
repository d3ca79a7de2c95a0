// One spec call on the impl: the op -> Kernel method table, shared by the
// differential runner and the controlled scheduler (which includes it with
// the hooked copy's namespace, impl=impl_sched: an overload, not a clash).
#ifndef LIFECHECK_HARNESS_RUN_IMPL_CALL_H_
#define LIFECHECK_HARNESS_RUN_IMPL_CALL_H_

#include "config/no_coverage.h"
#include "impl/kernel.h"
#include "spec/check.h"
#include "spec/program.h"

namespace lifecheck {

// One call on the impl. The op names are the kernel's (impl/kernel.h).
LC_NO_COVERAGE inline int CallImpl(impl::Kernel& k, int t, const Call& c) {
  const int a = c.args[0], b = c.args[1], x = c.args[2];
  switch (c.op) {
    case Op::kLookup:
      return k.lookup(t, a);
    case Op::kDput:
      return k.dput(t, a);
    case Op::kDiscard:
      return k.d_make_discardable(t, a);
    case Op::kUnlink:
      return k.vfs_unlink(t, a);
    case Op::kUmount:
      return k.umount(t);
    case Op::kIgrab:
      return k.igrab(t, a);
    case Op::kIput:
      return k.iput(t, a);
    case Op::kEvLookup:
      return k.eventfs_lookup(t, a);
    case Op::kEvRemove:
      return k.eventfs_remove_dir(t, a);
    case Op::kEvOpen:
      return k.eventfs_open(t, a);
    case Op::kEvClose:
      return k.eventfs_release(t, a);
    case Op::kFault:
      return k.handle_mm_fault(t, a, b, x);
    case Op::kWriteFault:
      return k.do_wp_page(t, a);
    case Op::kStore:
      return k.user_store(t, a);
    case Op::kWriteback:
      return k.writeback(t, a, b, false);
    case Op::kWritebackSync:
      return k.writeback(t, a, b, true);
    case Op::kTruncate:
      return k.truncate(t, a, b);
    case Op::kMunmap:
      return k.munmap(t, a);
    case Op::kAlloc:
      return k.alloc_block(t, a, b);
    case Op::kPin:
      return k.pin_user_pages(t, a, b, false);
    case Op::kPinLongterm:
      return k.pin_user_pages(t, a, b, true);
    case Op::kPinFast:
      return k.pin_user_pages_fast(t, a, b);
    case Op::kDma:
      return k.dma_write(t, a);
    case Op::kUnpin:
      return k.unpin_user_page(t, a);
    case Op::kUnpinDirty:
      return k.unpin_user_pages_dirty_lock(t, a);
    case Op::kShrinkDcache:
      return k.shrink_dcache(t, a);
    case Op::kPruneIcache:
      return k.prune_icache(t, a);
    case Op::kReap:
      return k.lease_reap(t, a);
    case Op::kBreakWork:
      return k.lease_break_work(t, a);
    case Op::kBreakLease:
      return k.break_layout(t, a);
    case Op::kRemoveWork:
      return k.remove_work(t, a);
    case Op::kEvFormat:
      return k.eventfs_format(t, a);
    case Op::kStat:
      return k.stat(t, a);
    case Op::kCount:
      break;
  }
  LC_CHECK(false);
  return 0;
}

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_RUN_IMPL_CALL_H_
