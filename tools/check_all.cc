// `lifecheck check --all`: the main job's model-checking part. Every named
// scenario (mc/scenario.h) x every policy variant its registry lists x every
// engine, at the scenario's largest sizes, within one time budget (runs that
// ran out of their share are run again with what is left); each run's
// verdict is compared with the variant's expected one, counterexamples are
// replayed on the spec, and the results go to a table on stdout, report.md
// and report.html (with the counterexample pictures of
// harness/findings/explain.h) in the report directory, next to the
// counterexample traces.
//
// Exit: 0 every run gave its expected verdict or ran out of budget (listed,
// not a mismatch), 1 some run contradicts its expected verdict, 2 bad usage.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/findings/explain.h"
#include "harness/findings/report.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "mc/engine.h"
#include "mc/scenario.h"
#include "tools/check_common.h"

namespace lifecheck::cli {
namespace {

namespace fs = std::filesystem;

// Outcome of one run against its expectation.
enum class Outcome { kOk, kMismatch, kBudget };

struct RunRow {
  std::string scenario, policy, engine, expect, why;
  int pages = 0, pinners = 0;
  McResult r;
  std::string verdict;  // "verified", "I-DAX-1", "verified to bound 12", ...
  std::string note;     // why a mismatch or an unknown
  Outcome outcome = Outcome::kOk;
  std::string cex_path;  // counterexample trace, relative to the report dir
  RunResult replay;      // of the counterexample
  bool replayed = false;
};

struct Job {
  const ScenarioInfo* sc;
  const ScenarioVariant* v;
  std::string engine;
};

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kMismatch:
      return "MISMATCH";
    case Outcome::kBudget:
      return "budget";
  }
  return "?";
}

std::string Id(Inv i) { return std::string(InvId(i)); }

double Now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string FileSafe(std::string s) {
  for (char& ch : s)
    if (!isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
      ch = ch == '=' ? '-' : '_';
  return s;
}

std::string HtmlEscape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += ch;
    }
  }
  return o;
}

// Judges r against the variant's expectation and replays a counterexample
// on the spec (it must reach the same ID: otherwise the engine is wrong).
void Judge(RunRow& row, const fs::path& dir) {
  const McResult& r = row.r;
  const bool expect_clean = row.expect == "verified";
  switch (r.verdict) {
    case McVerdict::kCounterexample: {
      row.verdict = absl::StrCat(Id(r.inv), " (", r.bound, " steps)");
      row.cex_path =
          absl::StrCat("cex/", FileSafe(row.scenario), "--",
                       FileSafe(row.policy), "--", row.engine, ".trace");
      {
        std::ofstream f(dir / row.cex_path);
        f << PrintTrace(r.counterexample);
      }
      absl::StatusOr<RunResult> run =
          RunTrace(r.counterexample, (dir / row.cex_path).string());
      if (!run.ok() || Finding(*run) != r.inv) {
        row.outcome = Outcome::kMismatch;
        row.note = absl::StrCat("the counterexample replays to ",
                                run.ok() ? Id(Finding(*run)) : "an error",
                                " on the spec, not ", Id(r.inv));
        return;
      }
      row.replay = *std::move(run);
      row.replayed = true;
      if (expect_clean) {
        row.outcome = Outcome::kMismatch;
        row.note = "counterexample where verified was expected";
      } else if (row.expect != Id(r.inv)) {
        // The registry's ID is BFS's (explicit): its shortest counterexample.
        // Another engine may find another race of the same scenario first
        // (docs/model-checking.md, Scenarios): a replayed counterexample is
        // accepted from it, and the difference is noted.
        row.outcome =
            row.engine == "explicit" ? Outcome::kMismatch : Outcome::kOk;
        row.note = absl::StrCat("counterexample names ", Id(r.inv),
                                ", expected ", row.expect);
      }
      return;
    }
    case McVerdict::kVerified:
    case McVerdict::kProved:
      row.verdict = McVerdictName(r.verdict);
      if (!expect_clean) {
        row.outcome = Outcome::kMismatch;
        row.note = absl::StrCat("no counterexample; expected ", row.expect);
      }
      return;
    case McVerdict::kVerifiedToBound:
      row.verdict = absl::StrCat("verified to bound ", r.bound);
      if (!expect_clean) {
        // A longer counterexample may exist beyond the bound.
        row.outcome = Outcome::kBudget;
        row.note = "no counterexample within the bound";
      }
      return;
    case McVerdict::kUnknown:
      // Z3's bound is the one whose query ran out of time: every shorter
      // schedule is clean.
      row.verdict = row.engine == "z3" && r.bound > 0
                        ? absl::StrCat("unknown (budget; clean to bound ",
                                       r.bound - 1, ")")
                        : "unknown (budget)";
      row.outcome = Outcome::kBudget;
      row.note = "budget ran out";
      return;
  }
}

std::string Size(const RunRow& row) {
  return absl::StrCat(row.pages, "x", row.pinners);
}

std::string CexLen(const RunRow& row) {
  return row.r.verdict == McVerdict::kCounterexample ? absl::StrCat(row.r.bound)
                                                     : "-";
}

// First line of a summary file (the one-line result), and the whole text.
struct Summary {
  std::string line, text;
};

Summary ReadSummary(const std::string& path, const std::string& absent) {
  if (path.empty()) return {absent, ""};
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  Summary s;
  s.text = ss.str();
  s.line = s.text.substr(0, s.text.find('\n'));
  if (!in && s.text.empty()) s.line = absl::StrCat("(cannot read ", path, ")");
  return s;
}

std::string MarkdownTable(const std::vector<RunRow>& rows) {
  std::string o =
      "| scenario | size | policy | engine | verdict | expected | time | cex "
      "length | result |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const RunRow& row : rows) {
    std::string result = OutcomeName(row.outcome);
    if (!row.note.empty()) absl::StrAppend(&result, ": ", row.note);
    absl::StrAppend(&o, "| ", row.scenario, " | ", Size(row), " | ", row.policy,
                    " | ", row.engine, " | ", row.verdict, " | ", row.expect,
                    " | ", FormatSeconds(row.r.seconds), " | ", CexLen(row),
                    " | ", result, " |\n");
  }
  return o;
}

void PrintTable(const std::vector<RunRow>& rows) {
  std::vector<std::vector<std::string>> t = {{"scenario", "size", "policy",
                                              "engine", "verdict", "expected",
                                              "time", "cex", "result"}};
  for (const RunRow& row : rows)
    t.push_back({row.scenario, Size(row), row.policy, row.engine, row.verdict,
                 row.expect, FormatSeconds(row.r.seconds), CexLen(row),
                 row.note.empty()
                     ? std::string(OutcomeName(row.outcome))
                     : absl::StrCat(OutcomeName(row.outcome), ": ", row.note)});
  PrintColumns(t, "");
}

struct Totals {
  int ok = 0, mismatch = 0, budget = 0, cex = 0;
  std::vector<std::string> scenarios, policies;
};

Totals Count(const std::vector<RunRow>& rows) {
  Totals t;
  for (const RunRow& row : rows) {
    t.ok += row.outcome == Outcome::kOk;
    t.mismatch += row.outcome == Outcome::kMismatch;
    t.budget += row.outcome == Outcome::kBudget;
    t.cex += row.r.verdict == McVerdict::kCounterexample;
    if (std::find(t.scenarios.begin(), t.scenarios.end(), row.scenario) ==
        t.scenarios.end())
      t.scenarios.push_back(row.scenario);
    const std::string sp = absl::StrCat(row.scenario, ":", row.policy);
    if (std::find(t.policies.begin(), t.policies.end(), sp) == t.policies.end())
      t.policies.push_back(sp);
  }
  return t;
}

struct Context {
  std::vector<std::string> engines;
  bool mainline_only = false;
  double budget = 0, elapsed = 0;
  Summary regress, fuzz;
};

// The summary paragraph shared by report.md and report.html (plain text).
std::string SummaryText(const std::vector<RunRow>& rows, const Context& ctx) {
  const Totals t = Count(rows);
  std::string o = absl::StrFormat(
      "%d runs (%d scenarios, %d scenario variants, engines %s) in %.1f s of "
      "a %.0f s budget: %d ok, %d MISMATCH, %d inconclusive (budget); %d "
      "counterexamples.\n",
      rows.size(), t.scenarios.size(), t.policies.size(),
      absl::StrJoin(ctx.engines, ", "), ctx.elapsed, ctx.budget, t.ok,
      t.mismatch, t.budget, t.cex);
  if (ctx.mainline_only && t.mismatch == 0) {
    int verified = 0;
    for (const RunRow& row : rows)
      verified += row.expect == "verified" && row.outcome == Outcome::kOk;
    absl::StrAppend(
        &o, "\nNo finding: ", t.scenarios.size(), " scenarios x ",
        t.policies.size() / std::max<size_t>(1, t.scenarios.size()),
        " mainline variant each, checked by ", ctx.engines.size(),
        ctx.engines.size() == 1 ? " engine (" : " engines (",
        absl::StrJoin(ctx.engines, ", "), "): ", verified, " runs verified",
        t.budget ? absl::StrCat(", ", t.budget, " runs inconclusive (budget)")
                 : "",
        "; ", ctx.regress.line, "; ", ctx.fuzz.line, ".\n");
  }
  return o;
}

std::string CoveredText(const std::vector<RunRow>& rows) {
  std::string o;
  std::vector<std::string> seen;
  for (const RunRow& row : rows) {
    if (std::find(seen.begin(), seen.end(), row.scenario) != seen.end())
      continue;
    seen.push_back(row.scenario);
    std::vector<std::string> pols;
    for (const RunRow& r2 : rows)
      if (r2.scenario == row.scenario &&
          std::find(pols.begin(), pols.end(), r2.policy) == pols.end())
        pols.push_back(r2.policy);
    std::vector<std::string> sizes;
    for (const RunRow& r2 : rows) {
      const std::string sz = absl::StrCat(r2.engine, " ", Size(r2));
      if (r2.scenario == row.scenario &&
          std::find(sizes.begin(), sizes.end(), sz) == sizes.end())
        sizes.push_back(sz);
    }
    absl::StrAppend(&o, "- ", row.scenario,
                    " (pages x pinners: ", absl::StrJoin(sizes, ", "),
                    "): ", absl::StrJoin(pols, "; "), "\n");
  }
  return o;
}

std::string ReportMd(const std::vector<RunRow>& rows, const Context& ctx) {
  std::string o = "# lifecheck check --all\n\n";
  absl::StrAppend(&o, SummaryText(rows, ctx), "\n## Results\n\n",
                  MarkdownTable(rows), "\n## Covered\n\n", CoveredText(rows));
  absl::StrAppend(&o, "\n## corpus/regress\n\n", ctx.regress.line, "\n");
  if (!ctx.regress.text.empty())
    absl::StrAppend(&o, "\n```\n", ctx.regress.text, "```\n");
  absl::StrAppend(&o, "\n## Fuzzing smoke\n\n", ctx.fuzz.line, "\n");
  if (!ctx.fuzz.text.empty())
    absl::StrAppend(&o, "\n```\n", ctx.fuzz.text, "```\n");
  std::string cex;
  for (const RunRow& row : rows)
    if (!row.cex_path.empty())
      absl::StrAppend(&cex, "- ", row.scenario, " ", row.policy, " ",
                      row.engine, ": ", row.verdict, ", [", row.cex_path, "](",
                      row.cex_path, ") — replay: `lifecheck run ", row.cex_path,
                      "`\n");
  if (!cex.empty()) absl::StrAppend(&o, "\n## Counterexamples\n\n", cex);
  return o;
}

std::string ReportHtml(const std::vector<RunRow>& rows, const Context& ctx) {
  std::string o =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
      "<title>lifecheck check --all</title><style>"
      "body{font-family:sans-serif}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:2px 6px;font-size:13px}"
      ".MISMATCH{background:#f99}.budget{background:#ffd}"
      "pre{background:#f4f4f4;padding:6px}</style></head><body>\n"
      "<h1>lifecheck check --all</h1>\n<pre>";
  absl::StrAppend(&o, HtmlEscape(SummaryText(rows, ctx)),
                  "</pre>\n<h2>Results</h2>\n<table>\n<tr><th>scenario</th>"
                  "<th>size</th>"
                  "<th>policy</th><th>engine</th><th>verdict</th>"
                  "<th>expected</th><th>time</th><th>cex length</th>"
                  "<th>result</th></tr>\n");
  int n = 0;
  for (const RunRow& row : rows) {
    std::string verdict = HtmlEscape(row.verdict);
    if (row.replayed)
      verdict = absl::StrCat("<a href=\"#cex", n, "\">", verdict, "</a>");
    n += row.replayed;
    absl::StrAppend(
        &o, "<tr class=\"", OutcomeName(row.outcome), "\"><td>",
        HtmlEscape(row.scenario), "</td><td>", Size(row), "</td><td>",
        HtmlEscape(row.policy), "</td><td>", row.engine, "</td><td>", verdict,
        "</td><td>", HtmlEscape(row.expect), "</td><td>",
        FormatSeconds(row.r.seconds), "</td><td>", CexLen(row), "</td><td>",
        OutcomeName(row.outcome), row.note.empty() ? "" : ": ",
        HtmlEscape(row.note), "</td></tr>\n");
  }
  absl::StrAppend(
      &o, "</table>\n<h2>Covered</h2>\n<pre>", HtmlEscape(CoveredText(rows)),
      "</pre>\n", "<h2>corpus/regress</h2>\n<pre>",
      HtmlEscape(ctx.regress.text.empty() ? ctx.regress.line
                                          : ctx.regress.text),
      "</pre>\n<h2>Fuzzing smoke</h2>\n<pre>",
      HtmlEscape(ctx.fuzz.text.empty() ? ctx.fuzz.line : ctx.fuzz.text),
      "</pre>\n");
  n = 0;
  for (const RunRow& row : rows) {
    if (!row.replayed) continue;
    ExplainOptions eo;
    eo.trace_path = row.cex_path;
    Judgement j;  // a model-checking counterexample is a spec run
    j.inv = Finding(row.replay);
    j.spec = row.replay;
    absl::StrAppend(
        &o, "<h2 id=\"cex", n++, "\">", HtmlEscape(row.scenario), " ",
        HtmlEscape(row.policy), " (", row.engine,
        "): ", HtmlEscape(row.verdict), "</h2>\n<p>Trace: <a href=\"",
        row.cex_path, "\">", row.cex_path, "</a>; replay: <code>lifecheck run ",
        row.cex_path, "</code></p>\n", ExplainSvg(row.r.counterexample, j, eo),
        "\n<pre>", HtmlEscape(PrintTrace(row.r.counterexample)), "</pre>\n");
  }
  absl::StrAppend(&o, "</body></html>\n");
  return o;
}

}  // namespace

int CheckAll(const Command& c, const Parsed& p) {
  int rc = kExitOk, budget = 0;
  if (!p.Int(c, "--budget", 600, 1, 86400, &budget, &rc)) return rc;
  Context ctx;
  ctx.budget = budget;
  ctx.mainline_only = p.Has("--mainline-only");
  ctx.engines = absl::StrSplit(p.Value("--engines", "explicit,z3"), ',',
                               absl::SkipEmpty());
  for (const std::string& e : ctx.engines)
    if (!FindMcEngine(e))
      return UsageError(
          absl::StrCat("check: unknown engine '", e,
                       "'; engines: ", absl::StrJoin(McEngineNames(), ", ")),
          &c);
  if (ctx.engines.empty()) return UsageError("check: --engines is empty", &c);
  ctx.regress = ReadSummary(p.Value("--regress-summary", ""),
                            "corpus/regress not replayed by this command "
                            "(ci/check runs `lifecheck regress`)");
  ctx.fuzz = ReadSummary(p.Value("--fuzz-summary", ""),
                         "fuzzers not run by this command (ci/check runs "
                         "each harness briefly)");
  const fs::path dir = p.Value("--report", "lifecheck-check");
  std::error_code ec;
  fs::create_directories(dir / "cex", ec);
  if (ec) {
    std::cerr << "lifecheck: check: cannot create " << (dir / "cex") << ": "
              << ec.message() << "\n";
    return kExitBadInput;
  }
  // A --scenario restricts --all to one scenario (tests, quick looks).
  const std::string only = p.Value("--scenario", "");
  if (!only.empty() && !FindScenario(only))
    return UsageError(absl::StrCat("check: unknown scenario '", only, "'"), &c);

  // Explicit runs first: they are fast and exhaustive; the Z3 runs share
  // what is left of the budget.
  std::vector<Job> jobs;
  for (const std::string& e : ctx.engines)
    for (const ScenarioInfo& sc : Scenarios()) {
      if (!only.empty() && only != sc.name) continue;
      for (const ScenarioVariant& v : sc.variants)
        if (!ctx.mainline_only || v.policy.empty())
          jobs.push_back({&sc, &v, e});
    }

  const double t0 = Now();
  std::vector<RunRow> rows;
  // One run of row's engine on its scenario and variant, in `timeout` s.
  auto run = [&](RunRow& row, const ScenarioVariant& v, double timeout) {
    row.outcome = Outcome::kOk;
    row.note.clear();
    absl::StatusOr<Trace> t =
        BuildScenario(row.scenario, row.pages, row.pinners, v.policy);
    if (!t.ok()) {
      std::cerr << "\nlifecheck: internal error: " << t.status() << "\n";
      return false;
    }
    McOptions o;
    o.timeout_s = timeout;
    row.r = FindMcEngine(row.engine)(*t, o);
    Judge(row, dir);
    return true;
  };
  auto progress = [](const RunRow& row) {
    std::cerr << row.verdict << " (" << FormatSeconds(row.r.seconds) << ") "
              << OutcomeName(row.outcome)
              << (row.note.empty() ? "" : ": " + row.note) << "\n";
  };
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    RunRow row;
    row.scenario = j.sc->name;
    row.policy = PolicyText(j.v->policy);
    row.engine = j.engine;
    row.expect = j.v->expect;
    row.why = j.v->why;
    // Every engine checks the largest instance: the explicit engine in
    // well under a second, Z3 by an inductive invariant learned from it
    // (docs/model-checking.md).
    row.pages = j.sc->max_pages;
    row.pinners = j.sc->max_pinners;
    std::cerr << "[" << i + 1 << "/" << jobs.size() << "] " << row.scenario
              << " " << Size(row) << " " << row.policy << " " << row.engine
              << " ... " << std::flush;
    const double left = budget - (Now() - t0);
    if (left < 0.5) {
      row.verdict = "skipped (budget)";
      row.outcome = Outcome::kBudget;
      row.note = "budget spent before this run";
    } else if (!run(row, *j.v,
                    // An equal share of what is left, at least 2 s: a fast
                    // run leaves its unused share to the runs after it.
                    std::min(left, std::max(2.0, left / (jobs.size() - i))))) {
      return 70;
    }
    progress(row);
    rows.push_back(std::move(row));
  }
  // Runs that ran out of their share get what is left, shared among them.
  std::vector<size_t> again;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].outcome == Outcome::kBudget) again.push_back(i);
  for (size_t k = 0; k < again.size(); ++k) {
    const double left = budget - (Now() - t0);
    if (left < 2) break;
    RunRow& row = rows[again[k]];
    std::cerr << "[again " << k + 1 << "/" << again.size() << "] "
              << row.scenario << " " << Size(row) << " " << row.policy << " "
              << row.engine << " ... " << std::flush;
    if (!run(row, *jobs[again[k]].v, left / (again.size() - k))) return 70;
    progress(row);
  }
  ctx.elapsed = Now() - t0;

  PrintTable(rows);
  std::cout << "\n" << SummaryText(rows, ctx);
  if (!WriteFile((dir / "report.md").string(), ReportMd(rows, ctx)) ||
      !WriteFile((dir / "report.html").string(), ReportHtml(rows, ctx))) {
    std::cerr << "lifecheck: check: cannot write the report in " << dir << "\n";
    return kExitBadInput;
  }
  std::cout << "report: " << (dir / "report.md").string() << "\n"
            << "report: " << (dir / "report.html").string() << "\n";
  const Totals t = Count(rows);
  std::cout << "SUMMARY: lifecheck: check --all " << t.ok << " ok, "
            << t.mismatch << " mismatch, " << t.budget << " inconclusive\n";
  return t.mismatch ? kExitFinding : kExitOk;
}

}  // namespace lifecheck::cli
