#include "harness/trace/byte_mod.h"

#include <gtest/gtest.h>

namespace lifecheck {
namespace {

TEST(ByteMod, EqualsTheRemainderForEveryByteAndDivisor) {
  for (int d = 1; d <= 256; ++d) {
    const ByteMod mod(d);
    for (int b = 0; b < 256; ++b)
      ASSERT_EQ(mod(static_cast<uint8_t>(b)), b % d) << b << " % " << d;
  }
}

}  // namespace
}  // namespace lifecheck
