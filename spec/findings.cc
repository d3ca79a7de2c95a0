#include "spec/findings.h"

#include "spec/world.h"

namespace lifecheck {
namespace {

struct InvRow {
  std::string_view id, meaning, seed;
};
constexpr InvRow kInvRows[] = {{"", "", ""},
#define LC_INV_ROW(e, id, meaning, seed) {id, meaning, seed},
                               LC_INVARIANTS(LC_INV_ROW)
#undef LC_INV_ROW
};
static_assert(sizeof(kInvRows) / sizeof(kInvRows[0]) ==
              static_cast<size_t>(Inv::kCount));

struct WarnRow {
  std::string_view code, text;
};
constexpr WarnRow kWarnRows[] = {
#define LC_WARN_ROW(e, code, text) {code, text},
    LC_WARNINGS(LC_WARN_ROW)
#undef LC_WARN_ROW
};
static_assert(static_cast<int>(Inv::kCount) <= 64,
              "Config::ignore has one bit per invariant");
static_assert(static_cast<int>(Warn::kCount) <= kNumWarnSlots,
              "World::warned has one slot per warning");

const InvRow& Row(Inv i) {
  int k = static_cast<int>(i);
  if (k < 0 || k >= static_cast<int>(Inv::kCount)) k = 0;
  return kInvRows[k];
}

}  // namespace

std::string_view InvId(Inv i) { return Row(i).id; }
std::string_view InvMeaning(Inv i) { return Row(i).meaning; }
std::string_view InvSeed(Inv i) { return Row(i).seed; }

bool ParseInvId(std::string_view s, Inv* out) {
  for (int k = 1; k < static_cast<int>(Inv::kCount); ++k) {
    if (kInvRows[k].id == s) {
      *out = static_cast<Inv>(k);
      return true;
    }
  }
  return false;
}

std::string_view WarnCode(Warn w) {
  return kWarnRows[static_cast<int>(w)].code;
}
std::string_view WarnText(Warn w) {
  return kWarnRows[static_cast<int>(w)].text;
}

}  // namespace lifecheck
