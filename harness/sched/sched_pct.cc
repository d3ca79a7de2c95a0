// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): each run
// gives the threads random distinct priorities >= d and picks d-1 change
// points in [1, k] (k = the previous run's length); the highest-priority
// runnable thread runs; at the i-th change point the running thread's
// priority drops to i (below every initial one).
#include <algorithm>
#include <numeric>
#include <random>

#include "harness/sched/sched.h"

namespace lifecheck::sched {
namespace {

class PctStrategy : public Strategy {
 public:
  PctStrategy(uint64_t seed, int depth) : seed_(seed), depth_(depth) {}
  std::string Name() const override { return "pct"; }
  void BeginRun(int n) override {
    rng_.seed(seed_ * 0x9e3779b97f4a7c15ULL + run_);
    prio_.resize(n);
    std::iota(prio_.begin(), prio_.end(), depth_);
    std::shuffle(prio_.begin(), prio_.end(), rng_);
    change_.clear();
    for (int i = 1; i < depth_; ++i)
      change_.push_back(std::uniform_int_distribution<int64_t>(1, k_)(rng_));
    points_ = 0;
  }
  int Next(const SchedView& v) override {
    points_ = v.point + 1;
    for (size_t i = 0; i < change_.size(); ++i)
      if (change_[i] == v.point && v.last >= 0)
        prio_[v.last] = static_cast<int>(depth_ - 1 - i);
    int best = -1;
    for (int t : *v.runnable)
      if (best < 0 || prio_[t] > prio_[best]) best = t;
    return best;
  }
  bool NextRun() override {
    ++run_;
    k_ = std::max<int64_t>(k_, points_);
    return true;
  }

 private:
  uint64_t seed_;
  int depth_;
  uint64_t run_ = 0;
  int64_t k_ = 1;
  int64_t points_ = 0;
  std::mt19937_64 rng_;
  std::vector<int> prio_;
  std::vector<int64_t> change_;
};

}  // namespace

std::unique_ptr<Strategy> MakePct(uint64_t seed, int depth) {
  return std::make_unique<PctStrategy>(seed, std::max(depth, 1));
}

}  // namespace lifecheck::sched
