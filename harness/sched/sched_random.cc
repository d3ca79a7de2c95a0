// Random strategy: a uniformly random runnable thread at every point.
#include <random>

#include "harness/sched/sched.h"

namespace lifecheck::sched {
namespace {

class RandomStrategy : public Strategy {
 public:
  explicit RandomStrategy(uint64_t seed) : seed_(seed) {}
  std::string Name() const override { return "random"; }
  void BeginRun(int) override {
    rng_.seed(seed_ * 0x9e3779b97f4a7c15ULL + run_);
  }
  int Next(const SchedView& v) override {
    const auto& r = *v.runnable;
    return r[std::uniform_int_distribution<size_t>(0, r.size() - 1)(rng_)];
  }
  bool NextRun() override {
    ++run_;
    return true;
  }

 private:
  uint64_t seed_;
  uint64_t run_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Strategy> MakeRandom(uint64_t seed) {
  return std::make_unique<RandomStrategy>(seed);
}

}  // namespace lifecheck::sched
