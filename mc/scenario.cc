#include "mc/scenario.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lifecheck {
namespace {

// Thread names: P0.. for the identical workers, then one letter per role.
std::string Worker(int k) { return absl::StrCat("P", k); }

// dax-truncate (S-003-1, R-003a/b/c): K identical pinners — threads of one
// process, or K DMA requests of one driver — each fault the process's one
// PTE on page 0, pin the page through it into their own pin slot, munmap the
// PTE (the process exits while the device still owns the pin, R-003c), DMA
// into the page and unpin. T truncates the N-page file to 0 (busy scan over
// all N pages); C writes into the hole at index 0, reallocating a freed
// block. Every fault is followed by its thread's munmap: a page a pinner
// re-maps while truncate sleeps in wait_page_idle is unmapped again later
// (otherwise mainline WAIT waits for that mapping forever: a liveness
// finding, not the race this scenario is about).
std::string BuildDaxTruncate(int pages, int pinners) {
  std::string s = absl::StrCat("config fs=dax files=1 pages=", pages,
                               " spare=0 ptes=1 pins=", pinners, "\n");
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    absl::StrAppend(&s, t, "fault pte=0 file=1 index=0\n", t, "pin pin=", k,
                    " pte=0\n", t, "munmap pte=0\n", t, "dma pin=", k, "\n", t,
                    "unpin pin=", k, "\n");
  }
  absl::StrAppend(&s, "thread T: truncate file=1 size=0\n",
                  "thread C: alloc file=1 index=0\n");
  return s;
}

// mkwrite (S-001-1/2, R-001a): K writers fault their own PTE of page k%N
// read-only, take the write fault (page_mkwrite) and store; W writes page 0
// back.
std::string BuildMkwrite(int pages, int pinners) {
  std::string s = absl::StrCat("config fs=disk files=1 pages=", pages,
                               " ptes=", pinners, "\n");
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    absl::StrAppend(&s, t, "fault pte=", k, " file=1 index=", k % pages, "\n",
                    t, "write_fault pte=", k, "\n", t, "store pte=", k, "\n");
  }
  absl::StrAppend(&s, "thread W: writeback file=1 index=0\n");
  return s;
}

// pin-writeback (R-001c): K processes map page k%N and pin it through
// their PTE with FOLL_WRITE (the GUP write-faults: ->page_mkwrite attaches
// the fs metadata); driver D_k DMAs into the page and completes with
// unpin_user_pages_dirty_lock; W writes page 0 back, write-protecting the
// PTEs, and the fs may release its metadata once the page is clean.
std::string BuildPinWriteback(int pages, int pinners) {
  std::string s = absl::StrCat("config fs=disk files=1 pages=", pages,
                               " ptes=", pinners, " pins=", pinners, "\n");
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    const std::string d = absl::StrCat("thread D", k, ": ");
    absl::StrAppend(&s, t, "fault pte=", k, " file=1 index=", k % pages, "\n",
                    t, "pin pin=", k, " pte=", k, "\n", d, "dma pin=", k, "\n",
                    d, "unpin_dirty pin=", k, "\n");
  }
  absl::StrAppend(&s, "thread W: writeback file=1 index=0\n");
  return s;
}

// lease (S-003-4, R-003d): the FL_ALLOCATED lease as posted (seed 003 v3
// 12/13 + 13/13). A maps the file's first page and writes to it; D is the
// driver: it pins the page through A's mapping (the GUP takes the lease:
// holders A and B; before A's write fault, its FOLL_WRITE fault is the
// GUP's), DMAs and, on completion, unpins; R is reap_work and W
// break_work, kworkers that idle until queued; T truncates the file to 0.
// With 1-based refcounts (the 2017 era the patch was written for).
std::string BuildLease(int pages, int) {
  return absl::StrCat(
      "config fs=dax files=1 pages=", pages, " spare=0 ptes=1 pins=1\n",
      "thread A: fault pte=0 file=1 index=0\n", "thread A: write_fault pte=0\n",
      "thread D: pin pin=0 pte=0\n", "thread D: dma pin=0\n",
      "thread D: unpin pin=0\n", "thread R: reap pin=0\n",
      "thread W: break_work pin=0\n", "thread T: truncate file=1 size=0\n");
}

// umount (S-000-1/2, R-000a/b): a libfs with N files whose ->kill_sb
// teardown F drops its pin of every file (d_make_discardable, or the legacy
// dput) and then unmounts. One thread: this is the shutdown sequence itself;
// a remover racing it is umount-race.
std::string BuildUmount(int pages, int) {
  std::string s =
      absl::StrCat("config fs=libfs files=", pages, " pages=0 ptes=0\n");
  for (int f = 1; f <= pages; ++f)
    absl::StrAppend(&s, "thread F: discard d=", f, "\n");
  absl::StrAppend(&s, "thread F: umount\n");
  return s;
}

// umount-race (S-000-4, R-000c): the filesystem's internal removal work W
// (functionfs ->reset_work: simple_remove_by_name) of the first min(K, N)
// files, a userspace stat R of file 1 (its path holds the mount) and
// umount U. Mainline: ->kill_sb cancels W before the shutdown and umount(2)
// is -EBUSY while R holds the mount.
std::string BuildUmountRace(int pages, int pinners) {
  std::string s =
      absl::StrCat("config fs=libfs files=", pages, " pages=0 ptes=0\n");
  for (int f = 1; f <= pinners && f <= pages; ++f)
    absl::StrAppend(&s, "thread W: remove_work d=", f, "\n");
  absl::StrAppend(&s, "thread R: stat d=1\n", "thread U: umount\n");
  return s;
}

// eventfs (S-002-1/2, R-002a/b): K users stat, open and close
// events/<ev>/enable; K removes the event.
std::string BuildEventfs(int, int pinners) {
  std::string s = "config fs=libfs files=0 pages=0 ptes=0 events=1\n";
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    absl::StrAppend(&s, t, "ev_lookup ev=0\n", t, "ev_open ev=0\n", t,
                    "ev_close ev=0\n");
  }
  absl::StrAppend(&s, "thread K: ev_remove ev=0\n");
  return s;
}

// eventfs-format (R-002b's sibling, Aug 2024): K users stat the event and
// read its format file while K removes the event.
std::string BuildEventfsFormat(int, int pinners) {
  std::string s = "config fs=libfs files=0 pages=0 ptes=0 events=1\n";
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    absl::StrAppend(&s, t, "ev_lookup ev=0\n", t, "ev_format ev=0\n");
  }
  absl::StrAppend(&s, "thread K: ev_remove ev=0\n");
  return s;
}

// evict (S-004-1/2, R-004a/b): K processes map the file and exit (munmap,
// dropping their inode reference); driver D_k pins the process's page
// through its PTE, DMAs into it and unpins; U unlinks the file. Whoever drops
// the last inode reference evicts the inode, while a driver may still hold a
// pin. (The driver is its own thread: in the kernel the exiting process is
// not the one that completes the I/O.)
std::string BuildEvict(int pages, int pinners) {
  std::string s =
      absl::StrCat("config fs=dax files=1 pages=", pages,
                   " spare=1 ptes=", pinners, " pins=", pinners, "\n");
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    const std::string d = absl::StrCat("thread D", k, ": ");
    absl::StrAppend(&s, t, "fault pte=", k, " file=1 index=", k % pages, "\n",
                    t, "munmap pte=", k, "\n", d, "pin pin=", k, " pte=", k,
                    "\n", d, "dma pin=", k, "\n", d, "unpin pin=", k, "\n");
  }
  absl::StrAppend(&s, "thread U: unlink d=1\n");
  return s;
}

// reclaim (seed 004, L-2): process P_k maps the file and munmaps it; its
// driver D_k pins through the mapping, DMAs, and on completion allocates
// with GFP_KERNEL, whose direct reclaim runs the inode shrinker on the
// file, before it unpins; K is kswapd's dentry shrinker, which kills the
// file's cached dentry so its last iput puts the linked inode on the LRU.
std::string BuildReclaim(int pages, int pinners) {
  std::string s =
      absl::StrCat("config fs=dax files=1 pages=", pages,
                   " spare=1 ptes=", pinners, " pins=", pinners, "\n");
  for (int k = 0; k < pinners; ++k) {
    const std::string t = absl::StrCat("thread ", Worker(k), ": ");
    const std::string d = absl::StrCat("thread D", k, ": ");
    absl::StrAppend(&s, t, "fault pte=", k, " file=1 index=", k % pages, "\n",
                    t, "munmap pte=", k, "\n", d, "pin pin=", k, " pte=", k,
                    "\n", d, "dma pin=", k, "\n", d, "prune_icache file=1\n", d,
                    "unpin pin=", k, "\n");
  }
  absl::StrAppend(&s, "thread K: shrink_dcache d=1\n");
  return s;
}

}  // namespace

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> kScenarios = {
      {"dax-truncate",
       "DAX truncate vs pinners doing pin/munmap/DMA/unpin vs a "
       "reallocating write (seed 003)",
       "P0..P(K-1): fault PTE 0, pin, munmap, dma, unpin; "
       "T: truncate to 0; C: alloc index 0",
       {"dax_truncate", "busy_scan_skips_unmapped", "ptl_on_zap",
        "dax_scan_order", "dax_ref_base"},
       {},
       1,
       3,
       1,
       3,
       {
           {{}, "verified", "mainline (WAIT)"},
           {{{"dax_truncate", "ebusy"}}, "verified", "seed 003 option 1"},
           {{{"dax_truncate", "sequester"}}, "verified", "seed 003 option 3"},
           {{{"dax_truncate", "none"}}, "I-DAX-1", "R-003a"},
           {{{"busy_scan_skips_unmapped", "true"}}, "I-DAX-4", "R-003c"},
           {{{"ptl_on_zap", "false"}}, "I-DAX-1", "model mutation"},
           {{{"dax_ref_base", "one"}}, "verified", "<= v6.14 refcounts"},
           {{{"dax_scan_order", "scan_then_unmap"}}, "I-DAX-5", "R-003b"},
       },
       &BuildDaxTruncate},
      {"mkwrite",
       "write fault (page_mkwrite) vs writeback (seed 001)",
       "P0..P(K-1): fault, write_fault, store; W: writeback page 0",
       {"mkwrite", "mkwrite_returns_locked"},
       {},
       1,
       3,
       1,
       3,
       {
           {{}, "verified", "mainline (fixed 2009)"},
           {{{"mkwrite", "old_racy"}}, "I-PG-1", "R-001a"},
           {{{"mkwrite_returns_locked", "false"}}, "I-PG-1", "R-001a residual"},
       },
       &BuildMkwrite},
      {"pin-writeback",
       "FOLL_WRITE pin and the driver's dirtying unpin vs writeback "
       "(R-001c)",
       "P0..P(K-1): fault, pin; D0..D(K-1): dma, unpin_dirty; "
       "W: writeback page 0",
       {"pinned_page_private"},
       {},
       1,
       2,
       1,
       2,
       {
           {{}, "verified", "mainline (reclaim keeps a pinned page's data)"},
           {{{"pinned_page_private", "release"}}, "I-PG-1", "R-001c"},
       },
       &BuildPinWriteback},
      {"lease",
       "FL_ALLOCATED lease as posted: gup vs truncate vs reap_work and "
       "break_work (seed 003 v3)",
       "A: fault, write_fault; D: pin, dma, unpin; R: reap; W: break_work; "
       "T: truncate to 0",
       {"lease_fs_lock", "lease_break_refs"},
       {{"dax_truncate_mechanism", "fl_allocated_lease"},
        {"dax_ref_base", "one"}},
       1,
       3,
       1,
       1,
       {
           {{}, "verified", "as posted (12/13 + 13/13)"},
           {{{"lease_fs_lock", "none"}}, "I-DAX-1", "12/13 without 13/13"},
           {{{"lease_break_refs", "put_before_unlink"}},
            "verified",
            "R-003d: reap_work holds B until the lease is gone"},
       },
       &BuildLease},
      {"umount",
       "persistent dentries vs umount: the ->kill_sb sequence (seed 000)",
       "F: discard every file's dentry, then umount",
       {"dentry_pin", "kill_sb"},
       {},
       1,
       3,
       1,
       1,
       {
           {{}, "verified", "mainline (DCACHE_PERSISTENT)"},
           {{{"dentry_pin", "legacy_dget"}},
            "verified",
            "legacy pin paired with kill_anon_super"},
           {{{"kill_sb", "litter"}}, "verified", "litter skips PERSISTENT"},
           {{{"dentry_pin", "legacy_dget"}, {"kill_sb", "litter"}},
            "I-REF-3",
            "R-000a"},
       },
       &BuildUmount},
      {"umount-race",
       "fs-internal removal work and a userspace reader racing umount "
       "(seed 000)",
       "W: remove_work of the first K files; R: stat; U: umount",
       {"kill_sb_quiesce", "dentry_pin"},
       {},
       1,
       3,
       1,
       3,
       {
           {{}, "verified", "mainline (->kill_sb cancels the work)"},
           {{{"kill_sb_quiesce", "none"}}, "I-DC-6", "R-000c"},
           {{{"dentry_pin", "legacy_dget"}}, "I-DC-4", "R-000b"},
       },
       &BuildUmountRace},
      {"eventfs",
       "eventfs remove vs open through a cached dentry (seed 002)",
       "P0..P(K-1): ev_lookup, ev_open, ev_close; K: ev_remove",
       {"eventfs_revalidate", "event_file_guard"},
       {},
       1,
       1,
       1,
       3,
       {
           {{}, "verified", "mainline (revalidate + guard)"},
           {{{"eventfs_revalidate", "off"}},
            "verified",
            "the guard alone: -ENODEV"},
           {{{"eventfs_revalidate", "off"}, {"event_file_guard", "off"}},
            "I-EV-3",
            "R-002a (UAF first)"},
           {{{"event_file_guard", "off"}}, "I-EV-3", "R-002b"},
           {{{"eventfs_release_cb", "off"}},
            "I-EV-3",
            "R-002b before b63db58e2fa5"},
       },
       &BuildEventfs},
      {"eventfs-format",
       "eventfs remove vs a read of the event's format file (seed 002)",
       "P0..P(K-1): ev_lookup, ev_format; K: ev_remove",
       {"event_format_data", "eventfs_release_cb"},
       {},
       1,
       1,
       1,
       3,
       {
           {{}, "verified", "mainline (event_file_file, Aug 2024)"},
           {{{"event_format_data", "event_call"}},
            "I-EV-3",
            "format shortcut, v6.6 .. Aug 2024"},
           {{{"eventfs_release_cb", "off"}},
            "I-EV-3",
            "event_file_file without the ei's reference"},
       },
       &BuildEventfsFormat},
      {"evict",
       "last iput (evict) vs DAX pins (seed 004)",
       "P0..P(K-1): fault, munmap; D0..D(K-1): pin, dma, unpin; "
       "U: unlink",
       {"evict_barrier"},
       {},
       1,
       3,
       1,
       2,
       {
           {{}, "verified", "mainline (dax_break_layout_final)"},
           {{{"evict_barrier", "none"}}, "I-DAX-3", "R-004a"},
           {{{"evict_barrier", "drop_inode_keeps_busy"}}, "I-LOCK-1", "R-004b"},
       },
       &BuildEvict},
      {"reclaim",
       "the shrinkers vs a driver whose unpin needs memory (seed 004, L-2)",
       "P0..P(K-1): fault, munmap; D0..D(K-1): pin, dma, prune_icache "
       "(direct reclaim), unpin; K: shrink_dcache d=1",
       {"prune_icache_pages", "evict_barrier"},
       {},
       1,
       2,
       1,
       2,
       {
           {{}, "verified", "mainline (reclaim leaves an inode with pages)"},
           {{{"prune_icache_pages", "evict"}},
            "DEADLOCK",
            "L-2: reclaim waits in the barrier for the reclaimer's own pin"},
           {{{"prune_icache_pages", "evict"}, {"evict_barrier", "none"}},
            "I-DAX-3",
            "reclaim evicts a pinned inode without the barrier"},
       },
       &BuildReclaim},
  };
  return kScenarios;
}

const ScenarioInfo* FindScenario(const std::string& name) {
  for (const ScenarioInfo& s : Scenarios())
    if (name == s.name) return &s;
  return nullptr;
}

absl::Status ApplyPolicy(const std::vector<PolicySetting>& policy,
                         Config& cfg) {
  for (const auto& [knob, value] : policy) {
    const ConfigField* field = nullptr;
    std::vector<std::string> knobs;
    for (const ConfigField& f : ConfigFields()) {
      if (!f.is_policy) continue;
      knobs.push_back(f.name);
      if (knob == f.name) field = &f;
    }
    if (!field)
      return absl::InvalidArgumentError(
          absl::StrCat("unknown policy knob '", knob,
                       "'; knobs: ", absl::StrJoin(knobs, ", ")));
    int index = -1;
    for (size_t i = 0; i < field->values.size(); ++i)
      if (value == field->values[i]) index = static_cast<int>(i);
    if (index < 0)
      return absl::InvalidArgumentError(
          absl::StrCat("unknown value '", value, "' for policy knob ", knob,
                       "; values: ", absl::StrJoin(field->values, ", ")));
    field->set(cfg, index);
  }
  return absl::OkStatus();
}

std::string PolicyText(const std::vector<PolicySetting>& policy) {
  if (policy.empty()) return "mainline";
  std::vector<std::string> parts;
  for (const auto& [k, v] : policy) parts.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<Trace> BuildScenario(const std::string& name, int pages,
                                    int pinners,
                                    const std::vector<PolicySetting>& policy) {
  const ScenarioInfo* sc = FindScenario(name);
  if (!sc) {
    std::vector<std::string> names;
    for (const ScenarioInfo& s : Scenarios()) names.push_back(s.name);
    return absl::InvalidArgumentError(
        absl::StrCat("unknown scenario '", name,
                     "'; scenarios: ", absl::StrJoin(names, ", ")));
  }
  if (pages <= 0) pages = sc->default_pages;
  if (pinners <= 0) pinners = sc->default_pinners;
  if (pages > sc->max_pages)
    return absl::InvalidArgumentError(
        absl::StrCat("--pages ", pages, " is out of range for ", name, " (1..",
                     sc->max_pages, ")"));
  if (pinners > sc->max_pinners)
    return absl::InvalidArgumentError(
        absl::StrCat("--pinners ", pinners, " is out of range for ", name,
                     " (1..", sc->max_pinners, ")"));
  const std::string text = absl::StrCat("lifecheck-trace v1\n# scenario ", name,
                                        "\n", sc->build(pages, pinners));
  absl::StatusOr<Trace> t =
      ParseTrace(text, absl::StrCat("<scenario ", name, ">"));
  if (!t.ok()) return t.status();  // a bug in the builder: tests catch it
  if (absl::Status s = ApplyPolicy(sc->base, t->config); !s.ok()) return s;
  if (absl::Status s = ApplyPolicy(policy, t->config); !s.ok()) return s;
  return t;
}

}  // namespace lifecheck
