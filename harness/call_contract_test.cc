#include "harness/call_contract.h"

#include "gtest/gtest.h"
#include "harness/call_order.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

CWorld After(const CallList& l) {
  SpecExec exec(l.config, ThreadsOf(l));
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
  // A call-ordered run with contracts stops before the unlink: clean.
  l.calls.push_back({0, unlink});
  SpecExec exec(l.config, ThreadsOf(l));
  const CallOrderEnd end = RunCallOrder(exec, l, nullptr, /*contracts=*/true);
  EXPECT_TRUE(end.ill_formed);
  EXPECT_EQ(exec.violation(), Inv::kNone);

  CallList disk;
  disk.config.fs = FsKind::kDisk;
  disk.calls.push_back({0, Call{Op::kLookup, {1, 0, 0}}});
  EXPECT_TRUE(CallerContractHolds(After(disk), disk.config, 0, unlink));
}

}  // namespace
}  // namespace lifecheck
