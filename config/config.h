// The configuration of a world: object counts and policy knobs.
//
// A configuration is everything a world needs besides the threads' calls: how
// many objects of each kind exist and which protocol variant each knob selects.
// The spec and the impl both take this one type (and include nothing of each
// other's, DESIGN principle 4), so a trace configures both the same way.
// Knob defaults are modern mainline (kernel-semantics §0.3); every other value
// is a historic or proposed variant that the seeds argue about.
#ifndef LIFECHECK_CONFIG_CONFIG_H_
#define LIFECHECK_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace lifecheck {

// Capacities. World state has fixed-size arrays of these lengths so that every
// state of every configuration is one plain value (comparable, hashable, and
// liftable to Z3 field by field). A configuration uses a prefix of each array.
inline constexpr int kMaxFiles = 3;  // regular files; inode/dentry 1..files
inline constexpr int kMaxIdx = 4;    // pages per file
inline constexpr int kMaxSpare = 3;  // free physical pages/blocks at start
inline constexpr int kMaxPages = kMaxFiles * kMaxIdx + kMaxSpare;
inline constexpr int kMaxInodes = 1 + kMaxFiles;  // inode 0 is the root dir
inline constexpr int kMaxEvents = 2;              // eventfs event directories
// dentry 0 = root, 1..files = files, then one "enable" dentry per event.
inline constexpr int kMaxDentries = 1 + kMaxFiles + kMaxEvents;
inline constexpr int kMaxPtes = 4;  // PTE slots of the one mm
inline constexpr int kMaxPins = 4;  // GUP pin slots (and FL_ALLOCATED leases)
inline constexpr int kMaxThreads = 8;
inline constexpr int kNone = -1;

// What kind of filesystem the superblock is. libfs: in-memory, every file's
// dentry pinned by the DentryPinScheme (seed 000). disk: dentries are caches
// kept at count 0, pages live in the page cache (seed 001). dax: disk with
// IS_DAX inodes whose pages are the storage blocks (seeds 003, 004).
enum class FsKind : uint8_t { kLibfs, kDisk, kDax };

// ---- policy knobs (first enumerator = mainline default) ----
enum class DentryPinScheme : uint8_t { kPersistentFlag, kLegacyDget };
enum class KillSb : uint8_t { kAnon, kLitter };
enum class MkwriteProtocol : uint8_t { kFixed2009, kOldRacy };
enum class EventfsRevalidate : uint8_t { kOn, kOff };
enum class EventFileGuard : uint8_t { kOn, kOff };
enum class DaxRefBase : uint8_t { kZeroBased, kOneBased };
enum class DaxScanOrder : uint8_t { kUnmapThenScan, kScanThenUnmap };
enum class DaxTruncatePolicy : uint8_t { kWait, kEbusy, kSequester, kNone };
enum class DaxTruncateMechanism : uint8_t { kBusyScan, kFlAllocatedLease };
enum class EvictDaxBarrier : uint8_t {
  kBreakLayoutFinal,
  kNone,
  kDropInodeKeepsBusy
};
enum class LongtermPinOnFsdax : uint8_t { kReject, kAllow };
enum class LeaseBreakRefs : uint8_t { kCorrect, kPutBeforeUnlink };
// ->kill_sb stops the filesystem's internal removers (e.g. functionfs's
// ->reset_work) before generic_shutdown_super, or does not (seed 000).
enum class KillSbQuiesce : uint8_t { kCancelWork, kNone };
// The eventfs_inode holds a reference on its trace_event_file that
// release_ei drops (b63db58e2fa5, May 2024), or holds none (seed 002).
enum class EventfsReleaseCb : uint8_t { kOn, kOff };
// What a `format` file's i_private names: the trace_event_file, read through
// event_file_file() under event_mutex (Aug 2024), or the event call itself.
enum class EventFormatData : uint8_t { kEventFile, kEventCall };
// FL_ALLOCATED setlease and reap_work's break under XFS_MMAPLOCK_EXCL (v3
// 13/13 xfs_file_setlease, xfs_vm_dax_flush_dma), or bare (12/13 alone).
enum class LeaseFsLock : uint8_t { kMmaplock, kNone };
// Reclaim keeps the fs-private data (buffers) of a page that may be DMA
// pinned ("mm: Do not reclaim private data from pinned page", Jan Kara,
// 2023), or releases it once the page is clean (before it; R-001c).
enum class PinnedPagePrivate : uint8_t { kKeep, kRelease };
// What the inode shrinker does with an unreferenced LRU inode that still
// caches pages: leave it (fs/inode.c inode_lru_isolate evicts only an inode
// whose mapping is empty; invalidate_mapping_pages leaves DAX entries alone,
// mm/truncate.c "for DAX we do nothing"), or evict it, the eviction barrier
// waiting for DMA inside reclaim (Chinner's objection, seed 004).
enum class PruneIcachePages : uint8_t { kSkip, kEvict };

struct Policies {
  DentryPinScheme dentry_pin = DentryPinScheme::kPersistentFlag;
  KillSb kill_sb = KillSb::kAnon;
  MkwriteProtocol mkwrite = MkwriteProtocol::kFixed2009;
  bool fs_mkwrite_returns_locked = true;
  // The filesystem's ->page_mkwrite re-checks, under the page lock, that
  // the page is still in the file and inside i_size, and returns
  // VM_FAULT_NOPAGE if not (folio_mkwrite_check_truncate: block_page_mkwrite
  // in fs/buffer.c, iomap_page_mkwrite in fs/iomap/buffered-io.c), or does
  // not (seed 001: "block allocation under dirty pages might be susceptible
  // to i_size changing under partial page at the end of file"; R-001b).
  bool mkwrite_check_truncate = true;
  // A world input, not a protocol variant: the filesystem is out of space,
  // so ->page_mkwrite cannot reserve a block and fails with VM_FAULT_SIGBUS
  // (block_page_mkwrite_return(-ENOSPC), include/linux/buffer_head.h;
  // nilfs_page_mkwrite's "return VM_FAULT_SIGBUS; /* -ENOSPC */"). Seed 001:
  // "page_mkwrite is allowed to fail".
  bool fs_enospc = false;
  EventfsRevalidate eventfs_revalidate = EventfsRevalidate::kOn;
  EventFileGuard event_file_guard = EventFileGuard::kOn;
  DaxRefBase dax_ref_base = DaxRefBase::kZeroBased;
  bool busy_scan_skips_unmapped = false;
  bool ptl_on_zap = true;
  DaxScanOrder dax_scan_order = DaxScanOrder::kUnmapThenScan;
  DaxTruncatePolicy dax_truncate = DaxTruncatePolicy::kWait;
  DaxTruncateMechanism dax_truncate_mechanism = DaxTruncateMechanism::kBusyScan;
  EvictDaxBarrier evict_barrier = EvictDaxBarrier::kBreakLayoutFinal;
  LongtermPinOnFsdax longterm_pin = LongtermPinOnFsdax::kReject;
  LeaseBreakRefs lease_break_refs = LeaseBreakRefs::kCorrect;
  KillSbQuiesce kill_sb_quiesce = KillSbQuiesce::kCancelWork;
  EventfsReleaseCb eventfs_release_cb = EventfsReleaseCb::kOn;
  EventFormatData event_format_data = EventFormatData::kEventFile;
  LeaseFsLock lease_fs_lock = LeaseFsLock::kMmaplock;
  PinnedPagePrivate pinned_page_private = PinnedPagePrivate::kKeep;
  PruneIcachePages prune_icache_pages = PruneIcachePages::kSkip;

  bool operator==(const Policies&) const = default;
};

struct Config {
  FsKind fs = FsKind::kDisk;
  int files = 1;   // regular files, 0..kMaxFiles
  int pages = 1;   // pages per file, 0..kMaxIdx
  int spare = 0;   // extra free physical pages/blocks, 0..kMaxSpare
  int ptes = 1;    // PTE slots, 0..kMaxPtes
  int pins = 0;    // pin slots, 0..kMaxPins
  int events = 0;  // eventfs event dirs, 0..kMaxEvents
  Policies policy;
  // Invariants not checked (bit i = Inv i), like choosing the INVARIANTs of a
  // TLC model: lets a trace show what happens after a first violation, e.g.
  // the DMA into a reallocated block (I-DAX-2) after the free (I-DAX-1).
  uint64_t ignore = 0;

  bool operator==(const Config&) const = default;

  // Derived layout.
  int dentries() const { return 1 + files + events; }
  int inodes() const { return 1 + files; }
  int phys_pages() const { return files * pages + spare; }
  int event_dentry(int e) const { return 1 + files + e; }
  bool is_dax() const { return fs == FsKind::kDax; }
  bool ignored(int inv) const { return (ignore >> inv) & 1; }
};

// A knob or size as text: the one table the trace parser, the printer, the CLI
// and the docs use. `get` returns the value's index into `values` (for enums
// and bools) or the number itself (for sizes, where `values` is empty).
struct ConfigField {
  const char* name;
  bool is_policy;                   // printed on the `policy` line
  std::vector<const char*> values;  // enum/bool spellings; empty for numbers
  int min, max;                     // for numbers
  int (*get)(const Config&);
  void (*set)(Config&, int);
  const char* help;
};
const std::vector<ConfigField>& ConfigFields();

// Empty if valid, else a message naming the offending field.
std::string ValidateConfig(const Config& c);

}  // namespace lifecheck

#endif  // LIFECHECK_CONFIG_CONFIG_H_
