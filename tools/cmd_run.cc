// `lifecheck run`: replay traces on the spec and show the interleaving.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/findings/diff_report.h"
#include "harness/findings/report.h"
#include "harness/run/replay.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int RunOne(const std::string& path, bool quiet, bool prefix) {
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<RunResult> r = RunTrace(*t, path);
  if (!r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  const bool finding = Finding(*r) != Inv::kNone;
  const std::string verdict =
      finding ? SummaryLine(*t, *r)
              : absl::StrCat("lifecheck: clean (", r->steps.size(), " steps)");
  if (quiet) {
    std::cout << (prefix ? path + ": " : "") << verdict << "\n";
  } else if (finding) {
    std::cout << FindingReport(*t, *r, path);
  } else {
    std::cout << InterleavingTable(*t, *r) << WarningLines(*r) << verdict
              << "\n";
  }
  return finding ? kExitFinding : kExitOk;
}

// --diff: the differential runner (spec vs impl, call by call).
int RunDiffOne(const std::string& path, bool quiet, bool prefix,
               const impl::Faults& faults) {
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<DiffOutcome> o = RunDiffTrace(*t, path, faults);
  if (!o.ok()) {
    std::cerr << InputError(o.status(), path) << "\n";
    return kExitBadInput;
  }
  const bool finding = o->inv != Inv::kNone;
  const std::string verdict =
      finding ? DiffSummaryLine(*o)
              : absl::StrCat("lifecheck: clean (diff, ", o->calls_run, " calls",
                             o->blocked ? ", ended blocked" : "", ")");
  if (quiet) {
    std::cout << (prefix ? path + ": " : "") << verdict << "\n";
  } else if (finding) {
    std::cout << DiffReport(*o, path);
  } else {
    std::cout << verdict << "\n";
  }
  return finding ? kExitFinding : kExitOk;
}

int CmdRun(const Args& args) {
  const Command& c = *FindCommand("run");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--quiet", "-q"}}, {{"--diff"}}, {{"--fault"}, true}}, &p,
                 &rc))
    return rc;
  if (p.operands.empty()) return UsageError("run: no trace file given", &c);
  const bool quiet = p.Has("--quiet");
  const bool diff = p.Has("--diff");
  // --fault NAME (repeatable): plant an impl fault, to replay a fuzzer
  // finding made with LIFECHECK_FAULT (the report's replay line has them).
  impl::Faults faults;
  if (auto it = p.values.find("--fault"); it != p.values.end()) {
    if (!diff) return UsageError("run: --fault needs --diff", &c);
    for (const std::string& name : it->second)
      if (!AddFaultByName(name, &faults))
        return UsageError(absl::StrCat("run: unknown fault '", name,
                                       "' (known: ", KnownFaultNames(), ")"),
                          &c);
  }
  const bool many = p.operands.size() > 1;
  for (size_t i = 0; i < p.operands.size(); ++i) {
    const std::string& path = p.operands[i];
    if (many && !quiet)
      std::cout << (i > 0 ? "\n" : "") << "==> " << path << " <==\n";
    std::cout.flush();
    rc = std::max(rc, diff ? RunDiffOne(path, quiet, many, faults)
                           : RunOne(path, quiet, many));
  }
  return rc;
}

const RegisterCommand kRegisterRun(Command{
    "run", "[--quiet] [--diff [--fault NAME]...] FILE...",
    "replay traces on the spec and show the interleaving",
    "\nEach FILE is a text trace. Its schedule is followed entry by entry;\n"
    "then every thread runs to completion in the sequential order.\n"
    "A clean run prints the interleaving table and 'lifecheck: clean (N "
    "steps)'.\nA finding prints the report: the invariant ID, the table, "
    "the replay\ncommand and a last line 'SUMMARY: lifecheck: <ID> ...'.\n"
    "\nWith --diff, the calls run one at a time on the spec AND the impl\n"
    "(harness/run/diff.h): after every call the return values and the "
    "abstract\n"
    "states must agree (else DIFF-RESULT, DIFF-STATE, DIFF-BLOCK). The\n"
    "schedule must be call-atomic (no interleaving inside a call).\n"
    "\noptions:\n  -q, --quiet   print only the verdict line of each file\n"
    "  --diff        run the differential runner (spec vs impl)\n"
    "  --fault NAME  with --diff: plant impl fault NAME (repeatable):\n"
    "                unpin_drops_one, truncate_skips_wait, dma_reports_efault\n"
    "                (a finding of a fuzzer run with LIFECHECK_FAULT)\n"
    "\nexit: 0 all clean, 1 a finding, 2 bad input (FILE:LINE:COL on "
    "stderr)\n",
    CmdRun, 10});

}  // namespace
}  // namespace lifecheck::cli
