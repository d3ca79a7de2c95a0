// Replay strategies: a decision list (bit for bit, then the sequential
// rule), and a spec schedule run through the impl's step markers.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "harness/sched/sched.h"

namespace lifecheck::sched {
namespace {

class ReplayStrategy : public Strategy {
 public:
  explicit ReplayStrategy(std::vector<int> d) : d_(std::move(d)) {}
  std::string Name() const override { return "replay"; }
  void BeginRun(int) override { i_ = 0; }
  int Next(const SchedView& v) override {
    const auto& r = *v.runnable;
    if (i_ >= d_.size()) {
      // Past the recorded points: the sequential rule, as the spec replay
      // goes on after its schedule (keep the last thread while it can run,
      // else the lowest). A minimised impl-schedule may stop early.
      if (v.last >= 0 && std::binary_search(r.begin(), r.end(), v.last))
        return v.last;
      return r[0];
    }
    const int t = d_[i_++];
    if (!std::binary_search(r.begin(), r.end(), t)) {
      why_ = absl::StrCat("point ", i_, ": the schedule runs T", t,
                          ", which cannot run there");
      return -1;
    }
    return t;
  }
  bool NextRun() override { return false; }
  std::string Divergence() const override { return why_; }

 private:
  std::vector<int> d_;
  size_t i_ = 0;
  std::string why_;
};

// Each entry t: t is parked at its step marker; run it past the marker and
// on until it parks at its next marker (or finishes). Threads not yet at
// their first marker are first run up to it (code before a call's first
// marker touches no shared state).
class StepReplayStrategy : public Strategy {
 public:
  StepReplayStrategy(std::vector<int> s, std::vector<std::string> steps)
      : s_(std::move(s)), steps_(std::move(steps)) {}
  std::string Name() const override { return "step-replay"; }
  void BeginRun(int n) override {
    i_ = 0;
    in_step_.assign(n, 0);
  }
  int Next(const SchedView& v) override {
    const auto& pend = *v.pending;
    const auto& r = *v.runnable;
    auto can_run = [&](int t) {
      return std::binary_search(r.begin(), r.end(), t);
    };
    // The current step's thread, while inside the step.
    for (int t = 0; t < v.num_threads; ++t) {
      if (!in_step_[t]) continue;
      if (pend[t].kind == PointKind::kStep ||
          pend[t].kind == PointKind::kDone) {
        in_step_[t] = 0;  // the step ended at the next marker
        ++i_;
        continue;
      }
      if (!can_run(t)) {
        why_ = absl::StrCat("spec step ", i_ + 1, " (T", t, " ", Step(i_),
                            "): the impl thread blocks inside the step at ",
                            pend[t].label ? pend[t].label : "?");
        return -1;
      }
      return t;
    }
    // Threads before their first marker.
    for (int t : r)
      if (pend[t].kind != PointKind::kStep) return t;
    if (i_ >= s_.size()) return r[0];  // past the schedule: sequential
    const int t = s_[i_];
    if (t >= v.num_threads || pend[t].kind != PointKind::kStep) {
      why_ = absl::StrCat("spec step ", i_ + 1, " (T", t, " ", Step(i_),
                          "): the impl thread has no step left");
      return -1;
    }
    if (!steps_.empty() && i_ < steps_.size() && steps_[i_] != pend[t].label) {
      why_ = absl::StrCat("spec step ", i_ + 1, " (T", t, "): the spec takes ",
                          steps_[i_], ", the impl reaches ", pend[t].label);
      return -1;
    }
    if (!can_run(t)) {
      why_ = absl::StrCat("spec step ", i_ + 1, " (T", t, " ", Step(i_),
                          "): the impl cannot start it");
      return -1;
    }
    in_step_[t] = 1;
    return t;
  }
  bool NextRun() override { return false; }
  std::string Divergence() const override { return why_; }

 private:
  std::string Step(size_t i) const {
    return i < steps_.size() ? steps_[i] : "?";
  }
  std::vector<int> s_;
  std::vector<std::string> steps_;
  size_t i_ = 0;
  std::vector<uint8_t> in_step_;
  std::string why_;
};

}  // namespace

std::unique_ptr<Strategy> MakeReplay(std::vector<int> decisions) {
  return std::make_unique<ReplayStrategy>(std::move(decisions));
}
std::unique_ptr<Strategy> MakeStepReplay(std::vector<int> schedule,
                                         std::vector<std::string> steps) {
  return std::make_unique<StepReplayStrategy>(std::move(schedule),
                                              std::move(steps));
}

}  // namespace lifecheck::sched
