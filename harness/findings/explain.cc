#include "harness/findings/explain.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "harness/findings/report.h"
#include "harness/sched/explore.h"
#include "spec/findings.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// Layout, in px. Monospace at 11px is about 6.6px per character.
constexpr int kMargin = 16;
constexpr int kStepCol = 40;
constexpr int kLaneW = 240;
constexpr int kChangesW = 560;
constexpr int kLineH = 14;
constexpr int kTitleH = 58;
constexpr int kLaneHeadH = 26;
constexpr int kBoxH = 20;
constexpr int kRowPad = 10;
constexpr double kCharW = 6.7;

std::string Esc(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
  }
  return out;
}

// `s` cut to fit `px` of monospace text.
std::string Fit(const std::string& s, int px) {
  const size_t n = static_cast<size_t>(px / kCharW);
  if (s.size() <= n) return s;
  return s.substr(0, n > 3 ? n - 3 : 0) + "...";
}

std::string Text(int x, int y, const std::string& s, const char* cls,
                 const char* anchor = "start") {
  return absl::StrFormat(
      "<text x=\"%d\" y=\"%d\" class=\"%s\" "
      "text-anchor=\"%s\">%s</text>\n",
      x, y, cls, anchor, Esc(s));
}

std::string ThreadName(const Trace& t, int th) {
  if (th >= 0 && static_cast<size_t>(th) < t.thread_names.size())
    return t.thread_names[th];
  return absl::StrCat("#", th);
}

std::string StepLabel(Op op, Step step) {
  return absl::StrCat(A(GetOpInfo(op).name), ".", A(StepName(step)));
}

// Field name of a DiffWorlds line "inode[1].h_thr[0]: 0 -> 1" -> "h_thr".
std::string FieldName(const std::string& line) {
  std::string name = line.substr(0, line.find(':'));
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos) name = name.substr(dot + 1);
  return name.substr(0, name.find('['));
}

int LaneX(int lane) { return kMargin + kStepCol + lane * kLaneW; }

}  // namespace

std::vector<std::string> ShownChanges(const std::vector<std::string>& changes,
                                      Inv finding, bool all_changes) {
  std::vector<std::string> out;
  for (const std::string& line : changes) {
    const std::string field = FieldName(line);
    if (field == "violation") continue;  // drawn as the banner
    if (field == "warned") {
      // "warned[3]: 0 -> 1" -> "WARN CODE"
      const size_t lb = line.find('['), rb = line.find(']');
      int slot = -1;
      if (lb != std::string::npos && rb != std::string::npos && rb > lb)
        slot = std::atoi(line.substr(lb + 1, rb - lb - 1).c_str());
      if (slot >= 0 && slot < static_cast<int>(Warn::kCount))
        out.push_back(
            absl::StrCat("WARN ", A(WarnCode(static_cast<Warn>(slot)))));
      continue;
    }
    const bool ghost =
        absl::StartsWith(field, "h_") || absl::StartsWith(field, "g_");
    if (ghost && !all_changes && finding != Inv::kRef1) continue;
    out.push_back(line);
  }
  return out;
}

namespace {

// What is drawn, whatever judged the run: lanes with boxes row by row, a
// notes column, a banner and footer lines. One renderer (RenderSvg) draws
// every kind of finding.
struct Box {
  int lane = 0;
  std::string label;
  enum Kind { kStep, kBad, kBlocked, kAgree } kind = kStep;
};
struct Row {
  std::string num;                 // left margin ("3", "-")
  std::vector<Box> boxes;          // usually one
  std::vector<std::string> notes;  // the right column
  bool bad_notes = false;          // draw the notes in red
  int from_lane = -1;              // arrow from the previous row's lane
};
struct Picture {
  std::string title, subtitle;
  std::vector<std::string> lanes;
  std::string notes_head = "state changes";
  std::vector<Row> rows;
  std::string banner;
  bool clean = false;
  std::vector<std::string> footer;  // warnings (red), then plain lines
  std::vector<bool> footer_bad;
};

void FootLine(Picture& p, std::string line, bool bad) {
  p.footer.push_back(std::move(line));
  p.footer_bad.push_back(bad);
}

std::string RenderSvg(const Picture& p) {
  const int lanes = std::max<int>(1, static_cast<int>(p.lanes.size()));
  const int notes_x = LaneX(lanes) + 12;
  const int width = notes_x + kChangesW + kMargin;
  std::vector<int> row_y;
  int y = kTitleH + kLaneHeadH + 8;
  for (const Row& r : p.rows) {
    row_y.push_back(y);
    const int lines = static_cast<int>(r.notes.size());
    y += std::max(kBoxH, lines * kLineH) + kRowPad;
  }
  const int lanes_bottom = y;
  const int banner_y = y + 8;
  const int height = banner_y + kLineH + 12 + 18 +
                     static_cast<int>(p.footer.size()) * kLineH + kMargin;

  std::string s = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n",
      width, height, width, height);
  absl::StrAppend(
      &s,
      "<style>\n"
      "text{fill:#1a1a1a} .title{font-size:14px;font-weight:bold}\n"
      ".head{font-size:12px;font-weight:bold} .num{fill:#777}\n"
      ".chg{fill:#333} .bad{fill:#a00000;font-weight:bold}\n"
      ".banner{fill:#ffffff;font-weight:bold}\n"
      "</style>\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
      "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n",
      absl::StrFormat("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                      "fill=\"#ffffff\"/>\n",
                      width, height));
  absl::StrAppend(&s, Text(kMargin, 22, p.title, "title"));
  absl::StrAppend(
      &s, Text(kMargin, 42, Fit(p.subtitle, width - 2 * kMargin), "chg"));

  const int head_y = kTitleH + 16;
  std::vector<std::string> lane_body(lanes);
  for (int l = 0; l < lanes; ++l) {
    const int x0 = LaneX(l), x1 = x0 + kLaneW - 10;
    const int cx = (x0 + x1) / 2;
    const std::string name =
        l < static_cast<int>(p.lanes.size()) ? p.lanes[l] : "";
    absl::StrAppend(
        &lane_body[l],
        absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" "
                        "height=\"%d\" fill=\"#eef2f7\" rx=\"3\"/>\n",
                        x0, kTitleH, x1 - x0, kLaneHeadH - 4),
        Text(cx, head_y, Fit(name, kLaneW - 20), "head", "middle"),
        absl::StrFormat("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                        "stroke=\"#c8ced6\" stroke-dasharray=\"4 3\"/>\n",
                        cx, kTitleH + kLaneHeadH, cx, lanes_bottom));
  }
  absl::StrAppend(&s, Text(notes_x, head_y, p.notes_head, "head"));

  std::string arrows;
  for (size_t i = 0; i < p.rows.size(); ++i) {
    const Row& r = p.rows[i];
    const int by = row_y[i], bw = kLaneW - 10;
    absl::StrAppend(&s,
                    Text(kMargin + kStepCol - 8, by + 14, r.num, "num", "end"));
    for (const Box& b : r.boxes) {
      const int l = std::clamp(b.lane, 0, lanes - 1);
      const int x0 = LaneX(l);
      const char* fill = "#d9e8f7";
      const char* stroke = "#5b84b1";
      const char* sw = "1";
      const char* dash = "";
      const bool red = b.kind == Box::kBad || b.kind == Box::kBlocked;
      if (b.kind == Box::kBad) fill = "#f9d4d4", stroke = "#c00000", sw = "2";
      if (b.kind == Box::kBlocked)
        fill = "#fbe3c2", stroke = "#c07000", sw = "2",
        dash = " stroke-dasharray=\"5 3\"";
      if (b.kind == Box::kAgree) fill = "#dff0d8", stroke = "#4a8a3c";
      absl::StrAppend(
          &lane_body[l],
          absl::StrFormat(
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
              "rx=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
              x0, by, bw, kBoxH, fill, stroke, sw, dash),
          Text(x0 + 6, by + 14, Fit(b.label, bw - 10), red ? "bad" : "chg"));
    }
    if (r.from_lane >= 0 && i > 0 && !r.boxes.empty()) {
      const int pl = std::clamp(r.from_lane, 0, lanes - 1);
      const int l = std::clamp(r.boxes[0].lane, 0, lanes - 1);
      const int px = LaneX(pl) + bw / 2, py = row_y[i - 1] + kBoxH;
      const int cx = LaneX(l) + bw / 2;
      absl::StrAppend(
          &arrows,
          absl::StrFormat("<path d=\"M%d,%d L%d,%d\" stroke=\"#555\" "
                          "fill=\"none\" marker-end=\"url(#arrow)\"/>\n",
                          px, py, cx, by));
    }
    int ly = by + 14;
    for (const std::string& c : r.notes) {
      const bool red = r.bad_notes || absl::StartsWith(c, "WARN ") ||
                       absl::StartsWith(c, "VIOLATION ");
      absl::StrAppend(
          &s, Text(notes_x, ly, Fit(c, kChangesW), red ? "bad" : "chg"));
      ly += kLineH;
    }
  }
  for (int l = 0; l < lanes; ++l) {
    absl::StrAppend(
        &s,
        absl::StrFormat(
            "<g class=\"lane\" data-thread=\"%s\" "
            "data-x0=\"%d\" data-x1=\"%d\" "
            "data-y0=\"%d\" data-y1=\"%d\">\n",
            Esc(l < static_cast<int>(p.lanes.size()) ? p.lanes[l] : ""),
            LaneX(l), LaneX(l) + kLaneW - 10, kTitleH + kLaneHeadH,
            lanes_bottom),
        lane_body[l], "</g>\n");
  }
  absl::StrAppend(&s, arrows);
  absl::StrAppend(
      &s,
      absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                      "rx=\"4\" fill=\"%s\"/>\n",
                      kMargin, banner_y, width - 2 * kMargin, kLineH + 12,
                      p.clean ? "#2e7d32" : "#b00020"),
      Text(kMargin + 8, banner_y + 17, Fit(p.banner, width - 2 * kMargin - 16),
           "banner"));
  int fy = banner_y + kLineH + 12 + 18;
  for (size_t i = 0; i < p.footer.size(); ++i) {
    absl::StrAppend(&s, Text(kMargin, fy, Fit(p.footer[i], width - 2 * kMargin),
                             p.footer_bad[i] ? "bad" : "chg"));
    fy += kLineH;
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

std::string Title(Inv finding, const std::string& clean_what) {
  return finding == Inv::kNone
             ? absl::StrCat("clean run (", clean_what, ")")
             : absl::StrCat(A(InvId(finding)), ": ", A(InvMeaning(finding)));
}

// The rows of a spec run, as the interleaving table has them.
void SpecRows(const RunResult& r, Inv finding, bool all_changes, Picture& p) {
  const size_t last = r.steps.size();
  for (size_t i = 0; i < last; ++i) {
    const StepRecord& st = r.steps[i];
    const bool bad = r.violation != Inv::kNone && i + 1 == last;
    Row row;
    row.num = absl::StrCat(i + 1);
    std::string label = StepLabel(st.op, st.step);
    if (st.call_returned) absl::StrAppend(&label, " -> ", st.ret);
    row.boxes.push_back(Box{st.thread, label, bad ? Box::kBad : Box::kStep});
    if (i > 0 && r.steps[i - 1].thread != st.thread)
      row.from_lane = r.steps[i - 1].thread;
    if (bad)
      row.notes.push_back(absl::StrCat("VIOLATION ", A(InvId(r.violation))));
    for (const std::string& c : ShownChanges(
             i < r.changes.size() ? r.changes[i] : std::vector<std::string>{},
             finding, all_changes))
      row.notes.push_back(c);
    p.rows.push_back(std::move(row));
  }
  if (r.deadlock) {
    Row row;
    row.num = "-";
    for (const BlockedAt& b : r.blocked)
      row.boxes.push_back(
          Box{b.thread, absl::StrCat("blocked in ", StepLabel(b.op, b.step)),
              Box::kBlocked});
    p.rows.push_back(std::move(row));
  }
  for (absl::string_view w : absl::StrSplit(WarningLines(r), '\n'))
    if (!w.empty()) FootLine(p, std::string(w), true);
}

Picture SpecPicture(const Trace& t, const RunResult& r,
                    const ExplainOptions& opts) {
  Picture p;
  const Inv finding = Finding(r);
  p.title = Title(finding, absl::StrCat(r.steps.size(), " steps"));
  p.subtitle = ConfigLine(t);
  for (size_t i = 0; i < t.threads.size(); ++i)
    p.lanes.push_back(ThreadName(t, static_cast<int>(i)));
  SpecRows(r, finding, opts.all_changes, p);
  p.clean = finding == Inv::kNone;
  if (finding == Inv::kNone) {
    p.banner = "no invariant violated";
  } else if (finding == Inv::kDeadlock) {
    p.banner = absl::StrCat("DEADLOCK after ", r.steps.size(),
                            " steps: ", A(InvMeaning(finding)));
  } else if (finding == Inv::kStarvation) {
    const BlockedAt& b = r.blocked.front();
    p.banner =
        absl::StrCat("STARVATION: ", A(GetOpInfo(b.op).name), " in thread ",
                     ThreadName(t, b.thread), " never returns while steps ",
                     r.cycle_start + 1, "..", r.steps.size(),
                     " repeat for ever: ", A(InvMeaning(finding)));
  } else if (!r.steps.empty()) {
    const StepRecord& st = r.steps.back();
    p.banner = absl::StrCat(
        A(InvId(finding)), " violated at step ", r.steps.size(), " (",
        A(GetOpInfo(st.op).name), " in thread ", ThreadName(t, st.thread),
        "): ", A(InvMeaning(finding)), " (seed ", A(InvSeed(finding)), ")");
  } else {
    p.banner = absl::StrCat(A(InvId(finding)), " in the initial world");
  }
  return p;
}

// The spec side of a differential run, with the impl's lane beside it.
Picture DiffPicture(const Trace& t, const DiffOutcome& o,
                    const ExplainOptions& opts) {
  Trace spec_side = o.trace;
  spec_side.judge = Judge::kSpec;
  spec_side.faults = {};
  spec_side.expect.clear();
  absl::StatusOr<RunResult> r = RunTrace(spec_side, "");
  Picture p;
  p.title = Title(o.inv, absl::StrCat(o.calls_run, " calls, spec and impl"));
  p.subtitle = ConfigLine(t);
  for (size_t i = 0; i < o.trace.threads.size(); ++i)
    p.lanes.push_back(ThreadName(o.trace, static_cast<int>(i)));
  const int impl_lane = static_cast<int>(p.lanes.size());
  p.lanes.push_back("impl (beside the spec)");
  p.notes_head = "state changes (spec); where spec and impl part";
  if (r.ok()) SpecRows(*r, o.inv, opts.all_changes, p);
  // The k-th call run as (thread, call within the thread).
  std::vector<std::pair<int, int>> calls;
  std::vector<int> per(o.trace.threads.size(), 0);
  for (const ThreadCall& c : o.run)
    calls.emplace_back(c.thread, per[c.thread]++);
  // Each spec row that ends a call gets the impl's box: agreeing, or where
  // the sides part.
  const bool parted = o.part.call_index >= 0;
  const std::pair<int, int> part =
      parted ? calls[o.part.call_index] : std::pair<int, int>{-1, -1};
  int part_row = -1;
  if (r.ok()) {
    for (size_t i = 0; i < r->steps.size() && i < p.rows.size(); ++i) {
      const StepRecord& st = r->steps[i];
      const std::pair<int, int> here{st.thread, st.call};
      if (here == part) part_row = static_cast<int>(i);
      if (st.call_returned && here != part)
        p.rows[i].boxes.push_back(
            Box{impl_lane, absl::StrCat("agrees -> ", st.ret), Box::kAgree});
    }
  }
  if (parted) {
    const DiffPart& d = o.part;
    std::string what;
    if (o.inv == Inv::kDiffState) {
      what = "impl: Abstract(impl) differs";
    } else {
      what = d.impl_blocked ? absl::StrCat("impl: blocked at ", d.impl_step)
                            : absl::StrCat("impl: returned ", d.impl_ret);
    }
    if (part_row < 0) {
      Row row;
      row.num = "-";
      p.rows.push_back(row);
      part_row = static_cast<int>(p.rows.size()) - 1;
    }
    Row& row = p.rows[part_row];
    row.boxes.push_back(Box{impl_lane, what, Box::kBad});
    row.notes.push_back(
        absl::StrCat(A(InvId(o.inv)), " at call ", d.call_index + 1, " (",
                     PrintCall(d.call), "): spec ",
                     d.spec_blocked ? absl::StrCat("blocked at ", d.spec_step)
                                    : absl::StrCat("returned ", d.spec_ret),
                     ", impl ",
                     d.impl_blocked ? absl::StrCat("blocked at ", d.impl_step)
                                    : absl::StrCat("returned ", d.impl_ret)));
    if (!d.fields.empty())
      row.notes.push_back("fields that differ (spec -> impl):");
    for (const std::string& f : d.fields) row.notes.push_back("  " + f);
    row.bad_notes = true;
  }
  p.clean = o.inv == Inv::kNone;
  p.banner =
      p.clean
          ? absl::StrCat("spec and impl agree on all ", o.calls_run, " calls")
      : parted
          ? absl::StrCat(A(InvId(o.inv)), " at call ", o.part.call_index + 1,
                         " (", A(GetOpInfo(o.part.call.op).name), " in thread ",
                         ThreadName(o.trace, o.part.thread),
                         "): ", A(InvMeaning(o.inv)))
          : absl::StrCat(A(InvId(o.inv)), " on the spec at call ", o.calls_run,
                         ": ", A(InvMeaning(o.inv)));
  return p;
}

// The impl's step boundaries under the controlled scheduler.
Picture SchedPicture(const Trace& t, const sched::ExploreResult& e) {
  const sched::SchedOutcome& o = e.outcome;
  Picture p;
  p.title = Title(o.inv, absl::StrCat(o.points, " impl scheduling points"));
  p.subtitle = ConfigLine(t);
  for (size_t i = 0; i < t.threads.size(); ++i)
    p.lanes.push_back(ThreadName(t, static_cast<int>(i)));
  p.notes_head = "scheduling points the thread ran to reach the step";
  std::vector<int64_t> last_point(t.threads.size(), -1);
  for (size_t k = 0; k < o.steps.size(); ++k) {
    const sched::StepEvent& ev = o.steps[k];
    const bool bad = o.inv != Inv::kNone && k + 1 == o.finding_step;
    Row row;
    row.num = absl::StrCat(k + 1);
    row.boxes.push_back(Box{ev.thread, ev.step, bad ? Box::kBad : Box::kStep});
    if (k > 0 && o.steps[k - 1].thread != ev.thread)
      row.from_lane = o.steps[k - 1].thread;
    // The points this thread ran since its previous marker.
    int64_t from = ev.thread < static_cast<int>(last_point.size())
                       ? last_point[ev.thread] + 1
                       : 0;
    int ran = 0;
    for (int64_t q = from;
         q <= ev.point && q < static_cast<int64_t>(o.decisions.size()); ++q)
      ran += o.decisions[q] == ev.thread;
    row.notes.push_back(absl::StrCat("point ", ev.point + 1, " (", ran,
                                     " points of ", ThreadName(t, ev.thread),
                                     " since its last step)"));
    if (bad) row.notes.push_back(absl::StrCat("FINDING ", A(InvId(o.inv))));
    if (ev.thread < static_cast<int>(last_point.size()))
      last_point[ev.thread] = ev.point;
    p.rows.push_back(std::move(row));
  }
  p.clean = o.inv == Inv::kNone;
  p.banner = p.clean ? absl::StrCat("the impl is clean on this schedule (",
                                    e.description, ")")
                     : absl::StrCat(A(InvId(o.inv)),
                                    " on the impl: ", A(InvMeaning(o.inv)));
  for (absl::string_view l : absl::StrSplit(o.detail, '\n'))
    if (!l.empty()) FootLine(p, std::string(l), true);
  // The schedule itself, run-length encoded as in the trace format.
  std::string rle;
  for (size_t i = 0; i < o.decisions.size();) {
    size_t n = 1;
    while (i + n < o.decisions.size() && o.decisions[i + n] == o.decisions[i])
      ++n;
    absl::StrAppend(&rle, rle.empty() ? "" : " ", ThreadName(t, o.decisions[i]),
                    n > 1 ? "*" : "", n > 1 ? absl::StrCat(n) : "");
    i += n;
  }
  FootLine(p, absl::StrCat("impl-schedule: ", rle), false);
  return p;
}

Picture PictureOf(const Trace& t, const Judgement& j,
                  const ExplainOptions& opts) {
  Picture p;
  if (j.spec) p = SpecPicture(t, *j.spec, opts);
  if (j.diff) p = DiffPicture(t, *j.diff, opts);
  if (j.sched) p = SchedPicture(t, *j.sched);
  if (!opts.trace_path.empty())
    FootLine(p, absl::StrCat("replay: lifecheck run ", opts.trace_path), false);
  return p;
}

}  // namespace

std::string ExplainSvg(const Trace& t, const Judgement& j,
                       const ExplainOptions& opts) {
  return RenderSvg(PictureOf(t, j, opts));
}

std::string ExplainHtml(const Trace& t, const Judgement& j,
                        const ExplainOptions& opts) {
  std::string svg = ExplainSvg(t, j, opts);
  svg = svg.substr(svg.find("<svg"));  // no XML declaration inside HTML
  const std::string title = j.inv == Inv::kNone
                                ? "lifecheck: clean run"
                                : absl::StrCat("lifecheck: ", A(InvId(j.inv)));
  return absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>",
      Esc(title), "</title></head>\n<body style=\"font-family:monospace\">\n",
      svg, "<h3>trace</h3>\n<pre>", Esc(PrintTrace(t)), "</pre>\n",
      "</body></html>\n");
}

}  // namespace lifecheck
