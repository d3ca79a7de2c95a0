// The abstraction function: the initial impl state abstracts to the spec's
// InitWorld, the used-slots variant agrees with the full one, and an impl
// stutter (a failed fast path) leaves the abstraction unchanged.
#include "harness/abstraction.h"

#include "gtest/gtest.h"
#include "impl/kernel.h"
#include "impl/lockref.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

std::vector<Config> Configs() {
  std::vector<Config> out;
  for (FsKind fs : {FsKind::kLibfs, FsKind::kDisk, FsKind::kDax}) {
    Config c;
    c.fs = fs;
    c.files = 2;
    c.pages = 3;
    c.spare = 1;
    c.ptes = 2;
    c.pins = fs == FsKind::kLibfs ? 0 : 2;
    c.events = 2;
    out.push_back(c);
    c.policy.dentry_pin = DentryPinScheme::kLegacyDget;
    c.policy.dax_ref_base = DaxRefBase::kOneBased;
    out.push_back(c);
  }
  return out;
}

TEST(Abstraction, InitialImplStateIsTheSpecsInitWorld) {
  for (const Config& c : Configs()) {
    impl::Kernel k(c);
    EXPECT_EQ(DiffWorlds(SpecWorldAtBoundary(InitWorld(c)), Abstract(k)),
              std::vector<std::string>{});
    EXPECT_TRUE(AbstractEquals(Abstract(k), InitWorld(c)));
  }
}

TEST(Abstraction, UsedSlotsVariantAgreesWithTheFullOne) {
  for (const Config& c : Configs()) {
    impl::Kernel k(c);
    k.lookup(0, 1);
    k.handle_mm_fault(1, 0, 1, 0);
    k.do_wp_page(1, 0);
    k.truncate(0, 2, 1);
    CWorld used = SpecWorldAtBoundary(InitWorld(c));
    AbstractUsedInto(k, &used);
    const CWorld full = Abstract(k);
    EXPECT_EQ(DiffWorlds(full, used), std::vector<std::string>{});
    EXPECT_TRUE(AbstractUsedEquals(c, used, full));
    EXPECT_FALSE(AbstractEquals(full, InitWorld(c)));  // something changed
  }
}

TEST(Abstraction, FailedFastPathIsAStutter) {
  Config c;
  c.fs = FsKind::kLibfs;
  impl::Kernel k(c);
  const CWorld before = Abstract(k);
  // d_lock held by someone: lockref_put_return's CAS fails, no change.
  auto& d = const_cast<impl::Dentry&>(k.dentries()[1]);
  const uint64_t w = d.lockref.load(impl::sync::kRelaxed);
  d.lockref.store(w | 5, impl::sync::kRelaxed);
  EXPECT_FALSE(impl::lockref_put_fast(d, "t"));
  d.lockref.store(w, impl::sync::kRelaxed);
  EXPECT_TRUE(AbstractEquals(Abstract(k), before));
}

}  // namespace
}  // namespace lifecheck
