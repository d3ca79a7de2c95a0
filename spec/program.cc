#include "spec/program.h"

#include <string>

#include "config/no_coverage.h"
#include "spec/check.h"

namespace lifecheck {
namespace {

constexpr OpInfo kOps[] = {
    {Op::kLookup,
     "lookup",
     1,
     {"d"},
     {ArgKind::kDentry},
     "dget by a name lookup"},
    {Op::kDput,
     "dput",
     1,
     {"d"},
     {ArgKind::kDentry},
     "drop a dentry reference"},
    {Op::kDiscard,
     "discard",
     1,
     {"d"},
     {ArgKind::kDentry},
     "d_make_discardable (or legacy dput of the pin)"},
    {Op::kUnlink,
     "unlink",
     1,
     {"d"},
     {ArgKind::kDentry},
     "vfs_unlink: drop nlink and pin, d_delete, iput, evict"},
    {Op::kUmount,
     "umount",
     0,
     {},
     {},
     "umount(2): -EBUSY if in use, else ->kill_sb (quiesce, shutdown)"},
    {Op::kIgrab, "igrab", 1, {"file"}, {ArgKind::kFile}, "take an inode ref"},
    {Op::kIput, "iput", 1, {"file"}, {ArgKind::kFile}, "drop an inode ref"},
    {Op::kEvLookup,
     "ev_lookup",
     1,
     {"ev"},
     {ArgKind::kEvent},
     "stat an eventfs file: instantiate and cache its dentry"},
    {Op::kEvRemove,
     "ev_remove",
     1,
     {"ev"},
     {ArgKind::kEvent},
     "remove a kprobe event: eventfs_remove_dir"},
    {Op::kEvOpen,
     "ev_open",
     1,
     {"ev"},
     {ArgKind::kEvent},
     "open events/<ev>/enable through the dcache"},
    {Op::kEvClose, "ev_close", 1, {"ev"}, {ArgKind::kEvent}, "close that file"},
    {Op::kFault,
     "fault",
     3,
     {"pte", "file", "index"},
     {ArgKind::kPte, ArgKind::kFile, ArgKind::kIndex},
     "read fault of a shared mapping: map the page read-only"},
    {Op::kWriteFault,
     "write_fault",
     1,
     {"pte"},
     {ArgKind::kPte},
     "write fault on a read-only PTE (page_mkwrite protocol)"},
    {Op::kStore,
     "store",
     1,
     {"pte"},
     {ArgKind::kPte},
     "user store through a PTE (no kernel code)"},
    {Op::kWriteback,
     "writeback",
     2,
     {"file", "index"},
     {ArgKind::kFile, ArgKind::kIndex},
     "write back one page"},
    {Op::kTruncate,
     "truncate",
     2,
     {"file", "size"},
     {ArgKind::kFile, ArgKind::kSize},
     "truncate a file to `size` pages"},
    {Op::kMunmap, "munmap", 1, {"pte"}, {ArgKind::kPte}, "zap one PTE"},
    {Op::kAlloc,
     "alloc",
     2,
     {"file", "index"},
     {ArgKind::kFile, ArgKind::kIndex},
     "write(2) into a hole: allocate a block"},
    {Op::kPin,
     "pin",
     2,
     {"pin", "pte"},
     {ArgKind::kPin, ArgKind::kPte},
     "pin_user_pages (slow path, FOLL_PIN|FOLL_WRITE)"},
    {Op::kPinLongterm,
     "pin_longterm",
     2,
     {"pin", "pte"},
     {ArgKind::kPin, ArgKind::kPte},
     "pin_user_pages with FOLL_LONGTERM"},
    {Op::kPinFast,
     "pin_fast",
     2,
     {"pin", "pte"},
     {ArgKind::kPin, ArgKind::kPte},
     "GUP-fast: lockless PTE read, grab, re-check"},
    {Op::kDma,
     "dma",
     1,
     {"pin"},
     {ArgKind::kPin},
     "device DMA write via a pin"},
    {Op::kUnpin, "unpin", 1, {"pin"}, {ArgKind::kPin}, "unpin_user_page"},
    {Op::kReap,
     "reap",
     1,
     {"pin"},
     {ArgKind::kPin},
     "FL_ALLOCATED reap_work (kworker): break, wait, drop the gup ref"},
    {Op::kBreakWork,
     "break_work",
     1,
     {"pin"},
     {ArgKind::kPin},
     "FL_ALLOCATED break_work (kworker): unlock once pages are idle"},
    {Op::kBreakLease,
     "break_lease",
     1,
     {"file"},
     {ArgKind::kFile},
     "break_allocated(inode, wait=true)"},
    {Op::kRemoveWork,
     "remove_work",
     1,
     {"d"},
     {ArgKind::kDentry},
     "fs-internal removal work (kworker): simple_remove_by_name"},
    {Op::kEvFormat,
     "ev_format",
     1,
     {"ev"},
     {ArgKind::kEvent},
     "cat events/<ev>/format: open, read (f_start), close"},
    {Op::kStat,
     "stat",
     1,
     {"d"},
     {ArgKind::kDentry},
     "a userspace path walk and path_put (lookup + dput in one call)"},
    {Op::kUnpinDirty,
     "unpin_dirty",
     1,
     {"pin"},
     {ArgKind::kPin},
     "driver DMA completion: unpin_user_pages_dirty_lock(make_dirty)"},
    {Op::kShrinkDcache,
     "shrink_dcache",
     1,
     {"d"},
     {ArgKind::kDentry},
     "the dentry shrinker (prune_dcache_sb) reaching d: kill it if unused"},
    {Op::kPruneIcache,
     "prune_icache",
     1,
     {"file"},
     {ArgKind::kFile},
     "the inode shrinker (prune_icache_sb) reaching file: evict it if unused"},
    {Op::kWritebackSync,
     "writeback_sync",
     2,
     {"file", "index"},
     {ArgKind::kFile, ArgKind::kIndex},
     "WB_SYNC_ALL writeback of one page (fsync): wait out IO in flight, "
     "write again"},
};
static_assert(sizeof(kOps) / sizeof(kOps[0]) ==
              static_cast<size_t>(Op::kCount));
constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < sizeof(kOps) / sizeof(kOps[0]); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return true;
}
static_assert(TableInEnumOrder(), "kOps rows must follow enum Op");

constexpr std::string_view kStepNames[] = {
#define LC_STEP_ROW(e) std::string_view(#e),
    LC_STEP_NAMES(LC_STEP_ROW)
#undef LC_STEP_ROW
};

using S = Step;

// The iput chain that every path dropping the last inode reference ends in:
// iput -> iput_final -> evict (with the DAX barrier) -> free.
#define LC_IPUT_CHAIN \
  S::kIputDec, S::kEvictBarrier, S::kEvictWait, S::kEvictFree

// A FOLL_WRITE GUP's faultin_page: map the PTE if absent, then the write
// fault (the write_fault op's steps); GUP retries from PinLockPtl after it.
#define LC_GUP_WRITE_FAULT                                                     \
  S::kPinFaultMap, S::kWfGetPage, S::kWfMkwrite, S::kWfLockPage, S::kWfSetPte, \
      S::kWfWaitLocked, S::kWfSetDirty, S::kWfUnlock

std::vector<Step> BuildSteps(Op op, const Config& cfg) {
  const bool dax = cfg.is_dax();
  const bool lease = dax && cfg.policy.dax_truncate_mechanism ==
                                DaxTruncateMechanism::kFlAllocatedLease;
  switch (op) {
    case Op::kLookup:
      return {S::kLookupGet};
    case Op::kDput:
      return {S::kDputFast, S::kDputSlow, S::kDentryKill, LC_IPUT_CHAIN};
    case Op::kDiscard:
      return {S::kDiscardFlag, S::kDentryKill, LC_IPUT_CHAIN};
    case Op::kUnlink:
      return {S::kUnlinkNlink, S::kDentryKill, LC_IPUT_CHAIN};
    case Op::kUmount:
      return {S::kKillSbQuiesce, S::kUmountLitter, S::kUmountShrink,
              S::kUmountCheck, S::kUmountEvict};
    case Op::kIgrab:
      return {S::kIgrabGet};
    case Op::kIput:
      return {LC_IPUT_CHAIN};
    case Op::kEvLookup:
      return {S::kEvLookupInst, S::kEvLookupPut};
    case Op::kEvRemove:
      return {S::kEvRemoveDir};
    case Op::kEvOpen:
      return {S::kEvOpenWalk, S::kEvOpenRevalidate, S::kEvOpenGet,
              S::kEvOpenCallback};
    case Op::kEvClose:
      return {S::kEvCloseRelease};
    case Op::kFault:
      return {S::kFaultMap};
    case Op::kWriteFault:
      return {S::kWfGetPage,    S::kWfMkwrite,  S::kWfLockPage, S::kWfSetPte,
              S::kWfWaitLocked, S::kWfSetDirty, S::kWfUnlock};
    case Op::kStore:
      return {S::kStoreUser};
    case Op::kWriteback:
      return {S::kWbLockClean, S::kWbStartIo, S::kWbIoDone};
    case Op::kWritebackSync:
      return {S::kWbLockClean, S::kWbWaitWriteback, S::kWbStartIo,
              S::kWbIoDone};
    case Op::kTruncate:
      if (!dax)
        return {S::kTruncSetSize, S::kTruncLockPage, S::kTruncInvalidate,
                S::kTruncUnmapAgain};
      if (cfg.policy.dax_truncate == DaxTruncatePolicy::kNone)
        return {S::kDaxTruncFree};
      // The lease truncate: xfs_break_allocated's loop, then the free.
      if (lease && cfg.policy.dax_truncate == DaxTruncatePolicy::kWait)
        return {S::kDaxBreakLeases, S::kDaxWaitLeases, S::kDaxTruncFree};
      return {S::kDaxScanUnmap, S::kDaxScan, S::kDaxWaitIdle, S::kDaxTruncFree};
    case Op::kMunmap:
      return {S::kMunmapZap, LC_IPUT_CHAIN};
    case Op::kAlloc:
      return {S::kAllocBlock};
    case Op::kPin:
    case Op::kPinLongterm:
      // __get_user_pages with the v3 lease: A1, the PTL grab, A3; a GUP
      // that fails after A1 unlocks and puts its lease (A3, result <= 0).
      if (lease)
        return {S::kPinLeaseSetup, S::kPinLockPtl,     S::kPinGrab,
                S::kPinLeasePages, S::kPinLeaseUnlink, S::kPinLeaseFail,
                LC_GUP_WRITE_FAULT};
      return {S::kPinLockPtl, S::kPinGrab, LC_GUP_WRITE_FAULT};
    case Op::kPinFast:
      return {S::kPinFastRead, S::kPinFastGrab, S::kPinFastRecheck};
    case Op::kDma:
      return {S::kDmaWrite};
    case Op::kUnpin:
      return {S::kUnpinPut};
    case Op::kUnpinDirty:
      return {S::kUnpinDirty};
    case Op::kShrinkDcache:
      return {S::kShrinkDentry, S::kDentryKill, LC_IPUT_CHAIN};
    case Op::kPruneIcache:
      return {S::kPruneIsolate, S::kEvictBarrier, S::kEvictWait, S::kEvictFree};
    case Op::kReap:
      return {S::kReapQueued, S::kReapBreak, S::kReapWait, S::kReapPut};
    case Op::kBreakWork:
      return {S::kBreakWorkQueued, S::kBreakWorkWait, S::kBreakWorkUnlock,
              S::kBreakWorkUnlink, S::kBreakWorkPut};
    case Op::kBreakLease:
      return {S::kDaxBreakLeases, S::kDaxWaitLeases};
    case Op::kRemoveWork:
      return {S::kRmWorkGet, S::kRmWorkDiscard, S::kRmWorkDput, S::kDentryKill,
              LC_IPUT_CHAIN};
    case Op::kStat:
      return {S::kLookupGet, S::kDputFast, S::kDputSlow, S::kDentryKill,
              LC_IPUT_CHAIN};
    case Op::kEvFormat:
      return {S::kEvOpenWalk, S::kEvOpenRevalidate, S::kEvOpenGet,
              S::kEvFormatRead, S::kEvFormatRelease};
    case Op::kCount:
      break;
  }
  return {};
}

// Step lists depend on the op and on a few configuration bits; StepsOf
// caches every variant so it is a table lookup on the hot path (m.go()).
int Variant(const Config& cfg) {
  return (cfg.is_dax() ? 1 : 0) |
         (cfg.policy.dax_truncate_mechanism ==
                  DaxTruncateMechanism::kFlAllocatedLease
              ? 2
              : 0) |
         (cfg.policy.dax_truncate == DaxTruncatePolicy::kNone   ? 8
          : cfg.policy.dax_truncate == DaxTruncatePolicy::kWait ? 0
                                                                : 16);
}

}  // namespace

LC_NO_COVERAGE const OpInfo& GetOpInfo(Op op) {
  LC_CHECK(static_cast<int>(op) < static_cast<int>(Op::kCount));
  return kOps[static_cast<int>(op)];
}

bool ParseOp(std::string_view name, Op* out) {
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    if (kOps[i].name == name) {
      *out = static_cast<Op>(i);
      return true;
    }
  }
  return false;
}

bool IsIdleWaitStep(Step s) {
  return s == Step::kReapQueued || s == Step::kBreakWorkQueued;
}

bool IsIdleWaitStep(std::string_view step_name) {
  return step_name == StepName(Step::kReapQueued) ||
         step_name == StepName(Step::kBreakWorkQueued);
}

bool IsConditionWaitStep(Step s) {
  switch (s) {
    case Step::kDaxWaitIdle:      // ___wait_var_event(page idle)
    case Step::kEvictWait:        // dax_break_layout_final, the same
    case Step::kWbWaitWriteback:  // folio_wait_writeback's loop
    case Step::kWfWaitLocked:     // folio_wait_locked: the bit, not the lock
    case Step::kDaxWaitLeases:    // __break_lease's wait_event
    case Step::kReapWait:         // reap_work's break_allocated(inode, true)
    case Step::kBreakWorkWait:    // break_work's HZ poll for idle pages
      return true;
    default:
      return false;
  }
}

std::string_view StepName(Step s) {
  LC_CHECK(static_cast<int>(s) < static_cast<int>(Step::kCount));
  return kStepNames[static_cast<int>(s)];
}

// Variant-major: the lists of one configuration are kOpCount consecutive
// entries, so StepLists hands out a row.
LC_NO_COVERAGE const std::vector<Step>* StepLists(const Config& cfg) {
  // Variant() has 5 bits but only 3 truncate variants matter with bit 3/4:
  // fold "wait" (0), "none" (8) and "other" (16) into 2 bits.
  constexpr int kOpCount = static_cast<int>(Op::kCount);
  static const auto* cache = [] {
    auto* c = new std::vector<std::vector<Step>>(kOpCount * 32);
    for (int v = 0; v < 32; ++v) {
      Config cfg;
      cfg.fs = (v & 1) ? FsKind::kDax : FsKind::kDisk;
      cfg.policy.dax_truncate_mechanism =
          (v & 2) ? DaxTruncateMechanism::kFlAllocatedLease
                  : DaxTruncateMechanism::kBusyScan;
      cfg.policy.dax_truncate = (v & 8)    ? DaxTruncatePolicy::kNone
                                : (v & 16) ? DaxTruncatePolicy::kEbusy
                                           : DaxTruncatePolicy::kWait;
      for (int op_i = 0; op_i < kOpCount; ++op_i)
        (*c)[v * kOpCount + op_i] = BuildSteps(static_cast<Op>(op_i), cfg);
    }
    return c;
  }();
  return cache->data() + Variant(cfg) * kOpCount;
}

LC_NO_COVERAGE const std::vector<Step>& StepsOf(Op op, const Config& cfg) {
  LC_CHECK(static_cast<int>(op) < static_cast<int>(Op::kCount));
  return StepLists(cfg)[static_cast<int>(op)];
}

int StepIndex(Op op, const Config& cfg, Step s) {
  const std::vector<Step>& steps = StepsOf(op, cfg);
  for (size_t i = 0; i < steps.size(); ++i)
    if (steps[i] == s) return static_cast<int>(i);
  return -1;
}

LC_NO_COVERAGE ArgRange ArgRangeOf(ArgKind kind, const Config& cfg) {
  switch (kind) {
    case ArgKind::kDentry:
      return {0, cfg.dentries() - 1};
    case ArgKind::kFile:
      return {1, cfg.files};
    case ArgKind::kIndex:
      return {0, cfg.pages - 1};
    case ArgKind::kSize:
      return {0, cfg.pages};
    case ArgKind::kPte:
      return {0, cfg.ptes - 1};
    case ArgKind::kPin:
      return {0, cfg.pins - 1};
    case ArgKind::kEvent:
      return {0, cfg.events - 1};
  }
  return {0, -1};
}

std::string ValidateCall(const Call& c, const Config& cfg) {
  if (static_cast<int>(c.op) >= static_cast<int>(Op::kCount))
    return "unknown op";
  const OpInfo& info = GetOpInfo(c.op);
  for (int k = 0; k < info.nargs; ++k) {
    const auto [lo, hi] = ArgRangeOf(info.arg_kinds[k], cfg);
    const int v = c.args[k];
    if (v < lo || v > hi) {
      std::string name(info.arg_names[k]);
      if (hi < lo)
        return name + "=" + std::to_string(v) +
               ": the configuration has no such object";
      return name + "=" + std::to_string(v) + " is out of range " +
             std::to_string(lo) + ".." + std::to_string(hi);
    }
  }
  for (int k = info.nargs; k < kMaxArgs; ++k)
    if (c.args[k] != 0) return "unused argument slot is not 0";
  return "";
}

LC_NO_COVERAGE void AppendCall(ThreadProgram& prog, const Call& c,
                               const Config& cfg) {
  const std::vector<Step>& steps = StepsOf(c.op, cfg);
  const size_t n = steps.size();
  LC_CHECK(n > 0);  // every op has a step: `call` counts calls
  // pcs are int16 in the world state (and in Insn).
  const size_t base = prog.size();
  LC_CHECK(base + n < 32767);
  const int16_t index = prog.empty() ? 0 : prog.back().call + 1;
  // The differential runner appends a call per call it runs: its buffers
  // keep their capacity, so this allocates only while a program grows.
  for (size_t k = 0; k < n; ++k)
    prog.insns.push_back(Insn{c.op, steps[k], static_cast<int16_t>(k),
                              static_cast<int16_t>(n),
                              static_cast<int16_t>(base), index, c.args});
}

ThreadProgram Flatten(const std::vector<Call>& calls, const Config& cfg) {
  ThreadProgram prog;
  for (const Call& c : calls) AppendCall(prog, c, cfg);
  return prog;
}

}  // namespace lifecheck
