#include "harness/findings/report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "harness/sched/explore.h"

namespace lifecheck {
namespace {

// The std::string_views of the spec tables are not absl::string_view on
// Debian's Abseil (toolchain gotcha G7): convert at the boundary.
absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// Width of the changes column before it wraps onto continuation rows, and how
// many rows one step may use before the rest is summarised as "+N more".
// The violating step of a finding is shown in full: it is the row the
// report exists for.
constexpr size_t kChangesWidth = 64;
constexpr int kChangesMaxRows = 3;
constexpr int kUnlimitedRows = 1 << 30;

// Linux errno names for the negative return values the ops use.
const char* ErrnoName(int e) {
  switch (e) {
    case 2:
      return "ENOENT";
    case 4:
      return "EINTR";
    case 9:
      return "EBADF";
    case 11:
      return "EAGAIN";
    case 12:
      return "ENOMEM";
    case 13:
      return "EACCES";
    case 14:
      return "EFAULT";
    case 16:
      return "EBUSY";
    case 19:
      return "ENODEV";
    case 22:
      return "EINVAL";
    case 28:
      return "ENOSPC";
    case 37:
      return "ENOLCK";
    case 39:
      return "ENOTEMPTY";
    case 95:
      return "EOPNOTSUPP";
    case 512:
      return "ERESTARTSYS";
    default:
      return nullptr;
  }
}

std::string RetText(int ret) {
  const char* name = ret < 0 ? ErrnoName(-ret) : nullptr;
  if (name == nullptr) return absl::StrCat(ret);
  return absl::StrCat(ret, " (", name, ")");
}

std::string StepText(Op op, Step step) {
  return absl::StrCat(A(GetOpInfo(op).name), ".", A(StepName(step)));
}

std::string ThreadName(const Trace& t, int thread) {
  if (thread >= 0 && static_cast<size_t>(thread) < t.thread_names.size())
    return t.thread_names[thread];
  return absl::StrCat("#", thread);
}

// The value after "-> " of a DiffWorlds line ("x: 0 -> 20" gives 20).
bool NewValue(absl::string_view line, int* out) {
  const size_t arrow = line.rfind("-> ");
  if (arrow == absl::string_view::npos) return false;
  return absl::SimpleAtoi(line.substr(arrow + 3), out);
}

// Rewrites one DiffWorlds line for the table; false drops it. Thread fields
// (the call's registers and return slot) are noise here: the return value is
// shown in the thread's column. The violation and warning slots are decoded
// to their IDs, which is what a reader looks for.
bool ChangeText(const std::string& line, std::string* out) {
  const absl::string_view l(line);
  const absl::string_view name = l.substr(0, l.find(':'));
  if (absl::StartsWith(name, "th[") || absl::StartsWith(name, ".th["))
    return false;
  int v = 0;
  if (absl::EndsWith(name, "violation") && NewValue(l, &v)) {
    const std::string_view id = InvId(static_cast<Inv>(v));
    *out = id.empty() ? line : absl::StrCat("VIOLATION ", A(id));
    return true;
  }
  const size_t w = name.find("warned[");
  int slot = 0;
  if (w != absl::string_view::npos && NewValue(l, &v) && v != 0 &&
      absl::SimpleAtoi(name.substr(w + 7, name.find(']', w) - (w + 7)),
                       &slot) &&
      slot >= 0 && slot < static_cast<int>(Warn::kCount)) {
    *out = absl::StrCat("WARN ", A(WarnCode(static_cast<Warn>(slot))));
    return true;
  }
  *out = line;
  return true;
}

// The changes of one step as rows of at most kChangesWidth characters
// (a single longer item gets a row of its own).
std::vector<std::string> ChangeRows(const std::vector<std::string>& diff,
                                    int max_rows) {
  std::vector<std::string> items;
  for (const std::string& line : diff) {
    std::string text;
    if (ChangeText(line, &text)) items.push_back(std::move(text));
  }
  // Violations and warnings first: they are what the row is read for, and
  // they must survive the "+N more" cut.
  std::stable_partition(items.begin(), items.end(), [](const std::string& s) {
    return absl::StartsWith(s, "VIOLATION ") || absl::StartsWith(s, "WARN ");
  });
  std::vector<std::string> rows;
  std::string cur;
  size_t i = 0;
  for (; i < items.size(); ++i) {
    const size_t need =
        cur.empty() ? items[i].size() : cur.size() + 2 + items[i].size();
    if (!cur.empty() && need > kChangesWidth) {
      if (static_cast<int>(rows.size()) + 1 == max_rows) break;
      rows.push_back(cur + ",");
      cur.clear();
    }
    absl::StrAppend(&cur, cur.empty() ? "" : ", ", items[i]);
  }
  if (i < items.size()) absl::StrAppend(&cur, ", +", items.size() - i, " more");
  if (!cur.empty()) rows.push_back(cur);
  return rows;
}

// A text table: columns padded to their widest cell, two spaces apart,
// trailing blanks trimmed. Column 0 is right-aligned (row numbers).
std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      const std::string pad(width[c] - row[c].size(), ' ');
      line += c == 0 ? pad + row[c] : row[c] + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  };
  emit(rows[0]);
  std::vector<std::string> rule;
  for (size_t c = 0; c < width.size(); ++c)
    rule.push_back(std::string(width[c], '-'));
  emit(rule);
  for (size_t i = 1; i < rows.size(); ++i) emit(rows[i]);
  return out;
}

std::string FieldValue(const ConfigField& f, int v) {
  if (f.values.empty()) return absl::StrCat(v);
  if (v >= 0 && static_cast<size_t>(v) < f.values.size()) return f.values[v];
  return absl::StrCat(v);
}

std::string ThreadLines(const Trace& t) {
  std::string out = "threads:\n";
  for (size_t i = 0; i < t.threads.size(); ++i) {
    std::vector<std::string> calls;
    for (const Call& c : t.threads[i]) calls.push_back(PrintCall(c));
    std::vector<std::string> loop;
    for (const Call& c : t.loop(static_cast<int>(i)))
      loop.push_back(PrintCall(c));
    if (!loop.empty())
      calls.push_back("for ever { " + absl::StrJoin(loop, "; ") + " }");
    absl::StrAppend(&out, "  ", ThreadName(t, static_cast<int>(i)), ": ",
                    calls.empty() ? "(no calls)" : absl::StrJoin(calls, "; "),
                    "\n");
  }
  return out;
}

}  // namespace

std::string InterleavingTable(const Trace& t, const RunResult& r) {
  const size_t nthreads = t.threads.size();
  const size_t ncols = nthreads + 2;  // "#", threads..., "changes"
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header(ncols);
  header[0] = "#";
  for (size_t i = 0; i < nthreads; ++i)
    header[i + 1] = ThreadName(t, static_cast<int>(i));
  header[ncols - 1] = "changes";
  rows.push_back(header);

  for (size_t s = 0; s < r.steps.size(); ++s) {
    const StepRecord& rec = r.steps[s];
    if (r.cycle_start >= 0 && s == static_cast<size_t>(r.cycle_start)) {
      // A lasso: what follows repeats for ever.
      std::vector<std::string> mark(ncols);
      mark[0] = "~";
      mark[ncols - 1] = "cycle: the steps below repeat for ever";
      rows.push_back(mark);
    }
    std::vector<std::string> row(ncols);
    row[0] = absl::StrCat(s + 1);
    if (rec.thread >= 0 && static_cast<size_t>(rec.thread) < nthreads) {
      std::string& cell = row[rec.thread + 1];
      cell = StepText(rec.op, rec.step);
      if (rec.call_returned) absl::StrAppend(&cell, " -> ", RetText(rec.ret));
    }
    const bool violating = r.violation != Inv::kNone && s + 1 == r.steps.size();
    const std::vector<std::string> changes =
        s < r.changes.size()
            ? ChangeRows(r.changes[s],
                         violating ? kUnlimitedRows : kChangesMaxRows)
            : std::vector<std::string>{};
    if (!changes.empty()) row[ncols - 1] = changes[0];
    rows.push_back(row);
    for (size_t k = 1; k < changes.size(); ++k) {
      // Continuation row: only the changes column is filled.
      std::vector<std::string> more(ncols);
      more[ncols - 1] = changes[k];
      rows.push_back(more);
    }
  }

  if (!r.blocked.empty()) {
    std::vector<std::string> row(ncols);
    row[0] = "-";
    for (const BlockedAt& b : r.blocked) {
      if (b.thread >= 0 && static_cast<size_t>(b.thread) < nthreads)
        row[b.thread + 1] =
            (r.starvation ? "starved: " : "blocked: ") + StepText(b.op, b.step);
    }
    row[ncols - 1] = r.starvation ? "STARVATION" : "DEADLOCK";
    rows.push_back(row);
  }
  return RenderTable(rows);
}

std::vector<Warn> WarningsSeen(const CWorld& w) {
  std::vector<Warn> out;
  for (int k = 0; k < static_cast<int>(Warn::kCount); ++k)
    if (w.warned[k]) out.push_back(static_cast<Warn>(k));
  return out;
}

std::string WarningLines(const RunResult& r) {
  std::string out;
  for (Warn w : WarningsSeen(r.final_world))
    absl::StrAppend(&out, "warning: ", A(WarnCode(w)), ": ", A(WarnText(w)),
                    "\n");
  return out;
}

std::string ConfigLine(const Config& c) {
  const Config mainline;
  std::vector<std::string> sizes, policies;
  for (const ConfigField& f : ConfigFields()) {
    const int v = f.get(c);
    if (!f.is_policy) {
      sizes.push_back(absl::StrCat(f.name, "=", FieldValue(f, v)));
    } else if (v != f.get(mainline)) {
      policies.push_back(absl::StrCat(f.name, "=", FieldValue(f, v)));
    }
  }
  std::string out = absl::StrCat(
      "config: ", absl::StrJoin(sizes, " "), "; policy: ",
      policies.empty() ? "mainline" : absl::StrJoin(policies, " "));
  // Unchecked invariants change what a clean verdict means: always say so.
  std::vector<std::string> ignored;
  for (int k = 1; k < static_cast<int>(Inv::kCount); ++k)
    if (c.ignored(k)) ignored.emplace_back(InvId(static_cast<Inv>(k)));
  if (!ignored.empty())
    absl::StrAppend(&out, "; ignore: ", absl::StrJoin(ignored, " "));
  return out;
}

std::string ConfigLine(const Trace& t) {
  std::string out = ConfigLine(t.config);
  if (t.judge != Judge::kSpec)
    absl::StrAppend(&out, "; judge: ", A(JudgeName(t.judge)));
  if (t.faults.any())
    absl::StrAppend(&out,
                    "; fault: ", absl::StrJoin(FaultNameList(t.faults), " "));
  return out;
}

std::string StepTable(const Trace& t, const sched::SchedOutcome& o) {
  const int n = static_cast<int>(t.threads.size());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header(n + 2);
  header[0] = "#";
  for (int i = 0; i < n; ++i) header[i + 1] = ThreadName(t, i);
  header[n + 1] = "impl point";
  rows.push_back(header);
  for (size_t k = 0; k < o.steps.size(); ++k) {
    const sched::StepEvent& e = o.steps[k];
    std::vector<std::string> row(n + 2);
    row[0] = absl::StrCat(k + 1);
    if (e.thread >= 0 && e.thread < n) row[e.thread + 1] = e.step;
    row[n + 1] = absl::StrCat(e.point + 1);
    rows.push_back(row);
  }
  return RenderTable(rows);
}

namespace {

// The spec's report: the run's table and where it stopped.
void SpecReport(const Trace& t, const RunResult& r, Report* rep) {
  rep->table = InterleavingTable(t, r);
  for (Warn w : WarningsSeen(r.final_world))
    rep->warnings.push_back(
        absl::StrCat("warning: ", A(WarnCode(w)), ": ", A(WarnText(w))));
  if (r.violation == Inv::kNone && !r.blocked.empty()) {
    const BlockedAt& b = r.blocked.front();
    rep->where =
        absl::StrCat(A(GetOpInfo(b.op).name), " in thread ",
                     ThreadName(t, b.thread), " at step ", r.steps.size());
  } else if (r.steps.empty()) {  // violated by the initial world
    rep->where = "init at step 0";
  } else {
    const StepRecord& last = r.steps.back();
    rep->where =
        absl::StrCat(A(GetOpInfo(last.op).name), " in thread ",
                     ThreadName(t, last.thread), " at step ", r.steps.size());
  }
}

// The differential runner's report: the spec side of the run as the table,
// then the call where spec and impl part and what each side did.
void DiffReport(const Trace& t, const DiffOutcome& o, Report* rep) {
  rep->judged_by = "spec and impl, call by call";
  Trace spec_side = o.trace;
  spec_side.judge = Judge::kSpec;
  spec_side.faults = {};
  spec_side.expect.clear();
  absl::StatusOr<RunResult> r = RunTrace(spec_side, "");
  if (r.ok()) {
    rep->table = InterleavingTable(spec_side, *r);
    for (Warn w : WarningsSeen(r->final_world))
      rep->warnings.push_back(
          absl::StrCat("warning: ", A(WarnCode(w)), ": ", A(WarnText(w))));
  }
  if (!o.detail.empty())
    for (absl::string_view l : absl::StrSplit(o.detail, '\n'))
      rep->detail.emplace_back(l);
  rep->where =
      absl::StrCat(A(GetOpInfo(o.last_call.op).name), " in thread ",
                   ThreadName(t, o.last_thread), " at call ", o.calls_run);
}

// The controlled scheduler's report: the impl's step boundaries, the same
// steps on the spec when the run was step-serial, the cross-check.
void SchedReport(const Trace& t, const sched::ExploreResult& e, Report* rep) {
  const sched::SchedOutcome& o = e.outcome;
  rep->judged_by = "the impl under the controlled scheduler";
  rep->table = StepTable(t, o);
  if (o.serial && !e.found_trace.schedule.empty()) {
    Trace spec_side = e.found_trace;
    spec_side.judge = Judge::kSpec;
    spec_side.faults = {};
    spec_side.impl_schedule.clear();
    absl::StatusOr<RunResult> r = RunTrace(spec_side, "");
    if (r.ok())
      absl::StrAppend(&rep->table, "the same steps on the spec:\n",
                      InterleavingTable(spec_side, *r));
  }
  for (absl::string_view l : absl::StrSplit(o.detail, '\n'))
    if (!l.empty()) rep->detail.emplace_back(l);
  rep->detail.push_back(sched::SpecOnMarkerOrder(t, o));
  rep->detail.push_back(absl::StrCat(
      "impl: ", o.points, " scheduling points, ", o.steps.size(),
      " step boundaries, ", o.serial ? "step-serial" : "steps overlapped",
      "; schedule ", e.runs, " of ", e.description,
      absl::StrFormat(" (%.2f s)", e.seconds)));
  const size_t k = o.finding_step > 0 && o.finding_step <= o.steps.size()
                       ? o.finding_step
                       : o.steps.size();
  if (!o.starved.empty()) {
    // A lasso: where the run stopped is arbitrary (its last round's end);
    // the finding is the thread that never moves.
    std::vector<std::string> who;
    for (int th : o.starved) who.push_back(ThreadName(t, th));
    rep->where =
        absl::StrCat("thread ", absl::StrJoin(who, ", "), " starved for ",
                     o.lasso_rounds, " rounds of the cycle (impl)");
  } else if (k > 0) {
    const sched::StepEvent& ev = o.steps[k - 1];
    rep->where = absl::StrCat(ev.step, " in thread ", ThreadName(t, ev.thread),
                              " at step ", k, " (impl)");
  } else {
    rep->where = "at the start (impl)";
  }
}

}  // namespace

Report ReportOf(const Trace& t, const Judgement& j,
                const std::string& replay_path) {
  Report rep;
  rep.id = j.inv;
  if (j.spec) SpecReport(t, *j.spec, &rep);
  if (j.diff) DiffReport(t, *j.diff, &rep);
  if (j.sched) SchedReport(t, *j.sched, &rep);
  rep.config = ConfigLine(t);
  rep.threads = ThreadLines(t);
  rep.replay = replay_path;
  return rep;
}

std::string SummaryLine(const Report& r) {
  return absl::StrCat("SUMMARY: lifecheck: ", A(InvId(r.id)), " ", r.where);
}

std::string RenderReport(const Report& r) {
  std::string out = absl::StrCat("lifecheck: finding ", A(InvId(r.id)), ": ",
                                 A(InvMeaning(r.id)));
  const std::string_view seed = InvSeed(r.id);
  if (!seed.empty() && seed != "-")
    absl::StrAppend(&out, " (seed ", A(seed), ")");
  if (!r.judged_by.empty()) absl::StrAppend(&out, " [", r.judged_by, "]");
  absl::StrAppend(&out, "\n", r.table);
  for (const std::string& d : r.detail) absl::StrAppend(&out, d, "\n");
  absl::StrAppend(&out, r.config, "\n", r.threads);
  for (const std::string& w : r.warnings) absl::StrAppend(&out, w, "\n");
  if (!r.replay.empty())
    absl::StrAppend(&out, "replay: lifecheck run ", r.replay, "\n");
  absl::StrAppend(&out, SummaryLine(r), "\n");
  return out;
}

}  // namespace lifecheck
