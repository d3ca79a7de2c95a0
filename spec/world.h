// The world state of the spec, generic over a value domain D.
//
// Every field is listed once, in an X-macro, so that one visitor serves every
// purpose that needs "all fields": equality and hashing (the model checker),
// lifting to Z3 (mc/), and the "what changed" column of the interleaving table.
// Each field is a D::Int or a D::Bool; in the concrete domain that is int16_t
// or bool, so World<Concrete> is a small plain value.
//
// Ghost fields (prefix g_ or h_) are what the kernel does not keep but the
// oracle needs: who holds each reference (kernel-semantics §0.2).
#ifndef LIFECHECK_SPEC_WORLD_H_
#define LIFECHECK_SPEC_WORLD_H_

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "config/config.h"

namespace lifecheck {

// Values of Page::st.
inline constexpr int kBlkFree = 0;
inline constexpr int kBlkOwned = 1;  // in the page cache / owned by a file
inline constexpr int kBlkSequestered = 2;  // DAX: re-homed to lost+found

inline constexpr int kDentryDead = -128;  // lockref_mark_dead
inline constexpr int kGupPinBias = 1024;  // GUP_PIN_COUNTING_BIAS
// refcount_t saturation, scaled to the 16-bit concrete domain (the kernel uses
// INT_MIN/2); it only has to be far from any reachable count.
inline constexpr int kRefcountSaturated = -16384;
inline constexpr int kLostFound = 99;  // Page::owner of a SEQUESTERED block

// X(type, name, array-length or 0 for a scalar)
#define LC_DENTRY_FIELDS(X)                                                 \
  X(Int, count, 0)           /* d_lockref.count; kDentryDead once killed */ \
  X(Bool, persistent, 0)     /* DCACHE_PERSISTENT */                        \
  X(Bool, hashed, 0)         /* findable by name */                         \
  X(Bool, positive, 0)       /* has an inode (the one with the same id) */  \
  X(Bool, genocide, 0)       /* legacy d_genocide marker */                 \
  X(Bool, freed, 0)          /* ghost: memory returned */                   \
  X(Int, h_persist, 0)       /* ghost holder: the PERSISTENT +1 */          \
  X(Int, h_pin, 0)           /* ghost holder: legacy unpaired dget */       \
  X(Int, h_child, 0)         /* ghost holder: live children */              \
  X(Int, h_root, 0)          /* ghost holder: sb->s_root */                 \
  X(Int, h_thr, kMaxThreads) /* ghost holder: lookups/opens per thread */

#define LC_INODE_FIELDS(X)                                                    \
  X(Int, i_count, 0)                                                          \
  X(Int, i_nlink, 0)                                                          \
  X(Int, size, 0)            /* i_size in pages */                            \
  X(Bool, freeing, 0)        /* I_FREEING: eviction started */                \
  X(Bool, on_lru, 0)         /* cached at i_count == 0 */                     \
  X(Int, rwsem, 0)           /* i_rwsem writer (truncate), or -1 */           \
  X(Int, mmaplock, 0)        /* fault lock writer (invalidate_lock), or -1 */ \
  X(Bool, freed, 0)          /* ghost: destroy_inode done */                  \
  X(Int, h_alias, 0)         /* ghost holder: positive dentry aliases */      \
  X(Int, h_vma, 0)           /* ghost holder: mappings (vma->vm_file) */      \
  X(Int, h_thr, kMaxThreads) /* ghost holder: igrab per thread */             \
  X(Int, map, kMaxIdx)       /* page cache / DAX extent: index -> page or -1 */

// A physical page. For a DAX file the page IS the storage block (seed 003).
#define LC_PAGE_FIELDS(X)                                              \
  X(Int, st, 0)    /* kBlkFree / kBlkOwned / kBlkSequestered */        \
  X(Int, owner, 0) /* page->mapping / block owner inode, or -1 */      \
  X(Int, index, 0)                                                     \
  X(Int, gen, 0) /* ghost: ++ on every (re)allocation */               \
  X(Int, refcount, 0)                                                  \
  X(Int, mapcount, 0)                                                  \
  X(Bool, locked, 0)    /* PG_locked */                                \
  X(Int, lock_owner, 0) /* ghost: thread holding PG_locked, or -1 */   \
  X(Bool, dirty, 0)                                                    \
  X(Bool, writeback, 0)                                                \
  X(Bool, fs_meta, 0) /* fs metadata attached (seed 001) */            \
  X(Int, g_base, 0)   /* ghost: page-cache ref / ONE_BASED DAX base */ \
  X(Int, g_trans, 0)  /* ghost: transient refs held by threads */      \
  X(Int, g_spec, 0)   /* ghost: GUP-fast grabs not yet rechecked */

#define LC_PTE_FIELDS(X)                                        \
  X(Bool, present, 0)                                           \
  X(Int, page, 0)                                               \
  X(Bool, writable, 0)                                          \
  X(Bool, dirty, 0)                                             \
  X(Int, file, 0) /* the VMA's file and offset for this slot */ \
  X(Int, index, 0)

#define LC_PIN_FIELDS(X)                                          \
  X(Bool, held, 0)                                                \
  X(Int, page, 0)                                                 \
  X(Bool, longterm, 0)                                            \
  X(Int, file, 0) /* ghost: what the pinner believed it pinned */ \
  X(Int, index, 0)                                                \
  X(Int, gen, 0)

// The FL_ALLOCATED lease of seed 003 (one per pin slot) with its dax_lease.
#define LC_LEASE_FIELDS(X)                                         \
  X(Bool, on_list, 0)   /* file_lock on the inode's lease list */  \
  X(Int, dl_count, 0)   /* atomic_t dl_count */                    \
  X(Bool, pages_set, 0) /* DAX_LEASE_PAGES */                      \
  X(Bool, breaking, 0)  /* DAX_LEASE_BREAK */                      \
  X(Bool, allocated, 0) /* ghost: dl exists (alloc seen) */        \
  X(Bool, freed, 0)     /* ghost: kfree(dl) done */                \
  X(Int, file, 0)                                                  \
  X(Bool, reap_queued, 0) /* dl_reap_work queued, not finished */  \
  X(Bool, work_queued, 0) /* dl_break_work queued, not finished */ \
  X(Int, h_list, 0)       /* ghost holder A: on the lease list */  \
  X(Int, h_reap, 0)       /* ghost holder B: gup/reap owner */     \
  X(Int, h_break, 0)      /* ghost holder C: break_work in flight */

// An eventfs directory (eventfs_inode) with its one trace_event_file.
#define LC_EVENT_FIELDS(X)                                         \
  X(Int, kref, 0)         /* eventfs_inode kref */                 \
  X(Bool, is_freed, 0)    /* ei->is_freed */                       \
  X(Bool, removed, 0)     /* ghost: eventfs_remove_dir returned */ \
  X(Int, ef_ref, 0)       /* trace_event_file.ref (refcount_t) */  \
  X(Bool, ef_fl_freed, 0) /* EVENT_FILE_FL_FREED */                \
  X(Bool, ef_freed, 0)    /* ghost: event file memory freed */     \
  X(Int, h_opens, 0)      /* ghost holder: opens holding ef_ref */ \
  X(Int, h_ei, 0)         /* ghost holder: the ei's ef_ref */

#define LC_THREAD_FIELDS(X)                                      \
  X(Int, pc, 0)  /* index into the thread's flattened program */ \
  X(Int, ret, 0) /* return value of the current call */          \
  X(Int, r, 4)   /* registers carried between steps of one call */

#define LC_GLOBAL_FIELDS(X)                                                  \
  X(Bool, sb_active, 0)                                                      \
  X(Bool, sb_dying, 0)       /* umount detached the mount: ->kill_sb runs */ \
  X(Int, mnt_count, 0)       /* userspace references to the mount */         \
  X(Int, rm_work, 0)         /* thread running an internal remover, or -1 */ \
  X(Bool, work_cancelled, 0) /* ->kill_sb cancelled the removers */          \
  X(Int, ptl_owner, 0)       /* page-table lock holder, or -1 */             \
  X(Int, violation, 0)       /* first invariant violated (Inv), 0 = none */  \
  X(Bool, warned, kNumWarnSlots) /* kernel warnings seen (Warn) */

inline constexpr int kNumWarnSlots = 16;

#define LC_DECLARE_FIELD(type, name, n) \
  std::conditional_t<(n) == 0, type, std::array<type, (n) == 0 ? 1 : (n)>> name;

template <class D>
struct World {
  using Int = typename D::Int;
  using Bool = typename D::Bool;
  struct Dentry {
    LC_DENTRY_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Dentry&) const = default;
  };
  struct Inode {
    LC_INODE_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Inode&) const = default;
  };
  struct Page {
    LC_PAGE_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Page&) const = default;
  };
  struct Pte {
    LC_PTE_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Pte&) const = default;
  };
  struct Pin {
    LC_PIN_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Pin&) const = default;
  };
  struct Lease {
    LC_LEASE_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Lease&) const = default;
  };
  struct Event {
    LC_EVENT_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Event&) const = default;
  };
  struct Thread {
    LC_THREAD_FIELDS(LC_DECLARE_FIELD)
    bool operator==(const Thread&) const = default;
  };

  std::array<Dentry, kMaxDentries> d;
  std::array<Inode, kMaxInodes> ino;
  std::array<Page, kMaxPages> pg;
  std::array<Pte, kMaxPtes> pte;
  std::array<Pin, kMaxPins> pin;
  std::array<Lease, kMaxPins> lease;
  std::array<Event, kMaxEvents> ev;
  std::array<Thread, kMaxThreads> th;
  LC_GLOBAL_FIELDS(LC_DECLARE_FIELD)

  // A concrete world is a value: the model checker stores millions of them.
  // (Never instantiated for the symbolic domain.)
  bool operator==(const World&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const World& w) {
    VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
      h = H::combine(std::move(h), v);
    });
    return h;
  }
};

// Calls f(object_kind, object_index, field_name, element_index, field&) for
// every scalar of the world; element_index is -1 for scalar fields and
// object_index is -1 for globals. Works for const and non-const worlds and for
// pairs of worlds of different domains (see VisitWorld2).
namespace world_detail {
template <class T, class F>
void Elem(const char* kind, int oi, const char* name, T& v, F& f) {
  f(kind, oi, name, -1, v);
}
template <class T, size_t N, class F>
void Elem(const char* kind, int oi, const char* name, std::array<T, N>& v,
          F& f) {
  for (size_t i = 0; i < N; ++i) f(kind, oi, name, static_cast<int>(i), v[i]);
}
template <class T, size_t N, class F>
void Elem(const char* kind, int oi, const char* name, const std::array<T, N>& v,
          F& f) {
  for (size_t i = 0; i < N; ++i) f(kind, oi, name, static_cast<int>(i), v[i]);
}
}  // namespace world_detail

#define LC_VISIT_FIELD(type, name, n) \
  world_detail::Elem(kind, oi, #name, o.name, f);
#define LC_VISIT_ARRAY(arr, kind_name, FIELDS) \
  for (size_t i = 0; i < w.arr.size(); ++i) {  \
    auto& o = w.arr[i];                        \
    const char* kind = kind_name;              \
    int oi = static_cast<int>(i);              \
    FIELDS(LC_VISIT_FIELD)                     \
  }

template <class W, class F>
void VisitWorld(W& w, F&& f) {
  LC_VISIT_ARRAY(d, "d", LC_DENTRY_FIELDS)
  LC_VISIT_ARRAY(ino, "inode", LC_INODE_FIELDS)
  LC_VISIT_ARRAY(pg, "pg", LC_PAGE_FIELDS)
  LC_VISIT_ARRAY(pte, "pte", LC_PTE_FIELDS)
  LC_VISIT_ARRAY(pin, "pin", LC_PIN_FIELDS)
  LC_VISIT_ARRAY(lease, "lease", LC_LEASE_FIELDS)
  LC_VISIT_ARRAY(ev, "ev", LC_EVENT_FIELDS)
  LC_VISIT_ARRAY(th, "th", LC_THREAD_FIELDS) {
    auto& o = w;
    const char* kind = "";
    int oi = -1;
    LC_GLOBAL_FIELDS(LC_VISIT_FIELD)
  }
}

// The printed name of a scalar VisitWorld reports: "pg[2].refcount",
// "d[1].h_thr[0]", "ptl_owner". Tables, Z3 constant names and world diffs
// all use it, so one field reads the same everywhere.
inline std::string WorldFieldName(const char* kind, int oi, const char* field,
                                  int ei) {
  std::string s = kind;
  if (oi >= 0) s += "[" + std::to_string(oi) + "]";
  if (!s.empty()) s += ".";
  s += field;
  if (ei >= 0) s += "[" + std::to_string(ei) + "]";
  return s;
}

#undef LC_VISIT_ARRAY
#undef LC_VISIT_FIELD

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_WORLD_H_
