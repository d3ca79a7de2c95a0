// b % d for a byte b without a division instruction. The binary decoding
// takes every call argument modulo its range, and a hardware divide costs
// more than the rest of a call's decoding (docs/performance.md).
//
// With m = ceil(2^16 / d), (b * m) >> 16 == b / d for every b < 256 and
// 1 <= d <= 256: b * m / 2^16 exceeds b / d by less than 256 / 2^16 <= 1/d,
// which never reaches the next multiple. byte_mod_test checks every pair.
#ifndef LIFECHECK_HARNESS_TRACE_BYTE_MOD_H_
#define LIFECHECK_HARNESS_TRACE_BYTE_MOD_H_

#include <cstdint>

#include "spec/check.h"

namespace lifecheck {

class ByteMod {
 public:
  ByteMod() = default;
  explicit ByteMod(int d) : d_(static_cast<uint32_t>(d)) {
    LC_CHECK(d >= 1 && d <= 256);
    m_ = (65536u + d_ - 1) / d_;
  }
  int operator()(uint8_t b) const {
    return static_cast<int>(b - d_ * ((b * m_) >> 16));
  }

 private:
  uint32_t d_ = 1;
  uint32_t m_ = 65536;
};

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_TRACE_BYTE_MOD_H_
