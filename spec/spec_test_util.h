// Helpers shared by the spec's contract tests: build calls, drive a SpecExec
// by the sequential schedule or step by step, read results and warnings.
#ifndef LIFECHECK_SPEC_SPEC_TEST_UTIL_H_
#define LIFECHECK_SPEC_SPEC_TEST_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "config/config.h"
#include "gtest/gtest.h"
#include "spec/exec.h"
#include "spec/findings.h"
#include "spec/program.h"
#include "spec/steps_common.h"

namespace lifecheck {

// Failure messages name the invariant ("I-DC-1"), not its bytes.
inline void PrintTo(Inv i, std::ostream* os) {
  *os << (i == Inv::kNone ? "none" : InvId(i));
}

namespace test {

inline Call C(Op op, int a = 0, int b = 0, int c = 0) {
  Call k;
  k.op = op;
  k.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
            static_cast<int16_t>(c)};
  return k;
}

// Runs the default sequential schedule until no thread can move.
inline void Finish(SpecExec& ex) {
  for (int t; (t = ex.sequential_choice()) >= 0;) ex.step(t);
}
inline SpecExec RunAll(const Config& cfg,
                       std::vector<std::vector<Call>> threads) {
  SpecExec ex(cfg, std::move(threads));
  Finish(ex);
  return ex;
}
// Takes one step of each thread in `order`; fails if one is blocked.
inline ::testing::AssertionResult Steps(SpecExec& ex,
                                        std::initializer_list<int> order) {
  int i = 0;
  for (int t : order) {
    if (!ex.enabled(t))
      return ::testing::AssertionFailure()
             << "thread " << t << " blocked at schedule position " << i;
    ex.step(t);
    ++i;
  }
  return ::testing::AssertionSuccess();
}
// Runs thread t until it is done or blocked.
inline void RunThread(SpecExec& ex, int t) {
  while (ex.enabled(t)) ex.step(t);
}
// Return value of thread t's call i, or a sentinel if it has not returned.
inline int Ret(const SpecExec& ex, int t, int i) {
  const auto& r = ex.results()[t];
  return i < static_cast<int>(r.size()) ? r[i] : -9999;
}
inline bool Warned(const SpecExec& ex, Warn w) {
  return ex.world().warned[static_cast<int>(w)];
}
inline uint64_t Ignore(std::initializer_list<Inv> invs) {
  uint64_t m = 0;
  for (Inv i : invs) m |= uint64_t{1} << static_cast<int>(i);
  return m;
}

}  // namespace test
}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_SPEC_TEST_UTIL_H_
