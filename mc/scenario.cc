#include "mc/scenario.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "spec/check.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

// Thread names: P0.. for the identical workers, then one letter per role.
std::string Worker(int k) { return absl::StrCat("P", k); }

Call C(Op op, int a = 0, int b = 0, int c = 0) {
  Call x;
  x.op = op;
  x.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
            static_cast<int16_t>(c)};
  return x;
}

// An argument's values lo..hi.
struct Span {
  int lo, hi;
  Span(int v) : lo(v), hi(v) {}  // NOLINT: a single value
  Span(int l, int h) : lo(l), hi(h) {}
};
// The call `op` with every combination of its arguments' values: one
// alternative each (what `index=0..2` means in a trace).
BodyItem Any(Op op, Span a = 0, Span b = 0, Span c = 0) {
  std::vector<Call> alts;
  for (int x = a.lo; x <= a.hi; ++x)
    for (int y = b.lo; y <= b.hi; ++y)
      for (int z = c.lo; z <= c.hi; ++z) alts.push_back(C(op, x, y, z));
  return ChoiceItem(std::move(alts));
}

// A problem under construction: threads in order of first use.
class Problem {
 public:
  explicit Problem(const Config& c) { t_.config = c; }
  Problem& Add(const std::string& thread, BodyItem item) {
    size_t i = 0;
    while (i < t_.thread_names.size() && t_.thread_names[i] != thread) ++i;
    if (i == t_.thread_names.size()) {
      t_.thread_names.push_back(thread);
      body_.emplace_back();
    }
    body_[i].push_back(std::move(item));
    return *this;
  }
  Problem& Add(const std::string& thread, const Call& c) {
    return Add(thread, CallItem(c));
  }
  // Concrete threads keep the plain form (Trace::threads) when every thread
  // is concrete; otherwise every thread is a body.
  Trace Build() && {
    bool concrete = true;
    for (const ThreadBody& b : body_) concrete = concrete && IsConcrete(b);
    for (const ThreadBody& b : body_)
      t_.threads.push_back(concrete ? CallsOfBody(b) : std::vector<Call>{});
    if (!concrete) t_.bodies = std::move(body_);
    return std::move(t_);
  }

 private:
  Trace t_;
  std::vector<ThreadBody> body_;
};

Config DaxConfig(int pages, int spare, int ptes, int pins) {
  Config c;
  c.fs = FsKind::kDax;
  c.files = 1;
  c.pages = pages;
  c.spare = spare;
  c.ptes = ptes;
  c.pins = pins;
  return c;
}

// dax-truncate (S-003-1, R-003a/b/c), the classic workload: a DAX file of N
// blocks; K pinners, each of which maps any one of the N pages through its
// own PTE (a thread's buffer in the process's mapping), pins it (GUP), unmaps
// it (the process exits while the device still owns the pin, R-003c), DMAs
// into it and unpins; T truncates the file to 0 (busy scan, the policy,
// free); C writes into any index of the hole, reallocating a freed block.
// Every fault is followed by its thread's munmap: a page a pinner re-maps
// while truncate sleeps in wait_page_idle is unmapped again later (otherwise
// mainline WAIT waits for that mapping for ever: a liveness finding, not the
// race this scenario is about).
Trace BuildDaxTruncate(int pages, int pinners) {
  Problem p(DaxConfig(pages, 0, pinners, pinners));
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), Any(Op::kFault, k, 1, {0, pages - 1}))
        .Add(Worker(k), C(Op::kPin, k, k))
        .Add(Worker(k), C(Op::kMunmap, k))
        .Add(Worker(k), C(Op::kDma, k))
        .Add(Worker(k), C(Op::kUnpin, k));
  p.Add("T", C(Op::kTruncate, 1, 0))
      .Add("C", Any(Op::kAlloc, 1, {0, pages - 1}));
  return std::move(p).Build();
}

// dax-truncate-page0: the fixed-call shape dax-truncate had before it chose
// pages (issue 5; the Z3 figures of docs/performance.md are on it): every
// pinner faults the process's one PTE on page 0, and C allocates index 0.
// N only lengthens truncate's scan.
Trace BuildDaxTruncatePage0(int pages, int pinners) {
  Problem p(DaxConfig(pages, 0, 1, pinners));
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), C(Op::kFault, 0, 1, 0))
        .Add(Worker(k), C(Op::kPin, k, 0))
        .Add(Worker(k), C(Op::kMunmap, 0))
        .Add(Worker(k), C(Op::kDma, k))
        .Add(Worker(k), C(Op::kUnpin, k));
  p.Add("T", C(Op::kTruncate, 1, 0)).Add("C", C(Op::kAlloc, 1, 0));
  return std::move(p).Build();
}

// mkwrite (S-001-1/2, R-001a): K writers each map any one of the N pages
// read-only through their own PTE, take the write fault (page_mkwrite) and
// store; W writes back any one page. (The spec has no write(2) into a
// cached page and no reclaim yet: the workload grows with them.)
Trace BuildMkwrite(int pages, int pinners) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = 1;
  c.pages = pages;
  c.ptes = pinners;
  Problem p(c);
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), Any(Op::kFault, k, 1, {0, pages - 1}))
        .Add(Worker(k), C(Op::kWriteFault, k))
        .Add(Worker(k), C(Op::kStore, k));
  p.Add("W", Any(Op::kWriteback, 1, {0, pages - 1}));
  return std::move(p).Build();
}

// mkwrite-truncate (S-001-3, R-001b): K writers each map any one of the N
// pages read-only through their own PTE and take the write fault; T
// truncates the file to 0 pages (i_size first, then unmap, then remove).
Trace BuildMkwriteTruncate(int pages, int pinners) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = 1;
  c.pages = pages;
  c.ptes = pinners;
  Problem p(c);
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), Any(Op::kFault, k, 1, {0, pages - 1}))
        .Add(Worker(k), C(Op::kWriteFault, k));
  p.Add("T", C(Op::kTruncate, 1, 0));
  return std::move(p).Build();
}

// pin-writeback (R-001c): K processes map page k%N and pin it through
// their PTE with FOLL_WRITE (the GUP write-faults: ->page_mkwrite attaches
// the fs metadata); driver D_k DMAs into the page and completes with
// unpin_user_pages_dirty_lock; W writes page 0 back, write-protecting the
// PTEs, and the fs may release its metadata once the page is clean.
Trace BuildPinWriteback(int pages, int pinners) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = 1;
  c.pages = pages;
  c.ptes = pinners;
  c.pins = pinners;
  Problem p(c);
  for (int k = 0; k < pinners; ++k) {
    const std::string d = absl::StrCat("D", k);
    p.Add(Worker(k), C(Op::kFault, k, 1, k % pages))
        .Add(Worker(k), C(Op::kPin, k, k))
        .Add(d, C(Op::kDma, k))
        .Add(d, C(Op::kUnpinDirty, k));
  }
  p.Add("W", C(Op::kWriteback, 1, 0));
  return std::move(p).Build();
}

// lease (S-003-4, R-003d): the FL_ALLOCATED lease as posted (seed 003 v3
// 12/13 + 13/13). A maps the file's first page and writes to it; D is the
// driver: it pins the page through A's mapping (the GUP takes the lease:
// holders A and B; before A's write fault, its FOLL_WRITE fault is the
// GUP's), DMAs and, on completion, unpins; R is reap_work and W
// break_work, kworkers that idle until queued; T truncates the file to 0.
// With 1-based refcounts (the 2017 era the patch was written for).
Trace BuildLease(int pages, int) {
  Problem p(DaxConfig(pages, 0, 1, 1));
  p.Add("A", C(Op::kFault, 0, 1, 0))
      .Add("A", C(Op::kWriteFault, 0))
      .Add("D", C(Op::kPin, 0, 0))
      .Add("D", C(Op::kDma, 0))
      .Add("D", C(Op::kUnpin, 0))
      .Add("R", C(Op::kReap, 0))
      .Add("W", C(Op::kBreakWork, 0))
      .Add("T", C(Op::kTruncate, 1, 0));
  return std::move(p).Build();
}

Config LibfsConfig(int files, int events) {
  Config c;
  c.fs = FsKind::kLibfs;
  c.files = files;
  c.pages = 0;
  c.ptes = 0;
  c.events = events;
  return c;
}

// umount (S-000-1/2, R-000a/b): a libfs with N files whose ->kill_sb
// teardown F drops its pin of every file (d_make_discardable, or the legacy
// dput) and then unmounts. One thread: this is the shutdown sequence itself;
// a remover racing it is umount-race.
Trace BuildUmount(int pages, int) {
  Problem p(LibfsConfig(pages, 0));
  for (int f = 1; f <= pages; ++f) p.Add("F", C(Op::kDiscard, f));
  p.Add("F", C(Op::kUmount));
  return std::move(p).Build();
}

// umount-race (S-000-4, R-000c): the filesystem's internal removal work W
// (functionfs ->reset_work: simple_remove_by_name) of the first min(K, N)
// files, a userspace stat R of file 1 (its path holds the mount) and
// umount U. Mainline: ->kill_sb cancels W before the shutdown and umount(2)
// is -EBUSY while R holds the mount.
Trace BuildUmountRace(int pages, int pinners) {
  Problem p(LibfsConfig(pages, 0));
  for (int f = 1; f <= pinners && f <= pages; ++f)
    p.Add("W", C(Op::kRemoveWork, f));
  p.Add("R", C(Op::kStat, 1)).Add("U", C(Op::kUmount));
  return std::move(p).Build();
}

// eventfs (S-002-1/2, R-002a/b): K users stat, open and close
// events/<ev>/enable; K removes the event.
Trace BuildEventfs(int, int pinners) {
  Problem p(LibfsConfig(0, 1));
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), C(Op::kEvLookup, 0))
        .Add(Worker(k), C(Op::kEvOpen, 0))
        .Add(Worker(k), C(Op::kEvClose, 0));
  p.Add("K", C(Op::kEvRemove, 0));
  return std::move(p).Build();
}

// eventfs-format (R-002b's sibling, Aug 2024): K users stat the event and
// read its format file while K removes the event.
Trace BuildEventfsFormat(int, int pinners) {
  Problem p(LibfsConfig(0, 1));
  for (int k = 0; k < pinners; ++k)
    p.Add(Worker(k), C(Op::kEvLookup, 0)).Add(Worker(k), C(Op::kEvFormat, 0));
  p.Add("K", C(Op::kEvRemove, 0));
  return std::move(p).Build();
}

// evict (S-004-1/2, R-004a/b): K processes each map any one of the N pages
// through their own PTE and exit (munmap, dropping their inode reference);
// driver D_k pins the page through process k's PTE, DMAs into it and
// unpins; U unlinks the file. Whoever drops the last inode reference evicts
// the inode, while a driver may still hold a pin. (The driver is its own
// thread: in the kernel the exiting process is not the one that completes
// the I/O.)
Trace BuildEvict(int pages, int pinners) {
  Problem p(DaxConfig(pages, 1, pinners, pinners));
  for (int k = 0; k < pinners; ++k) {
    const std::string d = absl::StrCat("D", k);
    p.Add(Worker(k), Any(Op::kFault, k, 1, {0, pages - 1}))
        .Add(Worker(k), C(Op::kMunmap, k))
        .Add(d, C(Op::kPin, k, k))
        .Add(d, C(Op::kDma, k))
        .Add(d, C(Op::kUnpin, k));
  }
  p.Add("U", C(Op::kUnlink, 1));
  return std::move(p).Build();
}

// reclaim (seed 004, L-2): process P_k maps the file and munmaps it; its
// driver D_k pins through the mapping, DMAs, and on completion allocates
// with GFP_KERNEL, whose direct reclaim runs the inode shrinker on the
// file, before it unpins; K is kswapd's dentry shrinker, which kills the
// file's cached dentry so its last iput puts the linked inode on the LRU.
Trace BuildReclaim(int pages, int pinners) {
  Problem p(DaxConfig(pages, 1, pinners, pinners));
  for (int k = 0; k < pinners; ++k) {
    const std::string d = absl::StrCat("D", k);
    p.Add(Worker(k), C(Op::kFault, k, 1, k % pages))
        .Add(Worker(k), C(Op::kMunmap, k))
        .Add(d, C(Op::kPin, k, k))
        .Add(d, C(Op::kDma, k))
        .Add(d, C(Op::kPruneIcache, 1))
        .Add(d, C(Op::kUnpin, k));
  }
  p.Add("K", C(Op::kShrinkDcache, 1));
  return std::move(p).Build();
}

// Every call of every alternative is valid under `cfg` (a builder bug
// otherwise).
void CheckCalls(const ThreadBody& body, const Config& cfg) {
  for (const BodyItem& it : body) {
    for (const Call& c : it.alts) LC_CHECK(ValidateCall(c, cfg).empty());
    CheckCalls(it.block, cfg);
  }
}

// The policy variants of DAX truncate, for every shape of the workload.
const std::vector<ScenarioVariant>& DaxTruncateVariants() {
  static const std::vector<ScenarioVariant> kVariants = {
      {{}, "verified", "mainline (WAIT)"},
      {{{"dax_truncate", "ebusy"}}, "verified", "seed 003 option 1"},
      {{{"dax_truncate", "sequester"}}, "verified", "seed 003 option 3"},
      {{{"dax_truncate", "none"}}, "I-DAX-1", "R-003a"},
      {{{"busy_scan_skips_unmapped", "true"}}, "I-DAX-4", "R-003c"},
      {{{"ptl_on_zap", "false"}}, "I-DAX-1", "model mutation"},
      {{{"dax_ref_base", "one"}}, "verified", "<= v6.14 refcounts"},
      {{{"dax_scan_order", "scan_then_unmap"}}, "I-DAX-5", "R-003b"},
  };
  return kVariants;
}
const std::vector<std::string> kDaxTruncateKnobs = {
    "dax_truncate", "busy_scan_skips_unmapped", "ptl_on_zap", "dax_scan_order",
    "dax_ref_base"};

}  // namespace

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> kScenarios = {
      {"dax-truncate",
       "DAX truncate vs pinners on pages of their choosing vs a "
       "reallocating write (seed 003)",
       "P0..P(K-1): fault any of the N pages (own PTE), pin, munmap, dma, "
       "unpin; T: truncate to 0; C: alloc any index",
       kDaxTruncateKnobs,
       {},
       1,
       kMaxIdx,
       1,
       kMaxPins,
       DaxTruncateVariants(),
       &BuildDaxTruncate},
      {"dax-truncate-page0",
       "dax-truncate's fixed-call shape: every pinner on page 0 through "
       "PTE 0 (seed 003)",
       "P0..P(K-1): fault PTE 0 on page 0, pin, munmap, dma, unpin; "
       "T: truncate to 0; C: alloc index 0",
       kDaxTruncateKnobs,
       {},
       1,
       kMaxIdx,
       1,
       kMaxPins,
       DaxTruncateVariants(),
       &BuildDaxTruncatePage0},
      {"mkwrite",
       "write fault (page_mkwrite) vs writeback (seed 001)",
       "P0..P(K-1): fault any of the N pages (own PTE), write_fault, store; "
       "W: writeback any page",
       {"mkwrite", "mkwrite_returns_locked"},
       {},
       1,
       kMaxIdx,
       1,
       kMaxPtes,
       {
           {{}, "verified", "mainline (fixed 2009)"},
           {{{"mkwrite", "old_racy"}}, "I-PG-1", "R-001a"},
           {{{"mkwrite_returns_locked", "false"}}, "I-PG-1", "R-001a residual"},
       },
       &BuildMkwrite},
      {"mkwrite-truncate",
       "write fault (page_mkwrite) vs truncate (seed 001, S-001-3)",
       "P0..P(K-1): fault any of the N pages (own PTE), write_fault; "
       "T: truncate to 0",
       {"mkwrite_check_truncate", "mkwrite_returns_locked", "mkwrite"},
       {},
       1,
       kMaxIdx,
       1,
       kMaxPtes,
       {
           {{}, "verified", "mainline (folio_mkwrite_check_truncate)"},
           {{{"mkwrite_check_truncate", "false"}}, "I-PG-5", "R-001b"},
           {{{"mkwrite_returns_locked", "false"}},
            "verified",
            "do_page_mkwrite re-checks the mapping"},
           {{{"mkwrite", "old_racy"}}, "verified", "pte_same after unmap"},
       },
       &BuildMkwriteTruncate},
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
       "P0..P(K-1): fault any of the N pages (own PTE), munmap; "
       "D0..D(K-1): pin through P_k's PTE, dma, unpin; U: unlink",
       {"evict_barrier"},
       {},
       1,
       kMaxIdx,
       1,
       (kMaxThreads - 1) / 2,
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
  Trace t = sc->build(pages, pinners);
  // A builder bug (a size or an argument out of range): tests catch it.
  LC_CHECK(ValidateConfig(t.config).empty());
  LC_CHECK(t.threads.size() <= static_cast<size_t>(kMaxThreads));
  for (size_t th = 0; th < t.threads.size(); ++th)
    CheckCalls(t.body(static_cast<int>(th)), t.config);
  if (absl::Status s = ApplyPolicy(sc->base, t.config); !s.ok()) return s;
  if (absl::Status s = ApplyPolicy(policy, t.config); !s.ok()) return s;
  return t;
}

}  // namespace lifecheck
