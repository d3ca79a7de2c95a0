// Reports of findings of the impl under the controlled scheduler
// (harness/sched/): the step table and the report `lifecheck explore`
// prints.
#include "harness/findings/sched_report.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/findings/report.h"
#include "harness/run/replay.h"

namespace lifecheck::sched {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

std::string Name(const Trace& t, int tid) {
  return tid >= 0 && tid < static_cast<int>(t.thread_names.size())
             ? t.thread_names[tid]
             : absl::StrCat("T", tid);
}

}  // namespace

std::string StepTable(const Trace& t, const SchedOutcome& o) {
  const int n = static_cast<int>(t.threads.size());
  std::vector<size_t> w(n, 0);
  for (int i = 0; i < n; ++i) w[i] = Name(t, i).size();
  for (const StepEvent& e : o.steps)
    w[e.thread] = std::max(w[e.thread], e.step.size());
  auto cell = [](std::string s, size_t width) {
    s.resize(std::max(s.size(), width), ' ');
    return s;
  };
  std::string out = "  #    ";
  for (int i = 0; i < n; ++i)
    absl::StrAppend(&out, " | ", cell(Name(t, i), w[i]));
  absl::StrAppend(&out, " | impl point\n");
  for (size_t k = 0; k < o.steps.size(); ++k) {
    const StepEvent& e = o.steps[k];
    std::string row = absl::StrCat("  ", k + 1);
    row.resize(7, ' ');
    for (int i = 0; i < n; ++i)
      absl::StrAppend(&row, " | ", cell(i == e.thread ? e.step : "", w[i]));
    absl::StrAppend(&row, " | ", e.point + 1, "\n");
    out += row;
  }
  return out;
}

std::string ExploreSummary(const Trace& t, const ExploreResult& r) {
  const SchedOutcome& o = r.outcome;
  if (!r.found)
    return absl::StrCat("SUMMARY: lifecheck: clean (impl, ", r.description,
                        ", ", r.runs, " schedules", r.exhausted ? ", all" : "",
                        ")");
  std::string where;
  const size_t k = o.finding_step > 0 && o.finding_step <= o.steps.size()
                       ? o.finding_step
                       : o.steps.size();
  if (k > 0) {
    const StepEvent& e = o.steps[k - 1];
    where = absl::StrCat(" ", e.step, " in thread ", Name(t, e.thread),
                         " at step ", k);
  }
  return absl::StrCat("SUMMARY: lifecheck: ", A(InvId(o.inv)), where,
                      " (impl, schedule ", r.runs, " of ", r.description, ")");
}

std::string ExploreReport(const Trace& t, const ExploreResult& r,
                          const std::string& saved_path) {
  const SchedOutcome& o = r.outcome;
  std::string out = absl::StrCat("lifecheck: finding ", A(InvId(o.inv)), ": ",
                                 A(InvMeaning(o.inv)),
                                 " (impl under the controlled scheduler)\n");
  absl::StrAppend(&out, StepTable(t, o));
  // A step-serial run is a spec run: its table with the state changes.
  if (o.serial && !r.found_trace.schedule.empty()) {
    absl::StatusOr<RunResult> spec = RunTrace(r.found_trace, "found");
    if (spec.ok())
      absl::StrAppend(&out, "the same steps on the spec:\n",
                      InterleavingTable(r.found_trace, *spec));
  }
  absl::StrAppend(&out, o.detail, "\n");
  absl::StrAppend(&out, SpecOnMarkerOrder(t, o), "\n");
  absl::StrAppend(&out, ConfigLine(t.config), "\n");
  absl::StrAppend(&out, "impl: ", o.points, " scheduling points, ",
                  o.steps.size(), " step boundaries, ",
                  o.serial ? "step-serial" : "steps overlapped",
                  "; found by schedule ", r.runs, " (", r.description, ") in ",
                  absl::StrFormat("%.2f", r.seconds), " s\n");
  absl::StrAppend(&out, "replay: lifecheck explore ", saved_path,
                  " --strategy replay\n");
  absl::StrAppend(&out, ExploreSummary(t, r), "\n");
  return out;
}

}  // namespace lifecheck::sched
