// Contract tests of the eventfs ops (seed 002): ev_lookup, ev_remove, ev_open,
// ev_close, and the knobs eventfs_revalidate / event_file_guard. Expected
// values come from kernel-semantics.md §3.7, §4.3 and §5.3, not from the code.
#include <cstdlib>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "config/config.h"
#include "gtest/gtest.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"
#include "spec/spec_test_util.h"
#include "spec/steps_common.h"

namespace lifecheck {

namespace {

using namespace test;  // NOLINT: the shared test vocabulary

Config Ev(EventfsRevalidate reval = EventfsRevalidate::kOn,
          EventFileGuard guard = EventFileGuard::kOn) {
  Config c;
  c.fs = FsKind::kDisk;
  c.files = 0;
  c.events = 1;
  c.policy.eventfs_revalidate = reval;
  c.policy.event_file_guard = guard;
  return c;
}
constexpr int kD = 1;  // Ev().event_dentry(0)
const Call kLookup = C(Op::kEvLookup, 0);
const Call kRemove = C(Op::kEvRemove, 0);
const Call kOpen = C(Op::kEvOpen, 0);
const Call kClose = C(Op::kEvClose, 0);

TEST(OpsEventfs, DentryLayout) { EXPECT_EQ(Ev().event_dentry(0), kD); }

// ---- ev_lookup (§3.7.3, tracefs_d_delete keeps it at count 0) ----

TEST(OpsEventfs, LookupInstantiatesACachedDentryHoldingAKref) {
  auto ex = RunAll(Ev(), {{kLookup}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_TRUE(w.d[kD].hashed);
  EXPECT_TRUE(w.d[kD].positive);
  EXPECT_EQ(w.d[kD].count, 0);
  EXPECT_EQ(w.d[kD].h_thr[0], 0);
  EXPECT_EQ(w.ev[0].kref, 2);  // creation + d_fsdata
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, SecondLookupHitsTheCache) {
  auto ex = RunAll(Ev(), {{kLookup, kLookup}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().ev[0].kref, 2);
  EXPECT_EQ(ex.world().d[kD].count, 0);
}

TEST(OpsEventfs, LookupAfterRemovalFails) {
  auto ex = RunAll(Ev(), {{kRemove, kLookup}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_FALSE(ex.world().d[kD].hashed);  // negative lookups not cached
}

// ---- ev_remove (§3.7.5, §3.7.6) ----

TEST(OpsEventfs, RemoveOfIdleEventFreesEiAndEventFile) {
  auto ex = RunAll(Ev(), {{kRemove}});
  const auto& ev = ex.world().ev[0];
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_TRUE(ev.is_freed);
  EXPECT_TRUE(ev.removed);
  EXPECT_EQ(ev.kref, 0);
  EXPECT_TRUE(ev.ef_fl_freed);
  EXPECT_EQ(ev.ef_ref, 0);
  EXPECT_TRUE(ev.ef_freed);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, RemoveKeepsCachedDentryAndItsKref) {
  auto ex = RunAll(Ev(), {{kLookup, kRemove}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_TRUE(w.d[kD].hashed);  // no dentry is touched
  EXPECT_EQ(w.ev[0].kref, 1);   // the dentry's d_fsdata ref
  EXPECT_FALSE(w.warned[static_cast<int>(Warn::kEiReleaseNotFreed)]);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, RemoveTwiceFails) {
  auto ex = RunAll(Ev(), {{kRemove, kRemove}});
  EXPECT_EQ(Ret(ex, 0, 1), kENOENT);
  EXPECT_EQ(ex.world().ev[0].kref, 0);
}

// The removal drops the creation reference; the ei's (b63db58e2fa5) keeps
// the file until the cached dentry is reclaimed and release_ei runs.
TEST(OpsEventfs, RemoveWhileOpenIsEbusyWithGuard) {
  auto ex = RunAll(Ev(), {{kOpen, kRemove, kClose, kRemove}});
  const auto& ev = ex.world().ev[0];
  EXPECT_EQ(Ret(ex, 0, 1), kEBUSY);
  EXPECT_EQ(Ret(ex, 0, 3), 0);  // once closed
  EXPECT_TRUE(ev.ef_fl_freed);
  EXPECT_FALSE(ev.ef_freed);
  EXPECT_EQ(ev.ef_ref, 1);  // the ei's
  EXPECT_EQ(ev.h_ei, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  Config c = Ev();
  c.policy.eventfs_release_cb = EventfsReleaseCb::kOff;
  auto bare = RunAll(c, {{kOpen, kRemove, kClose, kRemove}});
  EXPECT_TRUE(bare.world().ev[0].ef_freed);
  EXPECT_EQ(bare.violation(), Inv::kNone);
}

TEST(OpsEventfs, RemoveWhileOpenWithoutGuardFreesUnderTheOpener) {
  auto ex = RunAll(Ev(EventfsRevalidate::kOn, EventFileGuard::kOff),
                   {{kOpen, kRemove, kClose}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.violation(), Inv::kEv3);  // release touches freed data
}

// ---- ev_open / ev_close (§3.7.4) ----

TEST(OpsEventfs, OpenTakesDentryAndEventFileReferences) {
  auto ex = RunAll(Ev(), {{kOpen}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(w.d[kD].count, 1);
  EXPECT_EQ(w.d[kD].h_thr[0], 1);
  EXPECT_EQ(w.ev[0].ef_ref, 3);  // creation, the ei's, the open's
  EXPECT_EQ(w.ev[0].h_opens, 1);
  EXPECT_EQ(w.ev[0].kref, 2);  // instantiated by the walk's real lookup
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, CloseDropsBothReferencesAndKeepsTheCache) {
  auto ex = RunAll(Ev(), {{kLookup, kOpen, kClose}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(w.d[kD].count, 0);
  EXPECT_TRUE(w.d[kD].hashed);
  EXPECT_EQ(w.ev[0].ef_ref, 2);
  EXPECT_EQ(w.ev[0].h_opens, 0);
  EXPECT_FALSE(w.ev[0].ef_freed);
  EXPECT_FALSE(w.warned[static_cast<int>(Warn::kEvfilePutZero)]);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, CloseWithoutOpenIsEbadf) {
  auto ex = RunAll(Ev(), {{kLookup, kClose}, {kOpen}, {kClose}});
  EXPECT_EQ(Ret(ex, 0, 1), kEBADF);
  EXPECT_EQ(Ret(ex, 2, 0), kEBADF);  // thread 1's file is not thread 2's
  EXPECT_EQ(ex.world().ev[0].ef_ref, 3);
}

// An open that lost the race to the removal: -ENODEV. Without the ei's
// reference its dentry's ei held nothing on the file, and the removal freed
// it (ref 0 + FL_FREED); with it the file lives on until release_ei.
TEST(OpsEventfs, OpenRacingRemovalIsEnodevAndTheFileLivesOn) {
  SpecExec ex(Ev(), {{kOpen}, {kRemove}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 1}));  // walk, revalidate, get; remove
  Finish(ex);
  EXPECT_EQ(Ret(ex, 0, 0), kENODEV);
  EXPECT_FALSE(ex.world().ev[0].ef_freed);
  EXPECT_EQ(ex.world().ev[0].ef_ref, 1);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// b63db58e2fa5's UAF: without the ei's reference, the same race reads
// file->tr of the freed file in tracing_open_file_tr.
TEST(OpsEventfs, OpenRacingRemovalWithoutTheEiReferenceIsUseAfterFree) {
  Config c = Ev();
  c.policy.eventfs_release_cb = EventfsReleaseCb::kOff;
  SpecExec ex(c, {{kOpen}, {kRemove}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 1}));
  EXPECT_TRUE(ex.world().ev[0].ef_freed);
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kEv3);
}

// R-002a fixed by revalidate: the stale dentry is invalidated, the real
// lookup fails.
TEST(OpsEventfs, OpenAfterRemovalIsEnoentWithRevalidate) {
  for (auto guard : {EventFileGuard::kOn, EventFileGuard::kOff}) {
    auto ex =
        RunAll(Ev(EventfsRevalidate::kOn, guard), {{kLookup, kRemove, kOpen}});
    EXPECT_EQ(Ret(ex, 0, 2), kENOENT);
    EXPECT_FALSE(ex.world().d[kD].hashed);
    EXPECT_EQ(ex.world().d[kD].count, 0);
    EXPECT_EQ(ex.violation(), Inv::kNone);
  }
  auto uncached = RunAll(Ev(), {{kRemove, kOpen}});
  EXPECT_EQ(Ret(uncached, 0, 1), kENOENT);
}

TEST(OpsEventfs, OpenAfterRemovalIsEnodevWithGuardOnly) {
  auto ex = RunAll(Ev(EventfsRevalidate::kOff, EventFileGuard::kOn),
                   {{kLookup, kRemove, kOpen}});
  const auto& w = ex.world();
  EXPECT_EQ(Ret(ex, 0, 2), kENODEV);
  EXPECT_EQ(w.d[kD].count, 0);  // the half-open file's dget was dropped
  EXPECT_EQ(w.d[kD].h_thr[0], 0);
  EXPECT_EQ(w.ev[0].ef_ref, 1);  // the ei's, until release_ei
  EXPECT_EQ(w.ev[0].h_opens, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, OpenAfterRemovalWithNeitherFixIsUseAfterFree) {  // R-002a
  auto ex = RunAll(Ev(EventfsRevalidate::kOff, EventFileGuard::kOff),
                   {{kLookup, kRemove, kOpen}});
  EXPECT_EQ(Ret(ex, 0, 2), 0);
  EXPECT_EQ(ex.violation(), Inv::kEv1);
  Config c = Ev(EventfsRevalidate::kOff, EventFileGuard::kOff);
  c.ignore = Ignore({Inv::kEv1});
  EXPECT_EQ(RunAll(c, {{kLookup, kRemove, kOpen}}).violation(), Inv::kEv3);
}

// R-002b: revalidate passed, then the removal completed before the open
// callback. Only the event-file guard closes it (-ENODEV).
TEST(OpsEventfs, RcuWindowIsClosedOnlyByTheGuard) {
  for (auto guard : {EventFileGuard::kOn, EventFileGuard::kOff}) {
    SpecExec ex(Ev(EventfsRevalidate::kOn, guard),
                {{kLookup, kOpen}, {kRemove}});
    ASSERT_TRUE(Steps(ex, {0, 0, 0, 0}));  // lookup; walk, revalidate (valid)
    RunThread(ex, 1);
    EXPECT_EQ(Ret(ex, 1, 0), 0);
    Finish(ex);
    if (guard == EventFileGuard::kOn) {
      EXPECT_EQ(Ret(ex, 0, 1), kENODEV);
      EXPECT_EQ(ex.violation(), Inv::kNone);
    } else {
      EXPECT_EQ(ex.violation(), Inv::kEv3);
    }
  }
}

// Guard on, open first: the removal sees the file in use (R-002b other order).
TEST(OpsEventfs, OpenThatWinsTheRaceMakesRemovalEbusy) {
  SpecExec ex(Ev(), {{kOpen}, {kRemove}});
  RunThread(ex, 0);
  RunThread(ex, 1);
  EXPECT_EQ(Ret(ex, 0, 0), 0);
  EXPECT_EQ(Ret(ex, 1, 0), kEBUSY);
  EXPECT_FALSE(ex.world().ev[0].is_freed);
}

// A dentry killed by its last close is dead and negative (I-DC-3), and its
// d_release drops the ei kref (§3.7.5).
TEST(OpsEventfs, LastCloseOfInvalidatedDentryKillsItCleanly) {
  Config c = Ev(EventfsRevalidate::kOn, EventFileGuard::kOff);
  c.ignore = Ignore({Inv::kEv3});  // guard off: the release touches freed data
  SpecExec ex(c, {{kOpen, kClose}, {kRemove}, {kOpen}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0}));  // thread 0's open
  RunThread(ex, 1);                      // removal proceeds (no guard)
  RunThread(ex, 2);                      // revalidate unhashes the dentry
  EXPECT_EQ(Ret(ex, 2, 0), kENOENT);
  RunThread(ex, 0);  // the last close
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().d[kD].count, kDentryDead);
  EXPECT_FALSE(ex.world().d[kD].positive);
  EXPECT_EQ(ex.world().ev[0].kref, 0);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// §3.1.2: the fput of a failed open is a dput; an unhashed dentry at count 0
// is killed, and its d_release puts the ei.
TEST(OpsEventfs, FailedOpenOnInvalidatedDentryKillsIt) {
  SpecExec ex(Ev(), {{kLookup, kOpen}, {kRemove}, {kOpen}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0, 0}));  // lookup; walk, revalidate, get
  RunThread(ex, 1);                         // removal (no open yet)
  RunThread(ex, 2);                         // revalidate invalidates
  EXPECT_FALSE(ex.world().d[kD].hashed);
  Finish(ex);
  EXPECT_EQ(Ret(ex, 0, 1), kENODEV);
  EXPECT_EQ(ex.world().d[kD].count, kDentryDead);
  EXPECT_EQ(ex.world().ev[0].kref, 0);
}

// Found by the explicit-state checker (was I-REF-2, a get on a dead dentry):
// an open that walked and revalidated before the removal must not take a
// reference on the dentry another open's failure path killed meanwhile; its
// walk restarts (lockref_get_not_dead fails) and the lookup fails.
TEST(OpsEventfs, OpenWhoseDentryDiedAfterTheWalkIsEnoent) {
  SpecExec ex(Ev(), {{kLookup, kOpen}, {kOpen}, {kRemove}, {kOpen}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0, 0}));  // lookup; walk, revalidate, get
  ASSERT_TRUE(Steps(ex, {1, 1}));           // walk, revalidate: still valid
  RunThread(ex, 2);                         // removal
  RunThread(ex, 3);                         // revalidate invalidates
  RunThread(ex, 0);                         // -ENODEV, the dput kills D
  ASSERT_EQ(ex.world().d[kD].count, kDentryDead);
  RunThread(ex, 1);
  EXPECT_EQ(Ret(ex, 1, 0), kENOENT);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  EXPECT_EQ(ex.world().d[kD].count, kDentryDead);
}

// ---- ev_format (f_start; "tracing: Have format file honor
// EVENT_FILE_FL_FREED", Aug 2024) ----

const Call kFormat = C(Op::kEvFormat, 0);

TEST(OpsEventfs, FormatReadOfALiveEventSucceeds) {
  auto ex = RunAll(Ev(), {{kLookup, kFormat}});
  EXPECT_EQ(Ret(ex, 0, 1), 0);
  EXPECT_EQ(ex.world().d[kD].count, 0);   // the format file was closed
  EXPECT_EQ(ex.world().ev[0].ef_ref, 2);  // no open reference taken
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

// The read races the removal: event_file_file() under event_mutex sees
// FL_FREED and gives -ENODEV; the file is valid (the ei holds it).
TEST(OpsEventfs, FormatReadRacingRemovalIsEnodev) {
  SpecExec ex(Ev(), {{kLookup, kFormat}, {kRemove}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0, 0, 1}));  // stat; walk, reval, get; rm
  Finish(ex);
  EXPECT_EQ(Ret(ex, 0, 1), kENODEV);
  EXPECT_EQ(ex.violation(), Inv::kNone);
}

TEST(OpsEventfs, FormatShortcutReadsTheFreedEventCall) {
  Config c = Ev();
  c.policy.event_format_data = EventFormatData::kEventCall;
  SpecExec ex(c, {{kLookup, kFormat}, {kRemove}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0, 0, 1}));
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kEv3);
}

TEST(OpsEventfs, FormatCheckWithoutTheEiReferenceReadsAFreedFile) {
  Config c = Ev();
  c.policy.eventfs_release_cb = EventfsReleaseCb::kOff;
  SpecExec ex(c, {{kLookup, kFormat}, {kRemove}});
  ASSERT_TRUE(Steps(ex, {0, 0, 0, 0, 0, 1}));
  Finish(ex);
  EXPECT_EQ(ex.violation(), Inv::kEv3);
}

// ---- the dentry shrinker (prune_dcache_sb) ----

// A removed event's cached dentry holds the ei until the shrinker kills it:
// d_release puts the last kref and release_ei drops the ei's reference on
// the event file (b63db58e2fa5), which is then freed.
TEST(OpsEventfs, DentryShrinkerDrivesReleaseEi) {
  SpecExec ex(Ev(), {{kLookup, kRemove, C(Op::kShrinkDcache, kD)}});
  RunThread(ex, 0);
  ASSERT_TRUE(ex.done(0));
  const auto& ev = ex.world().ev[0];
  EXPECT_EQ(ev.kref, 0);
  EXPECT_EQ(ev.h_ei, 0);
  EXPECT_EQ(ev.ef_ref, 0);
  EXPECT_TRUE(ev.ef_freed);
  EXPECT_EQ(ex.world().d[kD].count, kDentryDead);
  EXPECT_EQ(ex.violation(), Inv::kNone);
  // Before the shrinker the ei and its reference are still there.
  auto kept = RunAll(Ev(), {{kLookup, kRemove}});
  EXPECT_EQ(kept.world().ev[0].kref, 1);
  EXPECT_FALSE(kept.world().ev[0].ef_freed);
}

}  // namespace
}  // namespace lifecheck
