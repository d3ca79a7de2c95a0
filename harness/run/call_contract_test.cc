#include "harness/run/call_contract.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/run/call_order.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

CallOrderEnd RunWithContracts(const CallList& l) {
  SpecExec exec(l.config);
  return RunCallOrder(exec, l, nullptr, /*contracts=*/true);
}

Call C(Op op, int a0 = 0, int a1 = 0, int a2 = 0) {
  return Call{op,
              {static_cast<int16_t>(a0), static_cast<int16_t>(a1),
               static_cast<int16_t>(a2)}};
}

TEST(CallContract, ForeignDputIsIllFormed) {
  CallList l;  // 000-foreign-dput: B drops the reference A holds
  l.calls = {{0, C(Op::kLookup, 1)}, {1, C(Op::kDput, 1)}};
  const CallOrderEnd end = RunWithContracts(l);
  EXPECT_EQ(end.skipped, 1);
  EXPECT_EQ(end.calls_run, 1);
  // Without contracts the spec flags the misuse itself.
  SpecExec exec(l.config);
  RunCallOrder(exec, l, nullptr, /*contracts=*/false);
  EXPECT_EQ(exec.violation(), Inv::kRef1);
}

// A skipped call does not end the run: the calls after it run, and the run
// list is the program without it (threads renumbered by their first call
// run: B's dput never runs, so C becomes thread 1).
TEST(CallContract, IllFormedCallIsSkippedAndTheRunGoesOn) {
  CallList l;
  l.calls = {{0, C(Op::kLookup, 1)}, {1, C(Op::kDput, 1)},
             {2, C(Op::kLookup, 1)}, {0, C(Op::kDput, 1)},
             {2, C(Op::kDput, 1)},   {2, C(Op::kDput, 1)}};
  SpecExec exec(l.config);
  std::vector<int> schedule;
  const CallOrderEnd end = RunCallOrder(exec, l, &schedule, true);
  EXPECT_EQ(end.skipped, 2);  // B's foreign dput, C's second dput
  EXPECT_EQ(end.calls_run, 4);
  EXPECT_FALSE(end.blocked);
  EXPECT_EQ(exec.violation(), Inv::kNone);
  const std::vector<ThreadCall> run = {{0, C(Op::kLookup, 1)},
                                       {1, C(Op::kLookup, 1)},
                                       {0, C(Op::kDput, 1)},
                                       {1, C(Op::kDput, 1)}};
  EXPECT_EQ(end.run.calls, run);
  EXPECT_EQ(exec.num_threads(), 2);
  // Both lookups were dropped again: the dentry is back to its own count.
  EXPECT_EQ(exec.world().d[1].count, InitWorld(l.config).d[1].count);
  // The trace of the list is the trace of the run, with the same schedule.
  const Trace t = TraceOfCalls(l);
  EXPECT_EQ(t.threads, ThreadsOf(end.run));
  EXPECT_EQ(t.schedule, schedule);
}

TEST(CallContract, OwnDputIsWellFormed) {
  CallList l;
  l.calls = {{0, C(Op::kLookup, 1)}, {0, C(Op::kDput, 1)}};
  const CallOrderEnd end = RunWithContracts(l);
  EXPECT_EQ(end.skipped, 0);
  EXPECT_EQ(end.calls_run, 2);
}

TEST(CallContract, UmountOfABusySuperblockIsIllFormed) {
  CallList l;
  l.config.fs = FsKind::kLibfs;
  l.config.pages = 0;
  l.config.ptes = 0;
  l.calls = {{0, C(Op::kLookup, 1)}, {1, C(Op::kUmount)}};
  EXPECT_EQ(RunWithContracts(l).skipped, 1);
  // R-000b (legacy pin leaked at umount) is a protocol bug, not misuse.
  l.config.policy.dentry_pin = DentryPinScheme::kLegacyDget;
  l.calls = {{0, C(Op::kUmount)}};
  SpecExec exec(l.config);
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, true);
  EXPECT_EQ(end.skipped, 0);
  EXPECT_EQ(exec.violation(), Inv::kDc4);
}

TEST(CallContract, DoubleDiscardAndUnheldPinAreIllFormed) {
  CallList l;
  l.config.fs = FsKind::kLibfs;
  l.config.pages = 0;
  l.config.ptes = 0;
  l.calls = {{0, C(Op::kDiscard, 1)}, {0, C(Op::kDiscard, 1)}};
  EXPECT_EQ(RunWithContracts(l).skipped, 1);
  CallList p;
  p.config.fs = FsKind::kDax;
  p.config.pins = 1;
  p.calls = {{0, C(Op::kUnpin, 0)}};
  EXPECT_EQ(RunWithContracts(p).skipped, 1);
  p.calls = {{0, C(Op::kDma, 0)}};
  EXPECT_EQ(RunWithContracts(p).skipped, 1);
}

TEST(CallContract, SeedRaceR003aIsWellFormed) {
  CallList l;
  l.config.fs = FsKind::kDax;
  l.config.pins = 1;
  l.config.spare = 1;
  l.config.policy.dax_truncate = DaxTruncatePolicy::kNone;
  l.calls = {{0, C(Op::kFault, 0, 1, 0)},
             {0, C(Op::kPin, 0, 0)},
             {0, C(Op::kDma, 0)},
             {1, C(Op::kTruncate, 1, 0)}};
  SpecExec exec(l.config);
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, true);
  EXPECT_EQ(end.skipped, 0);
  EXPECT_EQ(exec.violation(), Inv::kDax1);
}

CWorld After(const CallList& l) {
  SpecExec exec(l.config);
  RunCallOrder(exec, l, nullptr, /*contracts=*/false);
  return exec.world();
}

// A libfs dentry removed by the kernel (discard) while a lookup reference
// keeps it hashed cannot be unlinked again (corpus 000-discard-then-unlink);
// before the removal it can, and a disk unlink has no such contract.
TEST(CallContract, UnlinkAfterInternalRemovalIsIllFormed) {
  CallList l;
  l.config.fs = FsKind::kLibfs;
  l.config.files = 1;
  l.config.pages = 0;
  l.config.ptes = 0;
  const Call unlink{Op::kUnlink, {1, 0, 0}};
  l.calls.push_back({0, Call{Op::kLookup, {1, 0, 0}}});
  EXPECT_TRUE(CallerContractHolds(After(l), l.config, 0, unlink));
  l.calls.push_back({0, Call{Op::kDiscard, {1, 0, 0}}});
  EXPECT_FALSE(CallerContractHolds(After(l), l.config, 0, unlink));
  // A call-ordered run with contracts skips the unlink: clean.
  l.calls.push_back({0, unlink});
  SpecExec exec(l.config);
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, /*contracts=*/true);
  EXPECT_EQ(end.skipped, 1);
  EXPECT_EQ(end.calls_run, 2);
  EXPECT_EQ(exec.violation(), Inv::kNone);

  CallList disk;
  disk.config.fs = FsKind::kDisk;
  disk.calls.push_back({0, Call{Op::kLookup, {1, 0, 0}}});
  EXPECT_TRUE(CallerContractHolds(After(disk), disk.config, 0, unlink));
}

}  // namespace
}  // namespace lifecheck
