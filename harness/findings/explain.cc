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

std::string ExplainSvg(const Trace& t, const RunResult& r,
                       const ExplainOptions& opts) {
  const int lanes = std::max<int>(1, static_cast<int>(t.threads.size()));
  const Inv finding = Finding(r);
  const int changes_x = LaneX(lanes) + 12;
  const int width = changes_x + kChangesW + kMargin;

  // Rows: each step's shown changes decide its height.
  std::vector<std::vector<std::string>> shown;
  std::vector<int> row_y;
  int y = kTitleH + kLaneHeadH + 8;
  for (size_t i = 0; i < r.steps.size(); ++i) {
    shown.push_back(ShownChanges(
        i < r.changes.size() ? r.changes[i] : std::vector<std::string>{},
        finding, opts.all_changes));
    row_y.push_back(y);
    // The violating step also carries its "VIOLATION ID" line.
    const bool bad = finding != Inv::kNone && finding != Inv::kDeadlock &&
                     i + 1 == r.steps.size();
    const int lines = static_cast<int>(shown.back().size()) + (bad ? 1 : 0);
    y += std::max(kBoxH, lines * kLineH) + kRowPad;
  }
  const int blocked_y = y;
  if (r.deadlock) y += kBoxH + kRowPad;
  const int lanes_bottom = y;
  const int banner_y = y + 8;
  std::vector<std::string> warnings;
  for (absl::string_view w : absl::StrSplit(WarningLines(r), '\n'))
    if (!w.empty()) warnings.emplace_back(w);
  const int height = banner_y + kLineH + 12 + 18 +
                     static_cast<int>(warnings.size() + 1) * kLineH + kMargin;

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

  // Title: the finding and the configuration.
  const std::string title =
      finding == Inv::kNone
          ? absl::StrCat("clean run (", r.steps.size(), " steps)")
          : absl::StrCat(A(InvId(finding)), ": ", A(InvMeaning(finding)));
  absl::StrAppend(&s, Text(kMargin, 22, title, "title"));
  absl::StrAppend(
      &s,
      Text(kMargin, 42, Fit(ConfigLine(t.config), width - 2 * kMargin), "chg"));

  // Lanes: a header and a guide line per thread.
  const int head_y = kTitleH + 16;
  std::vector<std::string> lane_body(lanes);
  for (int l = 0; l < lanes; ++l) {
    const int x0 = LaneX(l), x1 = x0 + kLaneW - 10;
    const int cx = (x0 + x1) / 2;
    absl::StrAppend(
        &lane_body[l],
        absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" "
                        "height=\"%d\" fill=\"#eef2f7\" rx=\"3\"/>\n",
                        x0, kTitleH, x1 - x0, kLaneHeadH - 4),
        Text(cx, head_y, Fit(ThreadName(t, l), kLaneW - 20), "head", "middle"),
        absl::StrFormat("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                        "stroke=\"#c8ced6\" stroke-dasharray=\"4 3\"/>\n",
                        cx, kTitleH + kLaneHeadH, cx, lanes_bottom));
  }
  absl::StrAppend(&s, Text(changes_x, head_y, "state changes", "head"));

  // Steps.
  std::string arrows;
  const size_t last = r.steps.size();
  for (size_t i = 0; i < last; ++i) {
    const StepRecord& st = r.steps[i];
    const int l = std::clamp(st.thread, 0, lanes - 1);
    const bool bad =
        finding != Inv::kNone && finding != Inv::kDeadlock && i + 1 == last;
    const int x0 = LaneX(l), bw = kLaneW - 10, by = row_y[i];
    std::string label = StepLabel(st.op, st.step);
    if (st.call_returned) absl::StrAppend(&label, " -> ", st.ret);
    absl::StrAppend(
        &lane_body[l],
        absl::StrFormat(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "rx=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
            x0, by, bw, kBoxH, bad ? "#f9d4d4" : "#d9e8f7",
            bad ? "#c00000" : "#5b84b1", bad ? "2" : "1"),
        Text(x0 + 6, by + 14, Fit(label, bw - 10), bad ? "bad" : "chg"));
    absl::StrAppend(&s, Text(kMargin + kStepCol - 8, by + 14,
                             absl::StrCat(i + 1), "num", "end"));
    if (i > 0 && r.steps[i - 1].thread != st.thread) {
      const int pl = std::clamp(r.steps[i - 1].thread, 0, lanes - 1);
      const int px = LaneX(pl) + bw / 2, py = row_y[i - 1] + kBoxH;
      const int cx = x0 + bw / 2;
      absl::StrAppend(
          &arrows,
          absl::StrFormat("<path d=\"M%d,%d L%d,%d\" stroke=\"#555\" "
                          "fill=\"none\" marker-end=\"url(#arrow)\"/>\n",
                          px, py, cx, by));
    }
    int ly = by + 14;
    if (bad) {
      absl::StrAppend(
          &s,
          Text(changes_x, ly,
               Fit(absl::StrCat("VIOLATION ", A(InvId(finding))), kChangesW),
               "bad"));
      ly += kLineH;
    }
    for (const std::string& c : shown[i]) {
      absl::StrAppend(&s, Text(changes_x, ly, Fit(c, kChangesW),
                               absl::StartsWith(c, "WARN ") ? "bad" : "chg"));
      ly += kLineH;
    }
  }

  // A deadlock: where every waiting thread is stuck.
  if (r.deadlock) {
    for (const BlockedAt& b : r.blocked) {
      const int l = std::clamp(b.thread, 0, lanes - 1);
      absl::StrAppend(
          &lane_body[l],
          absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                          "rx=\"4\" fill=\"#fbe3c2\" stroke=\"#c07000\" "
                          "stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n",
                          LaneX(l), blocked_y, kLaneW - 10, kBoxH),
          Text(LaneX(l) + 6, blocked_y + 14,
               Fit(absl::StrCat("blocked in ", StepLabel(b.op, b.step)),
                   kLaneW - 20),
               "bad"));
    }
  }

  for (int l = 0; l < lanes; ++l) {
    absl::StrAppend(
        &s,
        absl::StrFormat("<g class=\"lane\" data-thread=\"%s\" "
                        "data-x0=\"%d\" data-x1=\"%d\" "
                        "data-y0=\"%d\" data-y1=\"%d\">\n",
                        Esc(ThreadName(t, l)), LaneX(l), LaneX(l) + kLaneW - 10,
                        kTitleH + kLaneHeadH, lanes_bottom),
        lane_body[l], "</g>\n");
  }
  absl::StrAppend(&s, arrows);

  // The banner: what was violated, where, and how to replay it.
  std::string banner;
  if (finding == Inv::kNone) {
    banner = "no invariant violated";
  } else if (finding == Inv::kDeadlock) {
    banner = absl::StrCat("DEADLOCK after ", r.steps.size(),
                          " steps: ", A(InvMeaning(finding)));
  } else {
    const StepRecord& st = r.steps.back();
    banner = absl::StrCat(
        A(InvId(finding)), " violated at step ", r.steps.size(), " (",
        A(GetOpInfo(st.op).name), " in thread ", ThreadName(t, st.thread),
        "): ", A(InvMeaning(finding)), " (seed ", A(InvSeed(finding)), ")");
  }
  const char* fill = finding == Inv::kNone ? "#2e7d32" : "#b00020";
  absl::StrAppend(
      &s,
      absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                      "rx=\"4\" fill=\"%s\"/>\n",
                      kMargin, banner_y, width - 2 * kMargin, kLineH + 12,
                      fill),
      Text(kMargin + 8, banner_y + 17, Fit(banner, width - 2 * kMargin - 16),
           "banner"));
  int fy = banner_y + kLineH + 12 + 18;
  for (const std::string& w : warnings) {
    absl::StrAppend(&s, Text(kMargin, fy, Fit(w, width - 2 * kMargin), "bad"));
    fy += kLineH;
  }
  if (!opts.trace_path.empty())
    absl::StrAppend(
        &s, Text(kMargin, fy,
                 Fit(absl::StrCat("replay: lifecheck run ", opts.trace_path),
                     width - 2 * kMargin),
                 "chg"));
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

std::string ExplainHtml(const Trace& t, const RunResult& r,
                        const ExplainOptions& opts) {
  std::string svg = ExplainSvg(t, r, opts);
  svg = svg.substr(svg.find("<svg"));  // no XML declaration inside HTML
  const Inv finding = Finding(r);
  const std::string title =
      finding == Inv::kNone ? "lifecheck: clean run"
                            : absl::StrCat("lifecheck: ", A(InvId(finding)));
  return absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>",
      Esc(title), "</title></head>\n<body style=\"font-family:monospace\">\n",
      svg, "<h3>trace</h3>\n<pre>", Esc(PrintTrace(t)), "</pre>\n",
      "</body></html>\n");
}

}  // namespace lifecheck
