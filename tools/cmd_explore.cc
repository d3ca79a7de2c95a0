// `lifecheck explore`: the interleavings of a trace's calls on the REAL impl
// under the controlled scheduler (harness/sched/), until the first finding.
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/findings/artefact.h"
#include "harness/findings/report.h"
#include "harness/sched/explore.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

// <report dir>/<stem>.<ID>.impl.trace: the found run with its
// impl-schedule.
std::string DefaultOut(const Parsed& p, const std::string& path,
                       const std::string& id) {
  std::string stem = path.substr(path.find_last_of('/') + 1);
  if (stem.size() > 6 && stem.substr(stem.size() - 6) == ".trace")
    stem.resize(stem.size() - 6);
  return ReportPath(p, absl::StrCat(stem, ".", id, ".impl.trace"));
}

std::string CleanSummary(const sched::ExploreResult& r) {
  return absl::StrCat("SUMMARY: lifecheck: clean (impl, ", r.description, ", ",
                      r.runs, " schedules", r.exhausted ? ", all" : "", ")");
}

int CmdExplore(const Args& args) {
  const Command& c = *FindCommand("explore");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--strategy", "-s"}, true},
                  {{"--runs"}, true},
                  {{"--depth"}, true},
                  {{"--preemptions"}, true},
                  {{"--seed"}, true},
                  {{"--seconds"}, true},
                  {{"--out", "-o"}, true},
                  {{"--report-dir"}, true},
                  {{"--granularity"}, true},
                  {{"--quiet", "-q"}}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("explore: exactly one trace file expected", &c);
  sched::ExploreOptions opt;
  opt.strategy = p.Value("--strategy", "pct");
  if (opt.strategy != "random" && opt.strategy != "pct" &&
      opt.strategy != "dfs" && opt.strategy != "replay")
    return UsageError("explore: --strategy is random, pct, dfs or replay", &c);
  int runs = 0, depth = 3, pre = 2, seed = 1, secs = 0;
  if (!p.Int(c, "--runs", 0, 0, 1 << 30, &runs, &rc) ||
      !p.Int(c, "--depth", 3, 1, 64, &depth, &rc) ||
      !p.Int(c, "--preemptions", 2, 0, 64, &pre, &rc) ||
      !p.Int(c, "--seed", 1, 0, 1 << 30, &seed, &rc) ||
      !p.Int(c, "--seconds", 0, 0, 1 << 20, &secs, &rc))
    return rc;
  opt.runs = runs;
  opt.depth = depth;
  opt.preemptions = pre;
  opt.seed = static_cast<uint64_t>(seed);
  opt.seconds = secs;
  const std::string gran = p.Value("--granularity", "access");
  if (gran != "access" && gran != "step")
    return UsageError("explore: --granularity is access or step", &c);
  opt.step_atomic = gran == "step";
  const std::string& path = p.operands[0];
  absl::StatusOr<Trace> t = LoadArtefact(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<sched::ExploreResult> r = sched::Explore(*t, path, opt);
  if (!r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  if (!r->found) {
    if (!p.Has("--quiet"))
      std::cout << absl::StrFormat(
          "explored %d schedules (%s%s), none failed; %.0f schedules/s\n",
          r->runs, r->description,
          r->exhausted ? ", bounded space exhausted" : "",
          r->seconds > 0 ? r->runs / r->seconds : 0.0);
    std::cout << CleanSummary(*r) << "\n";
    return kExitOk;
  }
  std::string out = p.Value("--out", "");
  if (opt.strategy == "replay" && out.empty()) out = path;  // already saved
  if (out.empty())
    out = DefaultOut(p, path, std::string(InvId(r->outcome.inv)));
  if (out != path && !WriteOutput(out, PrintTrace(r->found_trace)))
    return kExitBadInput;
  Judgement j;
  j.inv = r->outcome.inv;
  j.sched = *r;
  const Report report = ReportOf(r->found_trace, j, out);
  if (p.Has("--quiet"))
    std::cout << SummaryLine(report) << "\n";
  else
    std::cout << RenderReport(report);
  return kExitFinding;
}

const RegisterCommand kRegisterExplore(Command{
    "explore",
    "FILE [--strategy random|pct|dfs|replay] [--runs N] [--depth d] "
    "[--preemptions k]",
    "explore interleavings of a trace's calls on the impl",
    "\nRuns FILE's calls on the real impl, one logical thread at a time\n"
    "(harness/sched/, docs/scheduler.md): every atomic access, lock, wait\n"
    "and spec-step marker is a scheduling point; the strategy picks who\n"
    "runs. Each run is checked: the spec's always-invariants on\n"
    "Abstract(impl) whenever every thread is at a step boundary, DEADLOCK,\n"
    "LIVELOCK (point bound), locks released at the end, and for runs whose\n"
    "steps did not overlap the spec replays the impl's step order\n"
    "(DIFF-SCHED, DIFF-RESULT, DIFF-STATE).\n"
    "\nA finding prints the ID, the step table (one row per spec step the\n"
    "impl passed), the detail, and saves the run as a self-describing trace\n"
    "(`judge: sched`, its faults, an impl-schedule: line) that `lifecheck\n"
    "run` replays point for point (--out, default\n"
    "lifecheck-report/<stem>.<ID>.impl.trace).\n"
    "\noptions:\n"
    "  -s, --strategy S   random | pct (default) | dfs | replay\n"
    "  --runs N           schedules to try (random/pct: 1000; dfs: all)\n"
    "  --depth d          PCT bug depth (default 3)\n"
    "  --preemptions k    DFS preemption bound (default 2)\n"
    "  --seed N           random/PCT seed (default 1)\n"
    "  --seconds N        stop after N seconds\n"
    "  --granularity G    access (default: every access is a choice point)\n"
    "                     or step (choices only at spec step markers)\n"
    "  -o, --out FILE     where to save a finding's trace\n"
    "  --report-dir DIR   where to save it otherwise (default\n"
    "                     lifecheck-report)\n"
    "  -q, --quiet        print only the SUMMARY line\n"
    "\nreplay: FILE's impl-schedule: is replayed point for point; without\n"
    "one, its spec schedule: is replayed through the impl's step markers\n"
    "(each listed thread runs from its marker to its next one).\n"
    "\nexit: 0 none failed, 1 a finding, 2 bad input\n",
    CmdExplore, 25});

}  // namespace
}  // namespace lifecheck::cli
