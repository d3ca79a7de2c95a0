#include "harness/findings/diff_report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "harness/findings/report.h"
#include "harness/run/replay.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

std::string DiffSummaryLine(const DiffOutcome& o) {
  std::string where;
  const Trace& t = o.trace;
  if (o.last_thread >= 0 &&
      o.last_thread < static_cast<int>(t.thread_names.size()))
    where = absl::StrCat(" ", A(GetOpInfo(o.last_call.op).name), " in thread ",
                         t.thread_names[o.last_thread]);
  return absl::StrCat("SUMMARY: lifecheck: ", DiffVerdict(o), where,
                      " at call ", o.calls_run);
}

std::string DiffReport(const DiffOutcome& o, const std::string& trace_path) {
  std::string out = absl::StrCat("lifecheck: finding ", DiffVerdict(o), ": ",
                                 A(InvMeaning(o.inv)), " (differential)\n");
  // The spec side of the run as the interleaving table.
  Trace spec_only = o.trace;
  spec_only.expect.clear();
  absl::StatusOr<RunResult> r = RunTrace(spec_only, trace_path);
  if (r.ok()) absl::StrAppend(&out, InterleavingTable(spec_only, *r));
  if (!o.detail.empty()) absl::StrAppend(&out, o.detail, "\n");
  absl::StrAppend(&out, ConfigLine(o.trace.config), "\n");
  absl::StrAppend(&out, "replay: lifecheck run --diff", FaultFlags(o.faults),
                  " ", trace_path, "\n");
  absl::StrAppend(&out, DiffSummaryLine(o), "\n");
  return out;
}

}  // namespace lifecheck
