// Bounded exhaustive strategy: stateless DFS over the choice points (each
// run replays the prefix of the current branch, then extends it), at most
// `bound` preemptions per run (Musuvathi & Qadeer, CHESS), with sleep sets
// (Godefroid): after exploring thread a at a node, a sleeps in the siblings'
// subtrees until some thread runs an action Dependent() on a's pending one.
// Two schedules that differ only in the order of independent adjacent
// actions are explored once.
#include <algorithm>

#include "harness/sched/sched.h"

namespace lifecheck::sched {
namespace {

class DfsStrategy : public Strategy {
 public:
  explicit DfsStrategy(int bound) : bound_(bound) {}
  std::string Name() const override { return "dfs"; }
  void BeginRun(int) override { depth_ = 0; }

  int Next(const SchedView& v) override {
    const auto& r = *v.runnable;
    const bool last_runnable =
        v.last >= 0 && std::binary_search(r.begin(), r.end(), v.last);
    if (depth_ < frames_.size()) {
      Frame& f = frames_[depth_++];
      return f.chosen;  // the prefix: deterministic, the same node
    }
    Frame f;
    f.runnable = r;
    f.pending = *v.pending;
    f.last = v.last;
    f.last_runnable = last_runnable;
    if (!frames_.empty()) {
      const Frame& p = frames_.back();
      f.preemptions = p.preemptions + p.Preempts(p.chosen);
      const Point& ran = p.pending[p.chosen];
      auto inherit = [&](int u) {
        if (u != p.chosen && !Dependent(p.pending[u], ran) &&
            std::find(f.sleep.begin(), f.sleep.end(), u) == f.sleep.end())
          f.sleep.push_back(u);
      };
      for (int u : p.sleep) inherit(u);
      for (int u : p.tried) inherit(u);
    }
    // No preemption if possible; the lowest awake thread otherwise.
    int pick = -1;
    if (last_runnable && !f.Asleep(v.last)) pick = v.last;
    for (size_t i = 0; pick < 0 && i < r.size(); ++i)
      if (!f.Asleep(r[i])) pick = r[i];
    if (pick < 0) pick = last_runnable ? v.last : r[0];  // all asleep
    f.chosen = pick;
    frames_.push_back(std::move(f));
    ++depth_;
    return pick;
  }

  bool NextRun() override {
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      f.tried.push_back(f.chosen);
      for (int a : f.runnable) {
        if (std::find(f.tried.begin(), f.tried.end(), a) != f.tried.end() ||
            f.Asleep(a) || f.preemptions + f.Preempts(a) > bound_)
          continue;
        f.chosen = a;
        return true;
      }
      frames_.pop_back();
    }
    return false;
  }

 private:
  struct Frame {
    std::vector<int> runnable;
    std::vector<Point> pending;
    std::vector<int> sleep;
    std::vector<int> tried;
    int chosen = -1;
    int last = -1;
    bool last_runnable = false;
    int preemptions = 0;  // before this node
    int Preempts(int t) const { return last_runnable && t != last ? 1 : 0; }
    bool Asleep(int t) const {
      return std::find(sleep.begin(), sleep.end(), t) != sleep.end();
    }
  };
  int bound_;
  std::vector<Frame> frames_;
  size_t depth_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> MakeDfs(int preemptions) {
  return std::make_unique<DfsStrategy>(preemptions);
}

}  // namespace lifecheck::sched
