// `lifecheck run`: replay artefacts by their own judge and show the run.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/findings/judge.h"
#include "harness/findings/report.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

// The verdict line of a clean run, by judge.
std::string CleanLine(const Judgement& j) {
  if (j.diff)
    return absl::StrCat("lifecheck: clean (spec and impl, ", j.diff->calls_run,
                        " calls", j.diff->blocked ? ", ended blocked" : "",
                        ")");
  if (j.sched)
    return absl::StrCat("lifecheck: clean (impl under the scheduler, ",
                        j.sched->outcome.points, " scheduling points)");
  return absl::StrCat("lifecheck: clean (", j.spec->steps.size(), " steps)");
}

int RunOne(const std::string& path, bool quiet, bool prefix) {
  int rc = kExitOk;
  std::optional<Judged> in = LoadJudged(path, &rc);
  if (!in) return rc;
  const Judgement& j = in->judgement;
  const bool finding = j.inv != Inv::kNone;
  const Report report = finding ? ReportOf(in->trace, j, path) : Report{};
  const std::string verdict = finding ? SummaryLine(report) : CleanLine(j);
  if (quiet) {
    std::cout << (prefix ? path + ": " : "") << verdict << "\n";
  } else if (finding) {
    std::cout << RenderReport(report);
  } else {
    if (j.spec)
      std::cout << InterleavingTable(in->trace, *j.spec)
                << WarningLines(*j.spec);
    if (j.sched) std::cout << StepTable(in->trace, j.sched->outcome);
    std::cout << verdict << "\n";
  }
  return finding ? kExitFinding : kExitOk;
}

int CmdRun(const Args& args) {
  const Command& c = *FindCommand("run");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--quiet", "-q"}}}, &p, &rc)) return rc;
  if (p.operands.empty()) return UsageError("run: no trace file given", &c);
  const bool quiet = p.Has("--quiet");
  const bool many = p.operands.size() > 1;
  for (size_t i = 0; i < p.operands.size(); ++i) {
    const std::string& path = p.operands[i];
    if (many && !quiet)
      std::cout << (i > 0 ? "\n" : "") << "==> " << path << " <==\n";
    std::cout.flush();
    rc = std::max(rc, RunOne(path, quiet, many));
  }
  return rc;
}

const RegisterCommand kRegisterRun(Command{
    "run", "[--quiet] FILE...",
    "replay traces and crash files by their own judge and show the run",
    "\nEach FILE is a text trace, or a fuzzer input / crash file (decoded by\n"
    "its FILE.trace sidecar, else the nearest lifecheck-fuzz.manifest, else\n"
    "as a diff_fuzzer input of the free configuration). The trace's `judge:`\n"
    "line says how it is judged, and its `fault:` line which impl faults are\n"
    "planted (docs/trace-format.md):\n"
    "  spec   (the default) the spec alone: the schedule entry by entry,\n"
    "         then every thread runs to completion in the sequential order;\n"
    "  diff   spec and impl call by call: after every call the return\n"
    "         values and the abstract states must agree (else DIFF-RESULT,\n"
    "         DIFF-STATE, DIFF-BLOCK); the schedule must be call-atomic;\n"
    "  sched  the impl under the controlled scheduler: the impl-schedule\n"
    "         point for point, else the spec schedule through the impl's\n"
    "         step markers.\n"
    "A clean run prints its table and 'lifecheck: clean (...)'. A finding\n"
    "prints the report: the invariant ID, the table, the replay command and\n"
    "a last line 'SUMMARY: lifecheck: <ID> ...'.\n"
    "\noptions:\n  -q, --quiet   print only the verdict line of each file\n"
    "\nexit: 0 all clean, 1 a finding, 2 bad input (FILE:LINE:COL on "
    "stderr)\n",
    CmdRun, 10});

}  // namespace
}  // namespace lifecheck::cli
