#include "harness/findings/judge.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/sched/sched.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

std::string StepLabel(Op op, Step step) {
  return absl::StrCat(A(GetOpInfo(op).name), ".", A(StepName(step)));
}

// The spec site of a run: the violating op.Step, or the blocked steps.
std::string SpecSite(const RunResult& r) {
  if (r.violation != Inv::kNone && !r.steps.empty())
    return StepLabel(r.steps.back().op, r.steps.back().step);
  if (r.deadlock || r.starvation) {
    std::vector<std::string> b;
    for (const BlockedAt& x : r.blocked) b.push_back(StepLabel(x.op, x.step));
    std::sort(b.begin(), b.end());
    return absl::StrCat(r.deadlock ? "blocked " : "starved ",
                        absl::StrJoin(b, "+"));
  }
  return "";
}

// The field names of DiffWorlds lines, without object numbers: "pg.refcount".
std::string FieldKinds(const std::vector<std::string>& lines) {
  std::set<std::string> kinds;
  for (const std::string& l : lines) {
    std::string name = l.substr(0, l.find(':'));
    std::string out;
    bool in_index = false;
    for (char c : name) {
      if (c == '[') in_index = true;
      if (!in_index) out += c;
      if (c == ']') in_index = false;
    }
    kinds.insert(out);
  }
  return absl::StrJoin(kinds, ",");
}

}  // namespace

std::string Judgement::verdict() const {
  return inv == Inv::kNone ? "clean" : std::string(InvId(inv));
}

absl::StatusOr<Judgement> JudgeTrace(const Trace& t, const std::string& path) {
  Judgement j;
  switch (t.judge) {
    case Judge::kSpec: {
      absl::StatusOr<RunResult> r = RunTrace(t, path);
      if (!r.ok()) return r.status();
      j.inv = Finding(*r);
      j.spec = *std::move(r);
      break;
    }
    case Judge::kDiff: {
      absl::StatusOr<DiffOutcome> o = RunDiffTrace(t, path);
      if (!o.ok()) return o.status();
      j.inv = o->inv;
      j.diff = *std::move(o);
      break;
    }
    case Judge::kSched: {
      sched::ExploreOptions opt;
      opt.strategy = "replay";
      absl::StatusOr<sched::ExploreResult> e = sched::Explore(t, path, opt);
      if (!e.ok()) return e.status();
      j.inv = e->outcome.inv;
      j.sched = *std::move(e);
      break;
    }
  }
  return j;
}

std::string FindingSite(const Judgement& j) {
  if (j.inv == Inv::kNone) return "";
  if (j.spec) return SpecSite(*j.spec);
  if (j.diff) {
    const DiffOutcome& o = *j.diff;
    if (o.part.call_index < 0) {
      // A spec invariant the differential run hit: the spec's own site.
      absl::StatusOr<RunResult> r =
          RunTrace(o.trace, "", {.record_changes = false});
      return r.ok() ? SpecSite(*r) : "";
    }
    std::string site = absl::StrCat("call ", A(GetOpInfo(o.part.call.op).name));
    if (o.inv == Inv::kDiffState && !o.part.fields.empty())
      absl::StrAppend(&site, " [", FieldKinds(o.part.fields), "]");
    if (o.inv == Inv::kDiffBlock)
      absl::StrAppend(
          &site, " [spec ", o.part.spec_blocked ? o.part.spec_step : "returns",
          ", impl ", o.part.impl_blocked ? o.part.impl_step : "returns", "]");
    return site;
  }
  if (j.sched) {
    const sched::SchedOutcome& o = j.sched->outcome;
    if (o.inv == Inv::kStarvation) {
      // Where the starved threads wait: the site of the lasso's spec run
      // (the impl replay followed it, or it would be a DIFF-*).
      absl::StatusOr<RunResult> r =
          RunTrace(j.sched->found_trace, "", {.record_changes = false});
      if (r.ok() && r->starvation) return SpecSite(*r);
    }
    const size_t k = o.finding_step > 0 && o.finding_step <= o.steps.size()
                         ? o.finding_step
                         : o.steps.size();
    if (k == 0) return "impl start";
    return absl::StrCat("impl ", o.steps[k - 1].step);
  }
  return "";
}

namespace {

// The oracle's state: runners reused between candidates.
class OracleState {
 public:
  OracleState() {
    sched_opt_.strategy = "replay";
    sched_opt_.scheduler = &sched_;
  }
  std::string Verdict(const Trace& t) {
    switch (t.judge) {
      case Judge::kSpec: {
        absl::StatusOr<RunResult> r =
            RunTrace(t, "", {.record_changes = false});
        return r.ok() ? lifecheck::Verdict(*r) : kInvalidVerdict;
      }
      case Judge::kDiff: {
        absl::StatusOr<std::vector<ThreadCall>> calls =
            CallAtomicOrder(t, "<oracle>");
        if (!calls.ok()) return kInvalidVerdict;
        diff_.set_faults(t.faults);
        return DiffVerdict(diff_.Run(t.config, *calls));
      }
      case Judge::kSched: {
        absl::StatusOr<sched::ExploreResult> e =
            sched::Explore(t, "<oracle>", sched_opt_);
        if (!e.ok() || e->diverged) return kInvalidVerdict;
        return e->found ? std::string(InvId(e->outcome.inv)) : "clean";
      }
    }
    return kInvalidVerdict;
  }

 private:
  DiffRunner diff_;
  sched::Scheduler sched_;  // its worker threads live as long as the oracle
  sched::ExploreOptions sched_opt_;  // replay on sched_
};

}  // namespace

Oracle JudgeOracle() {
  auto state = std::make_shared<OracleState>();
  return [state](const Trace& t) { return state->Verdict(t); };
}

}  // namespace lifecheck
