// The abstraction function: the initial impl state abstracts to the spec's
// InitWorld, the used-slots variant agrees with the full one, and an impl
// stutter (a failed fast path) leaves the abstraction unchanged.
#include "harness/run/abstraction.h"

#include <cstddef>

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

// The comparison's fast path compares bytes; padding that differs while
// every field agrees must not make two worlds differ, and one field must.
TEST(Abstraction, UsedEqualsIgnoresPaddingAndSeesEveryField) {
  Config cfg;
  cfg.fs = FsKind::kDax;
  cfg.files = 2;
  cfg.pins = 2;
  const CWorld a = SpecWorldAtBoundary(InitWorld(cfg));
  CWorld b = a;
  constexpr size_t kPad = offsetof(CWorld::Dentry, freed) + sizeof(bool);
  static_assert(kPad < offsetof(CWorld::Dentry, h_persist), "no padding");
  reinterpret_cast<unsigned char*>(&b.d[1])[kPad] ^= 0xAB;
  EXPECT_TRUE(AbstractUsedEquals(cfg, b, a));
  b.d[1].h_pin += 1;
  EXPECT_FALSE(AbstractUsedEquals(cfg, b, a));
  b.d[1].h_pin -= 1;
  b.pg[cfg.phys_pages() - 1].g_trans = 1;
  EXPECT_FALSE(AbstractUsedEquals(cfg, b, a));
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
