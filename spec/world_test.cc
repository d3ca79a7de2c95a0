// The world is a value: equal worlds compare and hash equal, a step changes
// both, and a hash set of worlds deduplicates (what the model checker needs).
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "gtest/gtest.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

Config DaxConfig() {
  Config c;
  c.fs = FsKind::kDax;
  c.files = 2;
  c.pages = 2;
  c.spare = 1;
  c.ptes = 2;
  c.pins = 1;
  return c;
}

TEST(World, InitIsDeterministicAndHashesEqual) {
  const CWorld a = InitWorld(DaxConfig()), b = InitWorld(DaxConfig());
  EXPECT_TRUE(a == b);
  EXPECT_EQ(absl::Hash<CWorld>()(a), absl::Hash<CWorld>()(b));
}

TEST(World, EveryStepYieldsADistinctValueAndTheSetDeduplicates) {
  Call fault;
  fault.op = Op::kFault;
  fault.args = {0, 1, 0};
  Call pin;
  pin.op = Op::kPin;
  pin.args = {0, 0, 0};
  SpecExec ex(DaxConfig(), {{fault, pin}});
  absl::flat_hash_set<CWorld> seen;
  seen.insert(ex.world());
  while (!ex.finished()) {
    const CWorld before = ex.world();
    ex.step(0);
    EXPECT_FALSE(before == ex.world());
    EXPECT_TRUE(seen.insert(ex.world()).second);
  }
  // init, after fault, then the pin: PinLockPtl finds the PTE read-only,
  // the FOLL_WRITE fault (one DAX step) makes it writable, PinLockPtl, grab.
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_FALSE(seen.insert(InitWorld(DaxConfig())).second);
}

TEST(World, AFieldChangeChangesEqualityAndHash) {
  CWorld a = InitWorld(DaxConfig());
  CWorld b = a;
  b.pg[2].g_spec = 1;  // the last field of a page, far from the start
  EXPECT_FALSE(a == b);
  EXPECT_NE(absl::Hash<CWorld>()(a), absl::Hash<CWorld>()(b));
}

}  // namespace
}  // namespace lifecheck
