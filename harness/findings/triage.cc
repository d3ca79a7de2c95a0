#include "harness/findings/triage.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/run/replay.h"
#include "harness/trace/load_input.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

std::string StepLabel(Op op, Step step) {
  return absl::StrCat(A(GetOpInfo(op).name), ".", A(StepName(step)));
}

// Where the spec run of `t` found its finding: the violating op.Step, or
// for a deadlock the sorted steps the threads are blocked in. "" if the spec
// cannot replay it or finds nothing (a finding only another oracle sees).
std::string FindingSite(const Trace& t) {
  absl::StatusOr<RunResult> r = RunTrace(t, "<triage>");
  if (!r.ok()) return "";
  if (r->violation != Inv::kNone && !r->steps.empty())
    return StepLabel(r->steps.back().op, r->steps.back().step);
  if (r->deadlock) {
    std::vector<std::string> b;
    for (const BlockedAt& x : r->blocked) b.push_back(StepLabel(x.op, x.step));
    std::sort(b.begin(), b.end());
    return absl::StrCat("blocked ", absl::StrJoin(b, "+"));
  }
  return "";
}

}  // namespace

std::string TraceSignature(const Trace& t, const std::string& verdict) {
  std::vector<std::string> threads;
  for (const std::vector<Call>& calls : t.threads) {
    std::vector<std::string> ops;
    for (const Call& c : calls) ops.emplace_back(A(GetOpInfo(c.op).name));
    threads.push_back(absl::StrJoin(ops, ","));
  }
  std::sort(threads.begin(), threads.end());
  return absl::StrCat(verdict, " at ", FindingSite(t), " | ",
                      absl::StrJoin(threads, " / "));
}

TriageReport Triage(const std::vector<std::string>& paths, const Oracle& oracle,
                    const TriageOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  TriageReport rep;
  struct Input {
    std::string path;
    Trace trace;
    std::string verdict;
  };
  // Pre-groups: (verdict, finding site) -> inputs.
  std::map<std::pair<std::string, std::string>, std::vector<Input>> pre;
  for (const std::string& path : paths) {
    absl::StatusOr<Trace> t = LoadTraceInput(path);
    if (!t.ok()) {
      rep.bad.emplace_back(path, std::string(t.status().message()));
      continue;
    }
    if (absl::StatusOr<RunResult> r = RunTrace(*t, path); !r.ok()) {
      rep.bad.emplace_back(path, std::string(r.status().message()));
      continue;
    }
    const std::string v = oracle(*t);
    ++rep.oracle_calls;
    if (v == "clean") {
      rep.clean.push_back(path);
      continue;
    }
    const std::string key2 = opts.minimize_all ? path : FindingSite(*t);
    pre[{v, key2}].push_back(Input{path, *t, v});
  }

  std::map<std::string, TriageGroup> groups;
  for (auto& [key, inputs] : pre) {
    // The smallest input is the cheapest to minimise.
    std::stable_sort(inputs.begin(), inputs.end(),
                     [](const Input& a, const Input& b) {
                       return NumCalls(a.trace) < NumCalls(b.trace);
                     });
    const Input& ex = inputs.front();
    absl::StatusOr<MinimizeResult> m =
        Minimize(ex.trace, oracle, opts.minimize);
    Trace minimized = ex.trace;
    MinimizeStats stats;
    if (m.ok()) {
      minimized = m->trace;
      stats = m->stats;
    }
    minimized.expect = ex.verdict;
    rep.oracle_calls += stats.oracle_calls;
    const std::string sig = TraceSignature(minimized, ex.verdict);
    TriageGroup& g = groups[sig];
    if (g.signature.empty()) {
      g.signature = sig;
      g.verdict = ex.verdict;
      g.example = ex.path;
      g.minimized = minimized;
      g.stats = stats;
    } else if (NumCalls(minimized) < NumCalls(g.minimized)) {
      g.example = ex.path;
      g.minimized = minimized;
      g.stats = stats;
    }
    for (const Input& in : inputs) g.files.push_back(in.path);
  }
  for (auto& [sig, g] : groups) {
    std::sort(g.files.begin(), g.files.end());
    rep.groups.push_back(std::move(g));
  }
  std::sort(rep.clean.begin(), rep.clean.end());
  rep.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return rep;
}

// `s` safe inside a markdown table cell's code span.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string TriageMarkdown(const TriageReport& r, const std::string& dir) {
  size_t failing = 0;
  for (const TriageGroup& g : r.groups) failing += g.files.size();
  std::string s = absl::StrCat("# lifecheck triage of `", dir, "`\n\n");
  absl::StrAppend(&s, "- ", failing + r.clean.size() + r.bad.size(),
                  " inputs: ", failing, " failing in ", r.groups.size(),
                  " groups, ", r.clean.size(), " clean, ", r.bad.size(),
                  " unreadable or invalid\n",
                  absl::StrFormat("- %d oracle calls, %.2f s\n\n",
                                  r.oracle_calls, r.seconds));
  if (!r.groups.empty()) {
    absl::StrAppend(&s,
                    "| # | verdict | files | minimised calls | signature |\n"
                    "| --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < r.groups.size(); ++i) {
      const TriageGroup& g = r.groups[i];
      absl::StrAppend(&s, "| ", i + 1, " | ", g.verdict, " | ", g.files.size(),
                      " | ", NumCalls(g.minimized), " | `", Cell(g.signature),
                      "` |\n");
    }
    absl::StrAppend(&s, "\n");
  }
  for (size_t i = 0; i < r.groups.size(); ++i) {
    const TriageGroup& g = r.groups[i];
    absl::StrAppend(&s, "## ", i + 1, ". ", g.verdict, " (", g.files.size(),
                    " file", g.files.size() == 1 ? "" : "s", ")\n\n",
                    "signature: `", g.signature, "`\n\n", "example: `",
                    g.example, "`",
                    absl::StrFormat(" (minimised with %d oracle calls%s)\n\n",
                                    g.stats.oracle_calls,
                                    g.stats.one_minimal ? ", 1-minimal" : ""),
                    "```\n", PrintTrace(g.minimized), "```\n\n", "replay:\n\n",
                    "```sh\nlifecheck minimize ", g.example, "\n");
    if (!g.saved_path.empty())
      absl::StrAppend(&s, "lifecheck run ", g.saved_path, "\n");
    absl::StrAppend(&s, "```\n\n");
    const size_t shown = std::min<size_t>(g.files.size(), 20);
    absl::StrAppend(&s, "files:\n\n");
    for (size_t k = 0; k < shown; ++k)
      absl::StrAppend(&s, "- `", g.files[k], "`\n");
    if (shown < g.files.size())
      absl::StrAppend(&s, "- ... and ", g.files.size() - shown, " more\n");
    absl::StrAppend(&s, "\n");
  }
  if (!r.bad.empty()) {
    absl::StrAppend(&s, "## Unreadable or invalid inputs\n\n");
    for (const auto& [path, msg] : r.bad)
      absl::StrAppend(&s, "- `", path, "`: ", msg, "\n");
    absl::StrAppend(&s, "\n");
  }
  if (!r.clean.empty()) {
    absl::StrAppend(&s, "## Inputs that do not fail (on this oracle)\n\n");
    for (const std::string& p : r.clean) absl::StrAppend(&s, "- `", p, "`\n");
  }
  return s;
}

}  // namespace lifecheck
