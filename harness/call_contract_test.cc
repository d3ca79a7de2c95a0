#include "harness/call_contract.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/call_order.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

CallOrderEnd RunWithContracts(const CallList& l) {
  SpecExec exec(l.config, ThreadsOf(l));
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
  EXPECT_TRUE(end.ill_formed);
  EXPECT_EQ(end.calls_run, 1);
  // Without contracts the spec flags the misuse itself.
  SpecExec exec(l.config, ThreadsOf(l));
  RunCallOrder(exec, l, nullptr, /*contracts=*/false);
  EXPECT_EQ(exec.violation(), Inv::kRef1);
}

TEST(CallContract, OwnDputIsWellFormed) {
  CallList l;
  l.calls = {{0, C(Op::kLookup, 1)}, {0, C(Op::kDput, 1)}};
  const CallOrderEnd end = RunWithContracts(l);
  EXPECT_FALSE(end.ill_formed);
  EXPECT_EQ(end.calls_run, 2);
}

TEST(CallContract, UmountOfABusySuperblockIsIllFormed) {
  CallList l;
  l.config.fs = FsKind::kLibfs;
  l.config.pages = 0;
  l.config.ptes = 0;
  l.calls = {{0, C(Op::kLookup, 1)}, {1, C(Op::kUmount)}};
  EXPECT_TRUE(RunWithContracts(l).ill_formed);
  // R-000b (legacy pin leaked at umount) is a protocol bug, not misuse.
  l.config.policy.dentry_pin = DentryPinScheme::kLegacyDget;
  l.calls = {{0, C(Op::kUmount)}};
  SpecExec exec(l.config, ThreadsOf(l));
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, true);
  EXPECT_FALSE(end.ill_formed);
  EXPECT_EQ(exec.violation(), Inv::kDc4);
}

TEST(CallContract, DoubleDiscardAndUnheldPinAreIllFormed) {
  CallList l;
  l.config.fs = FsKind::kLibfs;
  l.config.pages = 0;
  l.config.ptes = 0;
  l.calls = {{0, C(Op::kDiscard, 1)}, {0, C(Op::kDiscard, 1)}};
  EXPECT_TRUE(RunWithContracts(l).ill_formed);
  CallList p;
  p.config.fs = FsKind::kDax;
  p.config.pins = 1;
  p.calls = {{0, C(Op::kUnpin, 0)}};
  EXPECT_TRUE(RunWithContracts(p).ill_formed);
  p.calls = {{0, C(Op::kDma, 0)}};
  EXPECT_TRUE(RunWithContracts(p).ill_formed);
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
  SpecExec exec(l.config, ThreadsOf(l));
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, true);
  EXPECT_FALSE(end.ill_formed);
  EXPECT_EQ(exec.violation(), Inv::kDax1);
}

}  // namespace
}  // namespace lifecheck
