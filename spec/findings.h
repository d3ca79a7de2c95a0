// The closed taxonomy of findings (invariant IDs) and of kernel warnings.
//
// IDs are stable: reports, dedup, minimisation and corpus/regress `# expect:`
// headers key on the ID string. docs/invariants.md documents each one.
#ifndef LIFECHECK_SPEC_FINDINGS_H_
#define LIFECHECK_SPEC_FINDINGS_H_

#include <string_view>

namespace lifecheck {

// X(enumerator, "ID", "meaning", "seed")
#define LC_INVARIANTS(X)                                                       \
  X(kRef1, "I-REF-1", "reference count equals its ghost holders", "000")       \
  X(kRef2, "I-REF-2", "no get on a zero, dead or freed count", "003")          \
  X(kRef3, "I-REF-3", "no put below zero", "000")                              \
  X(kRef4, "I-REF-4", "no free while referenced; no use after free", "000")    \
  X(kDc1, "I-DC-1", "PERSISTENT flag owns exactly the +1 it claims", "000")    \
  X(kDc2, "I-DC-2", "d_make_discardable only on a PERSISTENT dentry", "000")   \
  X(kDc3, "I-DC-3", "a dead dentry is unreachable", "000")                     \
  X(kDc4, "I-DC-4", "no dentry survives shrink_dcache_for_umount", "000")      \
  X(kDc5, "I-DC-5", "no busy inode after generic_shutdown_super", "000")       \
  X(kDc6, "I-DC-6", "no internal dentry op once the shutdown began", "000")    \
  X(kEv1, "I-EV-1", "no open succeeds whose walk began after removal", "002")  \
  X(kEv2, "I-EV-2", "eventfs_inode released only once freed", "002")           \
  X(kEv3, "I-EV-3", "no use of a freed trace_event_file or event call", "002") \
  X(kPg1, "I-PG-1", "dirty page or writable PTE has fs metadata", "001")       \
  X(kPg3, "I-PG-3", "clear_page_dirty_for_io only under the page lock", "001") \
  X(kPg4, "I-PG-4", "fs metadata released only when clean and unmapped",       \
    "001")                                                                     \
  X(kPg5, "I-PG-5", "no mkwrite or writable PTE for a truncated page", "001")  \
  X(kPg6, "I-PG-6", "truncated range is unmapped", "001")                      \
  X(kGup1, "I-GUP-1", "folio_maybe_dma_pinned has no false negative", "003")   \
  X(kGup2, "I-GUP-2", "no FOLL_LONGTERM pin on fs-dax", "003")                 \
  X(kDax1, "I-DAX-1", "a block is freed only when idle", "003")                \
  X(kDax2, "I-DAX-2", "no DMA into a block of another owner", "003")           \
  X(kDax3, "I-DAX-3", "no access to a block outlives its inode", "004")        \
  X(kDax4, "I-DAX-4", "a busy scan that says idle is right", "003")            \
  X(kDax5, "I-DAX-5", "busy scan reads refcounts only after unmapping", "003") \
  X(kIno1, "I-INO-1", "an unlinked inode is evicted at its last iput", "004")  \
  X(kIno2, "I-INO-2", "evict only an unreferenced I_FREEING inode", "004")     \
  X(kLock1, "I-LOCK-1", "no sleeping work under a spinlock", "004")            \
  X(kLs1, "I-LS-1", "a lease and its dax_lease are freed exactly once", "003") \
  X(kLs2, "I-LS-2", "a second F_UNLCK does not call lm_change", "003")         \
  X(kLs3, "I-LS-3", "after a lease break no conflicting lease remains", "003") \
  X(kLs5, "I-LS-5", "break_work unlocks only once its pages were idle", "003") \
  X(kDeadlock, "DEADLOCK", "every thread with work left is blocked", "-")      \
  X(kStarvation, "STARVATION",                                                 \
    "a call never returns on a weakly fair run where others go on", "-")       \
  X(kDiffResult, "DIFF-RESULT", "impl and spec return the same values", "-")   \
  X(kDiffState, "DIFF-STATE", "Abstract(impl) equals the spec state", "-")     \
  X(kDiffBlock, "DIFF-BLOCK", "impl and spec block at the same step", "-")     \
  X(kDiffSched, "DIFF-SCHED", "the impl takes the spec schedule's steps", "-") \
  X(kLivelock, "LIVELOCK", "a run ends within the step bound", "-")

enum class Inv : int {
  kNone = 0,
#define LC_INV_ENUM(e, id, meaning, seed) e,
  LC_INVARIANTS(LC_INV_ENUM)
#undef LC_INV_ENUM
      kCount
};

// X(enumerator, "CODE", "kernel text")
#define LC_WARNINGS(X)                                                         \
  X(kRefcountAddUaf, "REFCOUNT_ADD_UAF",                                       \
    "refcount_t: addition on 0; use-after-free.")                              \
  X(kRefcountSubUaf, "REFCOUNT_SUB_UAF",                                       \
    "refcount_t: underflow; use-after-free.")                                  \
  X(kDputNonpositive, "DPUT_NONPOSITIVE",                                      \
    "WARN_ON_ONCE(dentry->d_lockref.count <= 0)")                              \
  X(kDiscardNonpersistent, "DISCARD_NONPERSISTENT",                            \
    "WARN_ON(!(dentry->d_flags & DCACHE_PERSISTENT))")                         \
  X(kUmountBusyDentry, "UMOUNT_BUSY_DENTRY",                                   \
    "BUG: Dentry still in use [unmount]")                                      \
  X(kBusyInodes, "BUSY_INODES", "VFS: Busy inodes after unmount")              \
  X(kEiReleaseNotFreed, "EI_RELEASE_NOT_FREED", "WARN_ON_ONCE(!ei->is_freed)") \
  X(kEvfilePutZero, "EVFILE_PUT_ZERO",                                         \
    "WARN_ON_ONCE(!refcount_read(&file->ref))")                                \
  X(kDaxTruncBusy, "DAX_TRUNC_BUSY",                                           \
    "WARN_ON_ONCE(trunc && page_ref_count(page) > 1)")                         \
  X(kClearDirtyUnlocked, "CLEAR_DIRTY_UNLOCKED",                               \
    "VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio)")

enum class Warn : int {
#define LC_WARN_ENUM(e, code, text) e,
  LC_WARNINGS(LC_WARN_ENUM)
#undef LC_WARN_ENUM
      kCount
};

std::string_view InvId(Inv i);  // "I-DAX-1"; "" for kNone
std::string_view InvMeaning(Inv i);
std::string_view InvSeed(Inv i);
bool ParseInvId(std::string_view s, Inv* out);
std::string_view WarnCode(Warn w);
std::string_view WarnText(Warn w);

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_FINDINGS_H_
