#include "config/config.h"

#include <string>

namespace lifecheck {
namespace {

// One row per field; the macros keep get/set next to the name they belong to.
#define LC_NUM(field, lo, hi, help)                                          \
  ConfigField {                                                              \
#field, false,                                                           \
        {}, lo, hi,                                                          \
         [](const Config& c) { return c.field; },                            \
                                               [](Config & c,                \
                                                  int v) { c.field = v; },   \
                                                                        help \
  }
#define LC_ENUM(name, field, type, help, ...)                                 \
  ConfigField {                                                               \
    name, true, {__VA_ARGS__}, 0, 0,                                          \
        [](const Config& c) { return static_cast<int>(c.policy.field); },     \
        [](Config& c, int v) { c.policy.field = static_cast<type>(v); }, help \
  }

}  // namespace

const std::vector<ConfigField>& ConfigFields() {
  static const std::vector<ConfigField> kFields = {
      ConfigField{"fs",
                  false,
                  {"libfs", "disk", "dax"},
                  0,
                  0,
                  [](const Config& c) { return static_cast<int>(c.fs); },
                  [](Config& c, int v) { c.fs = static_cast<FsKind>(v); },
                  "filesystem kind: libfs (pinned dentries), disk (page "
                  "cache), dax (pages are blocks)"},
      LC_NUM(files, 0, kMaxFiles, "regular files (inodes 1..files)"),
      LC_NUM(pages, 0, kMaxIdx, "pages (blocks) per file"),
      LC_NUM(spare, 0, kMaxSpare, "free blocks/pages at start"),
      LC_NUM(ptes, 0, kMaxPtes, "PTE slots in the one mm"),
      LC_NUM(pins, 0, kMaxPins, "GUP pin slots (and FL_ALLOCATED leases)"),
      LC_NUM(events, 0, kMaxEvents, "eventfs event directories"),
      LC_ENUM("dentry_pin", dentry_pin, DentryPinScheme,
              "who owns a libfs dentry's +1", "persistent", "legacy_dget"),
      LC_ENUM("kill_sb", kill_sb, KillSb, "->kill_sb of the libfs", "anon",
              "litter"),
      LC_ENUM("mkwrite", mkwrite, MkwriteProtocol, "write-fault protocol",
              "fixed_2009", "old_racy"),
      LC_ENUM("mkwrite_returns_locked", fs_mkwrite_returns_locked, bool,
              "fs ->page_mkwrite returns VM_FAULT_LOCKED", "false", "true"),
      LC_ENUM("mkwrite_check_truncate", mkwrite_check_truncate, bool,
              "fs ->page_mkwrite re-checks mapping and i_size under the "
              "page lock",
              "false", "true"),
      LC_ENUM("fs_enospc", fs_enospc, bool,
              "the fs is full: ->page_mkwrite cannot reserve a block "
              "(ENOSPC, VM_FAULT_SIGBUS)",
              "false", "true"),
      LC_ENUM("eventfs_revalidate", eventfs_revalidate, EventfsRevalidate,
              "tracefs d_revalidate", "on", "off"),
      LC_ENUM("event_file_guard", event_file_guard, EventFileGuard,
              "event-file refcount + EVENT_FILE_FL_FREED", "on", "off"),
      LC_ENUM("dax_ref_base", dax_ref_base, DaxRefBase,
              "fs-dax page refcount base", "zero", "one"),
      LC_ENUM("busy_scan_skips_unmapped", busy_scan_skips_unmapped, bool,
              "busy scan returns early when nothing is mapped", "false",
              "true"),
      LC_ENUM("ptl_on_zap", ptl_on_zap, bool, "zap takes the page-table lock",
              "false", "true"),
      LC_ENUM("dax_scan_order", dax_scan_order, DaxScanOrder,
              "busy scan relative to unmapping the range", "unmap_then_scan",
              "scan_then_unmap"),
      LC_ENUM("dax_truncate", dax_truncate, DaxTruncatePolicy,
              "DAX truncate of DMA-busy blocks", "wait", "ebusy", "sequester",
              "none"),
      LC_ENUM("dax_truncate_mechanism", dax_truncate_mechanism,
              DaxTruncateMechanism, "how truncate finds busy blocks",
              "busy_scan", "fl_allocated_lease"),
      LC_ENUM("evict_barrier", evict_barrier, EvictDaxBarrier,
              "DAX barrier in inode eviction", "break_layout_final", "none",
              "drop_inode_keeps_busy"),
      LC_ENUM("longterm_pin", longterm_pin, LongtermPinOnFsdax,
              "FOLL_LONGTERM on fs-dax", "reject", "allow"),
      LC_ENUM("lease_break_refs", lease_break_refs, LeaseBreakRefs,
              "FL_ALLOCATED unlock reference discipline", "correct",
              "put_before_unlink"),
      LC_ENUM("kill_sb_quiesce", kill_sb_quiesce, KillSbQuiesce,
              "->kill_sb stops internal removers before shutdown",
              "cancel_work", "none"),
      LC_ENUM("eventfs_release_cb", eventfs_release_cb, EventfsReleaseCb,
              "eventfs_inode holds an event-file ref dropped by release_ei",
              "on", "off"),
      LC_ENUM("event_format_data", event_format_data, EventFormatData,
              "what a format file's i_private names", "event_file",
              "event_call"),
      LC_ENUM("lease_fs_lock", lease_fs_lock, LeaseFsLock,
              "FL_ALLOCATED setlease and reap under XFS_MMAPLOCK_EXCL",
              "mmaplock", "none"),
      LC_ENUM("pinned_page_private", pinned_page_private, PinnedPagePrivate,
              "reclaim keeps the fs-private data of a DMA-pinned page", "keep",
              "release"),
      LC_ENUM("prune_icache_pages", prune_icache_pages, PruneIcachePages,
              "the inode shrinker on an inode that still caches pages", "skip",
              "evict"),
  };
  return kFields;
}

// bool knobs list "false" first but default to true for some; the table stores
// the spelling by value (false=0, true=1), which is what static_cast gives.

std::string ValidateConfig(const Config& c) {
  for (const ConfigField& f : ConfigFields()) {
    if (!f.values.empty()) continue;
    int v = f.get(c);
    if (v < f.min || v > f.max)
      return std::string(f.name) + "=" + std::to_string(v) +
             " is out of range " + std::to_string(f.min) + ".." +
             std::to_string(f.max);
  }
  if (c.pins > 0 && c.fs != FsKind::kDax && c.fs != FsKind::kDisk)
    return "pins need fs=disk or fs=dax";
  return "";
}

}  // namespace lifecheck
