// `lifecheck check`: model-check a named scenario or a trace's calls with a
// registered engine (explicit, z3, ...), and show the counterexample.
#include <algorithm>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/findings/judge.h"
#include "harness/findings/report.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "mc/engine.h"
#include "mc/invariant.h"
#include "mc/scenario.h"
#include "mc/z3_certificate.h"
#include "tools/check_common.h"
#include "tools/cli.h"

namespace lifecheck::cli {

std::string FormatSeconds(double s) {
  if (s < 1) return absl::StrFormat("%.2f ms", s * 1000);
  return absl::StrFormat("%.2f s", s);
}

std::string Stat(const McResult& r, const std::string& key) {
  for (const auto& [k, v] : r.stats)
    if (k == key) return v;
  return "";
}

namespace {

const std::vector<Flag> kFlags = {
    {{"--scenario", "-s"}, true},
    {{"--pages"}, true},
    {{"--pinners"}, true},
    {{"--policy", "-p"}, true},
    {{"--engine", "-e"}, true},
    {{"--bound", "-k"}, true},
    {{"--prove"}},
    {{"--bfs"}},
    {{"--dfs"}},
    {{"--no-por"}},
    {{"--no-symmetry"}},
    {{"--max-states"}, true},
    {{"--timeout"}, true},
    {{"--output", "-o"}, true},
    {{"--report-dir"}, true},
    {{"--list-scenarios"}},
    {{"--print"}},
    {{"--table"}},
    {{"--write"}, true},
    {{"--progress"}},
    {{"--jobs", "-j"}, true},
    {{"--hash-compact"}},
    {{"--quiet", "-q"}},
    {{"--all"}},
    {{"--budget"}, true},
    {{"--engines"}, true},
    {{"--mainline-only"}},
    {{"--report"}, true},
    {{"--regress-summary"}, true},
    {{"--fuzz-summary"}, true},
    {{"--certificate"}, true},
    {{"--check-certificate"}, true},
};

int ListScenarios() {
  for (const ScenarioInfo& s : Scenarios()) {
    std::cout << s.name << ": " << s.description << "\n"
              << "  threads: " << s.threads << "\n"
              << "  sizes: --pages 1.." << s.max_pages << " (default "
              << s.default_pages << "), --pinners 1.." << s.max_pinners
              << " (default " << s.default_pinners << ")\n"
              << "  knobs: " << absl::StrJoin(s.knobs, ", ") << "\n";
    if (!s.base.empty())
      std::cout << "  base policy: " << PolicyText(s.base) << "\n";
    for (const ScenarioVariant& v : s.variants)
      std::cout << "  variant: " << PolicyText(v.policy) << " -> " << v.expect
                << " (" << v.why << ")\n";
  }
  return kExitOk;
}

// knob=value arguments of --policy.
bool ParsePolicies(const Command& c, const Parsed& p,
                   std::vector<PolicySetting>* out, int* rc) {
  auto it = p.values.find("--policy");
  if (it == p.values.end()) return true;
  for (const std::string& kv : it->second) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size()) {
      *rc = UsageError(
          absl::StrCat("check: --policy wants knob=value, got '", kv, "'"), &c);
      return false;
    }
    out->emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return true;
}

bool ParseOptions(const Command& c, const Parsed& p, McOptions* o, int* rc) {
  if (p.Has("--bfs") && p.Has("--dfs")) {
    *rc = UsageError("check: --bfs and --dfs exclude each other", &c);
    return false;
  }
  int bound = 0, max_states = 0, timeout = 0;
  // Every core by default: BFS layers split across workers.
  const int cores =
      std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int jobs = cores;
  if (!p.Int(c, "--bound", 0, 1, 100000, &bound, rc) ||
      !p.Int(c, "--max-states", 0, 1, 2000000000, &max_states, rc) ||
      !p.Int(c, "--timeout", 0, 1, 86400, &timeout, rc) ||
      !p.Int(c, "--jobs", cores, 1, 256, &jobs, rc))
    return false;
  if (p.Has("--hash-compact") && p.Has("--dfs")) {
    *rc = UsageError("check: --hash-compact needs BFS (not --dfs)", &c);
    return false;
  }
  o->jobs = jobs;
  o->hash_compact = p.Has("--hash-compact");
  o->bound = bound;
  o->max_states = max_states;
  o->timeout_s = timeout;
  o->prove = p.Has("--prove");
  o->bfs = !p.Has("--dfs");
  o->por = !p.Has("--no-por");
  o->symmetry = !p.Has("--no-symmetry");
  o->progress = p.Has("--progress");
  return true;
}

// The problem: a scenario or a trace file (its schedule is ignored).
bool LoadProblem(const Command& c, const Parsed& p, Trace* problem,
                 std::string* label, int* rc) {
  std::vector<PolicySetting> policy;
  if (!ParsePolicies(c, p, &policy, rc)) return false;
  const bool has_scenario = p.Has("--scenario");
  if (has_scenario == !p.operands.empty() || p.operands.size() > 1) {
    *rc = UsageError(
        "check: give exactly one of --scenario NAME or a trace FILE", &c);
    return false;
  }
  if (has_scenario) {
    int pages = 0, pinners = 0;
    if (!p.Int(c, "--pages", 0, 1, kMaxIdx, &pages, rc) ||
        !p.Int(c, "--pinners", 0, 1, kMaxPins, &pinners, rc))
      return false;
    *label = p.Value("--scenario", "");
    absl::StatusOr<Trace> t = BuildScenario(*label, pages, pinners, policy);
    if (!t.ok()) {
      *rc = UsageError(absl::StrCat("check: ", t.status().message()), &c);
      return false;
    }
    *problem = *std::move(t);
    return true;
  }
  if (p.Has("--pages") || p.Has("--pinners")) {
    *rc = UsageError("check: --pages/--pinners size a --scenario only", &c);
    return false;
  }
  const std::string& path = p.operands[0];
  absl::StatusOr<Trace> t =
      ReadTraceFile(path, lifecheck::ParseOptions{.choices = true});
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    *rc = kExitBadInput;
    return false;
  }
  if (absl::Status s = ApplyPolicy(policy, t->config); !s.ok()) {
    *rc = UsageError(absl::StrCat("check: ", s.message()), &c);
    return false;
  }
  t->schedule.clear();
  t->schedule_pos.clear();
  t->expect.clear();
  *problem = *std::move(t);
  *label = path;
  return true;
}

// The command line that names the same problem: the scenario and its sizes
// and policies, or the trace file.
std::string CheckCommand(const Parsed& p, const std::string& label) {
  std::string cmd = "lifecheck check";
  if (!p.Has("--scenario")) return absl::StrCat(cmd, " ", label);
  absl::StrAppend(&cmd, " --scenario ", label);
  if (p.Has("--pages"))
    absl::StrAppend(&cmd, " --pages ", p.Value("--pages", ""));
  if (p.Has("--pinners"))
    absl::StrAppend(&cmd, " --pinners ", p.Value("--pinners", ""));
  auto it = p.values.find("--policy");
  if (it != p.values.end())
    for (const std::string& kv : it->second)
      absl::StrAppend(&cmd, " --policy ", kv);
  return cmd;
}

// --check-certificate FILE: the independent check of an inductive
// invariant (mc/z3_certificate.h) for the problem. Exit 0 accepted, 1
// rejected (which obligation fails, where), 2 unreadable.
int CheckCertificateFile(const std::string& path, const Trace& problem,
                         const std::string& label, const McOptions& opts) {
  std::string text;
  if (!ReadFile(path, &text)) {
    std::cerr << "lifecheck: " << path << ": cannot read\n";
    return kExitBadInput;
  }
  absl::StatusOr<Invariant> inv = ParseInvariant(text, path);
  if (!inv.ok()) {
    std::cerr << InputError(inv.status(), path) << "\n";
    return kExitBadInput;
  }
  const CertificateCheck cc = CheckCertificate(problem, *inv, opts.timeout_s);
  std::cout << "certificate " << path << " (" << inv->clauses.size()
            << " clauses) for " << label << ": "
            << (cc.ok ? "inductive, excludes every bad world"
                      : absl::StrCat("rejected: ", cc.why))
            << " (" << FormatSeconds(cc.seconds) << ")\n"
            << "SUMMARY: lifecheck: certificate " << (cc.ok ? "ok" : "rejected")
            << " " << label << "\n";
  return cc.ok ? kExitOk : kExitFinding;
}

void PrintFigures(const McResult& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : r.stats) rows.push_back({k + ":", v});
  rows.push_back({"time:", FormatSeconds(r.seconds)});
  PrintColumns(rows, "  ");
}

int CmdCheck(const Args& args) {
  const Command& c = *FindCommand("check");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, kFlags, &p, &rc)) return rc;
  if (p.Has("--list-scenarios")) return ListScenarios();
  if (p.Has("--table")) return CheckTable(p);
  if (p.Has("--all")) return CheckAll(c, p);

  McOptions opts;
  if (!ParseOptions(c, p, &opts, &rc)) return rc;
  Trace problem;
  std::string label;
  if (!LoadProblem(c, p, &problem, &label, &rc)) return rc;
  if (p.Has("--print")) {  // the problem, in the trace format
    std::cout << PrintTrace(problem);
    return kExitOk;
  }
  const std::string engine_name = p.Value("--engine", "explicit");
  McEngineFn engine = FindMcEngine(engine_name);
  if (!engine)
    return UsageError(
        absl::StrCat("check: unknown engine '", engine_name,
                     "'; engines: ", absl::StrJoin(McEngineNames(), ", ")),
        &c);

  // Z3 looks for starvation with BMC (lassos of at most K steps): a thread
  // that may run for ever keeps its runs from all ending, so the bound must
  // be given. The explicit engine walks every cycle.
  bool forever = false;
  for (size_t t = 0; t < problem.threads.size(); ++t)
    forever = forever || HasForever(problem.body(static_cast<int>(t)));
  if (forever && engine_name != "explicit" && opts.bound == 0)
    return UsageError(
        absl::StrCat("check: ", label,
                     " has a thread that may run for ever ('repeat LO..*'): "
                     "engine ",
                     engine_name,
                     " looks for violations and starvation to a bound, so "
                     "give --bound K"),
        &c);

  if (p.Has("--check-certificate"))
    return CheckCertificateFile(p.Value("--check-certificate", ""), problem,
                                label, opts);

  const McResult r = engine(problem, opts);
  std::cout << "lifecheck check " << label << " (" << ConfigLine(problem.config)
            << ") engine=" << engine_name << ": " << McVerdictName(r.verdict);
  if (r.verdict == McVerdict::kCounterexample)
    std::cout << " " << InvId(r.inv) << " in " << r.bound << " steps";
  if (r.verdict == McVerdict::kVerifiedToBound)
    std::cout << " (bound " << r.bound << ")";
  std::cout << "\n";
  PrintFigures(r);

  if (r.verdict != McVerdict::kCounterexample) {
    if (!r.certificate.empty()) {
      std::string cert = p.Value("--certificate", "");
      if (cert.empty())
        cert = ReportPath(p, p.Has("--scenario")
                                 ? absl::StrCat("certificate-", label, ".inv")
                                 : "certificate.inv");
      if (!WriteOutput(cert, r.certificate)) return kExitBadInput;
      std::cout << "inductive invariant (the proof's certificate) written to "
                << cert << "\nre-check it: " << CheckCommand(p, label)
                << " --check-certificate " << cert << "\n";
    }
    std::cout << "SUMMARY: lifecheck: " << McVerdictName(r.verdict) << " "
              << label << " engine=" << engine_name << "\n";
    return r.verdict == McVerdict::kUnknown ? 3 : kExitOk;
  }
  std::string out = p.Value("--output", "");
  if (out.empty())
    out = ReportPath(p, p.Has("--scenario")
                            ? absl::StrCat("cex-", label, ".trace")
                            : "cex.trace");
  if (!WriteOutput(out, PrintTrace(r.counterexample))) return kExitBadInput;
  std::cout << "counterexample written to " << out << "\n";
  absl::StatusOr<Judgement> run = JudgeTrace(r.counterexample, out);
  if (!run.ok() || run->inv != r.inv) {
    // The engine's witness does not replay: an engine bug, said loudly.
    std::cerr << "lifecheck: internal error: the counterexample does not "
                 "replay to "
              << InvId(r.inv) << "\n";
    return 70;
  }
  const Report report = ReportOf(r.counterexample, *run, out);
  if (!p.Has("--quiet"))
    std::cout << "\n" << RenderReport(report);
  else
    std::cout << SummaryLine(report) << "\n";
  return kExitFinding;
}

const RegisterCommand kRegisterCheck(Command{
    "check", "(--scenario NAME | FILE) [options]",
    "model-check every interleaving of a scenario or a trace's calls",
    "\n  lifecheck check (--scenario NAME [--pages N] [--pinners K] | FILE)\n"
    "      [--policy knob=value]... [--engine explicit|z3] [--bound K]\n"
    "      [--prove] [--bfs|--dfs] [--no-por] [--no-symmetry]\n"
    "      [--max-states N] [--timeout S] [-o FILE] [--report-dir DIR]\n"
    "      [--certificate FILE] [--check-certificate FILE] [--progress] [-q]\n"
    "      [--jobs N] [--hash-compact]\n"
    "  lifecheck check --list-scenarios\n"
    "  lifecheck check --table [--write FILE]\n"
    "  lifecheck check --all [--budget S] [--engines explicit,z3]\n"
    "      [--mainline-only] [--scenario NAME] [--report DIR]\n"
    "      [--regress-summary FILE] [--fuzz-summary FILE]\n"
    "\nThe problem is a named scenario (--list-scenarios) sized by --pages\n"
    "and --pinners, or a trace FILE whose calls are checked under every\n"
    "schedule (its own schedule is ignored). FILE may give a thread\n"
    "choices ('fault pte=0 file=1 index=0..2', 'dma pin=0 | unpin pin=0')\n"
    "and repeats ('repeat 0..2 {' ... '}'): every resolution is explored,\n"
    "and a counterexample is the concrete trace of the run that fails.\n"
    "--policy knob=value (repeatable;\n"
    "see `lifecheck list-policies`) overrides the scenario's policies.\n"
    "\nengines: explicit (default; exhaustive state search), z3 (a proof by "
    "an\n"
    "inductive invariant learned from the reachable states and checked by\n"
    "Z3, or Z3's own shortest counterexample; --bound K: bounded model\n"
    "checking to K steps) and z3-bmc (bounded model checking alone,\n"
    "--prove: k-induction).\n"
    "\noptions:\n"
    "  --bound K        explore schedules of at most K steps (explicit: BFS)\n"
    "  --bfs / --dfs    explicit: breadth-first (default; shortest\n"
    "                   counterexample) or depth-first with partial-order\n"
    "                   reduction\n"
    "  --no-por         explicit DFS: no partial-order reduction\n"
    "  --no-symmetry    no symmetry reduction over identical threads\n"
    "  --max-states N   explicit: give up after N states (verdict unknown)\n"
    "  --timeout S      give up after S seconds (verdict unknown)\n"
    "  -o FILE          write the counterexample trace to FILE (default:\n"
    "                   REPORT_DIR/cex-<scenario>.trace)\n"
    "  --report-dir DIR where files go without -o (default lifecheck-report)\n"
    "  --certificate FILE  z3: write a proof's inductive invariant to FILE\n"
    "                   (default REPORT_DIR/certificate-<scenario>.inv)\n"
    "  --check-certificate FILE  check the invariant in FILE instead of\n"
    "                   running an engine: it holds initially, every step\n"
    "                   keeps it, and no world satisfying it is bad (exit 0),\n"
    "                   or which obligation fails (exit 1)\n"
    "  --progress       progress lines on stderr (states, states/s,\n"
    "                   memory) for long runs\n"
    "  -j, --jobs N     explicit BFS: worker threads (default: every core)\n"
    "  --hash-compact   explicit BFS: keep a 64-bit fingerprint per state\n"
    "                   instead of the state (far less memory); prints the\n"
    "                   probability that a state was missed\n"
    "  -q, --quiet      on a counterexample print only the SUMMARY line\n"
    "  --list-scenarios the scenarios, their knobs and expected verdicts\n"
    "  --print          print the problem (a scenario at its sizes, or FILE)\n"
    "                   in the trace format and exit\n"
    "  --table [--write FILE]  the explicit-engine performance table for\n"
    "                   dax-truncate (docs/performance.md); --write replaces\n"
    "                   its section in FILE\n"
    "  --all            every scenario x policy variant x engine at its\n"
    "                   largest sizes within --budget S seconds (default\n"
    "                   600; runs out of their share run again with what is\n"
    "                   left); prints\n"
    "                   a table and writes DIR/report.md, DIR/report.html\n"
    "                   (counterexample pictures) and DIR/cex/*.trace\n"
    "                   (default DIR lifecheck-check); --mainline-only: the\n"
    "                   mainline variants only; --scenario NAME: one\n"
    "                   scenario; the summary files' text (first line: one-\n"
    "                   line result) goes into the report. Exit 1 iff a run\n"
    "                   contradicts its expected verdict (a run out of\n"
    "                   budget is listed, not a mismatch)\n"
    "\nA counterexample prints the interleaving table, the replay command\n"
    "`lifecheck run FILE` and a last line 'SUMMARY: lifecheck: <ID> ...'.\n"
    "\nexit: 0 verified or proved, 1 counterexample, 2 bad usage or input,\n"
    "3 inconclusive (a --timeout or --max-states budget ran out)\n",
    CmdCheck, 15});

}  // namespace
}  // namespace lifecheck::cli
