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
#include "harness/findings/artefact.h"
#include "harness/findings/judge.h"

namespace lifecheck {
namespace {

absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// The threads' op sequences, sorted: the shape part of a signature.
std::string Shape(const Trace& t) {
  std::vector<std::string> threads;
  for (const std::vector<Call>& calls : t.threads) {
    std::vector<std::string> ops;
    for (const Call& c : calls) ops.emplace_back(A(GetOpInfo(c.op).name));
    threads.push_back(absl::StrJoin(ops, ","));
  }
  std::sort(threads.begin(), threads.end());
  return absl::StrJoin(threads, " / ");
}

std::string Site(const Trace& t) {
  absl::StatusOr<Judgement> j = JudgeTrace(t, "<triage>");
  return j.ok() ? FindingSite(*j) : "";
}

// What a clean judgement of an input did, for "does not reproduce".
std::string CleanWhy(const Trace& t, const Judgement& j,
                     const std::string& how) {
  std::string ran;
  if (j.spec) ran = absl::StrCat(j.spec->steps.size(), " spec steps");
  if (j.diff)
    ran = absl::StrCat(
        j.diff->calls_run, " calls on spec and impl",
        j.diff->blocked ? ", ended blocked (both agree)" : "",
        j.diff->skipped > 0
            ? absl::StrCat(", ", j.diff->skipped, " ill-formed calls skipped")
            : "");
  if (j.sched)
    ran = absl::StrCat(j.sched->outcome.points, " impl scheduling points, ",
                       j.sched->outcome.steps.size(), " step boundaries");
  return absl::StrCat(
      "judge ", A(JudgeName(t.judge)), " (", how, "): clean after ", ran,
      t.faults.any() ? absl::StrCat("; faults ", FaultNames(t.faults)) : "");
}

}  // namespace

std::string TraceSignature(const Trace& t, const std::string& verdict) {
  return absl::StrCat(verdict, " at ", Site(t), " | ", Shape(t));
}

TriageReport Triage(const std::vector<std::string>& paths,
                    const TriageOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  TriageReport rep;
  rep.inputs = static_cast<int>(paths.size());
  struct Input {
    std::string path;
    Trace trace;
    std::string verdict;
  };
  // Pre-groups: (verdict, finding site) -> inputs.
  std::map<std::pair<std::string, std::string>, std::vector<Input>> pre;
  for (const std::string& path : paths) {
    std::string how;
    absl::StatusOr<Trace> t = LoadArtefact(path, &how);
    if (!t.ok()) {
      rep.bad.emplace_back(path, std::string(t.status().message()));
      continue;
    }
    absl::StatusOr<Judgement> j = JudgeTrace(*t, path);
    ++rep.oracle_calls;
    if (!j.ok()) {
      rep.bad.emplace_back(path, std::string(j.status().message()));
      continue;
    }
    if (j->inv == Inv::kNone) {
      rep.not_reproduced.emplace_back(path, CleanWhy(*t, *j, how));
      continue;
    }
    const std::string key2 = opts.minimize_all ? path : FindingSite(*j);
    pre[{j->verdict(), key2}].push_back(Input{path, *t, j->verdict()});
  }

  // Known findings by signature, and by verdict + site.
  std::map<std::string, std::string> known_sig, known_site;
  for (const std::string& k : opts.known) {
    absl::StatusOr<Trace> t = LoadArtefact(k);
    if (!t.ok()) continue;
    absl::StatusOr<Judgement> j = JudgeTrace(*t, k);
    if (!j.ok() || j->inv == Inv::kNone) continue;
    const std::string site = FindingSite(*j);
    known_sig.emplace(
        absl::StrCat(j->verdict(), " at ", site, " | ", Shape(*t)), k);
    known_site.emplace(absl::StrCat(j->verdict(), " at ", site), k);
  }

  const Oracle oracle = JudgeOracle();
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
    const std::string site = Site(minimized);
    const std::string sig =
        absl::StrCat(ex.verdict, " at ", site, " | ", Shape(minimized));
    TriageGroup& g = groups[sig];
    if (g.signature.empty()) {
      g.signature = sig;
      g.verdict = ex.verdict;
      g.example = ex.path;
      g.minimized = minimized;
      g.stats = stats;
      if (auto it = known_sig.find(sig); it != known_sig.end())
        g.known_as = it->second;
      if (auto it = known_site.find(absl::StrCat(ex.verdict, " at ", site));
          it != known_site.end())
        g.similar_to = it->second;
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
  std::sort(rep.not_reproduced.begin(), rep.not_reproduced.end());
  rep.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return rep;
}

namespace {

// `s` safe inside a markdown table cell's code span.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Status(const TriageGroup& g) {
  if (!g.known_as.empty()) return absl::StrCat("known (`", g.known_as, "`)");
  if (!g.similar_to.empty())
    return absl::StrCat("new (same ID and site as `", g.similar_to, "`)");
  return "**new**";
}

}  // namespace

std::string TriageMarkdown(const TriageReport& r, const std::string& dir) {
  size_t failing = 0;
  for (const TriageGroup& g : r.groups) failing += g.files.size();
  std::string s = absl::StrCat("# lifecheck triage of `", dir, "`\n\n");
  absl::StrAppend(&s, "- ", r.inputs, " inputs: ", failing, " failing in ",
                  r.groups.size(), " groups, ", r.not_reproduced.size(),
                  " do not reproduce, ", r.bad.size(),
                  " unreadable or invalid\n",
                  absl::StrFormat("- %d judge runs, %.2f s\n\n", r.oracle_calls,
                                  r.seconds));
  if (!r.groups.empty()) {
    absl::StrAppend(
        &s,
        "| # | verdict | status | files | minimised calls | signature |\n"
        "| --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < r.groups.size(); ++i) {
      const TriageGroup& g = r.groups[i];
      absl::StrAppend(&s, "| ", i + 1, " | ", g.verdict, " | ", Status(g),
                      " | ", g.files.size(), " | ", NumCalls(g.minimized),
                      " | `", Cell(g.signature), "` |\n");
    }
    absl::StrAppend(&s, "\n");
  }
  for (size_t i = 0; i < r.groups.size(); ++i) {
    const TriageGroup& g = r.groups[i];
    absl::StrAppend(&s, "## ", i + 1, ". ", g.verdict, " (", g.files.size(),
                    " file", g.files.size() == 1 ? "" : "s", "), ", Status(g),
                    "\n\n", "signature: `", g.signature, "`\n\n", "example: `",
                    g.example, "`",
                    absl::StrFormat(" (minimised with %d judge runs%s)\n\n",
                                    g.stats.oracle_calls,
                                    g.stats.one_minimal ? ", 1-minimal" : ""),
                    "```\n", PrintTrace(g.minimized), "```\n\n");
    absl::StrAppend(&s, "```sh\n");
    if (!g.saved_path.empty())
      absl::StrAppend(&s, "replay: lifecheck run ", g.saved_path, "\n");
    absl::StrAppend(&s, "lifecheck run ", g.example, "   # the input itself\n",
                    "```\n\n");
    if (!g.picture_path.empty())
      absl::StrAppend(&s, "picture: [", g.picture_path, "](", g.picture_path,
                      ")\n\n");
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
  if (!r.not_reproduced.empty()) {
    absl::StrAppend(&s, "## Inputs that do not reproduce\n\n");
    for (const auto& [p, why] : r.not_reproduced)
      absl::StrAppend(&s, "- `", p, "`: ", why, "\n");
  }
  return s;
}

}  // namespace lifecheck
