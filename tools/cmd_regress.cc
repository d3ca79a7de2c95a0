// `lifecheck regress`: replay every corpus trace and check its expect header.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/findings/judge.h"
#include "harness/run/diff.h"
#include "harness/trace/trace.h"
#include "spec/findings.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

// Collects the *.trace files under `root` (or `root` itself if it is a
// file). False if `root` does not exist or cannot be read.
bool CollectTraces(const std::string& root, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(root, ec);
  if (ec || !fs::exists(st)) return false;
  if (fs::is_regular_file(st)) {
    out->push_back(root);
    return true;
  }
  if (!fs::is_directory(st)) return false;
  fs::recursive_directory_iterator it(
      root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (const fs::recursive_directory_iterator end; it != end;
       it.increment(ec)) {
    if (ec) return false;
    std::error_code fec;
    if (it->is_regular_file(fec) && it->path().extension() == ".trace")
      out->push_back(it->path().string());
  }
  return !ec;
}

// The verdict of `t` judged by `judge` instead of its own: the cross-checks
// of a spec-judged trace on the impl.
std::string VerdictAs(Trace t, Judge judge, const std::string& path,
                      bool* blocked, std::string* detail) {
  t.judge = judge;
  absl::StatusOr<Judgement> j = JudgeTrace(t, path);
  if (!j.ok()) return "";
  if (j->diff) {
    *blocked = j->diff->blocked;
    *detail = j->diff->detail;
  }
  if (j->sched) *detail = j->sched->outcome.detail;
  return j->verdict();
}

// Runs one regression trace; returns whether it passed and prints its line.
bool RegressOne(const std::string& path, bool quiet) {
  auto report = [&](bool pass, const std::string& detail) {
    if (!pass || !quiet)
      std::cout << (pass ? "PASS  " : "FAIL  ") << path << "  (" << detail
                << ")\n";
    return pass;
  };
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) return report(false, "error: " + InputError(t.status(), path));
  const std::string expect = t->expect;
  if (expect.empty()) return report(false, "no expect header");
  Inv inv;
  if (expect != "clean" && !ParseInvId(expect, &inv))
    return report(false, absl::StrCat("bad expect header '", expect,
                                      "': want clean or an invariant ID"));
  // The verdict: the trace's own judge.
  absl::StatusOr<Judgement> j = JudgeTrace(*t, path);
  if (!j.ok()) return report(false, "error: " + InputError(j.status(), path));
  const std::string judge(JudgeName(t->judge));
  const std::string got = j->verdict();
  if (got != expect)
    return report(false, absl::StrCat("expect ", expect, ", judge ", judge,
                                      " got ", got));
  std::string note =
      absl::StrCat("expect ", expect, ", judge ", judge, " got ", got);
  if (t->judge != Judge::kSpec) return report(true, note);
  // A spec-judged trace is also a test of the impl: through the impl's step
  // markers when it has a schedule, and call by call when it is
  // call-atomic; both must agree with the spec.
  bool blocked = false;
  std::string detail;
  if (!t->schedule.empty()) {
    const std::string sv =
        VerdictAs(*t, Judge::kSched, path, &blocked, &detail);
    if (sv != expect)
      return report(false,
                    absl::StrCat(note,
                                 "; impl through the step markers "
                                 "got ",
                                 sv.empty() ? "an error" : sv, ": ", detail));
    absl::StrAppend(&note, "; impl step replay ", sv);
  }
  if (!CallAtomicOrder(*t, path).ok())
    return report(true, absl::StrCat(note, "; diff: not call-atomic"));
  const std::string dv = VerdictAs(*t, Judge::kDiff, path, &blocked, &detail);
  // A run that ended blocked with calls left cannot judge a deadlock.
  const bool ok =
      dv == expect || (blocked && dv == "clean" && expect == "DEADLOCK");
  if (!ok)
    return report(false, absl::StrCat(note, "; diff got ", dv, ": ", detail));
  return report(true, absl::StrCat(note, "; diff ", dv));
}

int CmdRegress(const Args& args) {
  const Command& c = *FindCommand("regress");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--quiet", "-q"}}}, &p, &rc)) return rc;
  if (p.operands.empty()) return UsageError("regress: no directory given", &c);
  std::vector<std::string> traces;
  for (const std::string& root : p.operands) {
    if (!CollectTraces(root, &traces)) {
      std::cerr << "lifecheck: regress: " << root
                << ": no such file or directory (or unreadable)\n";
      return kExitBadInput;
    }
  }
  std::sort(traces.begin(), traces.end());
  traces.erase(std::unique(traces.begin(), traces.end()), traces.end());
  if (traces.empty()) {
    std::cerr << "lifecheck: regress: no *.trace files under "
              << absl::StrJoin(p.operands, " ") << "\n";
    return kExitBadInput;
  }
  int passed = 0, failed = 0;
  for (const std::string& path : traces)
    (RegressOne(path, p.Has("--quiet")) ? passed : failed) += 1;
  std::cout << "regress: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterRegress(Command{
    "regress", "[--quiet] DIR...",
    "run every *.trace under DIR and check its '# expect:' header",
    "\nFinds *.trace files recursively (sorted), judges each by its own\n"
    "`judge:` line (as `lifecheck run` does) and compares the verdict with\n"
    "the trace's '# expect: <verdict>' header. A trace without the header,\n"
    "or one that does not parse, fails. A spec-judged trace is checked on\n"
    "the impl too: with a schedule: line, replayed through the impl's step\n"
    "markers under the controlled scheduler; when call-atomic, call by call\n"
    "by the differential runner. Both must reach the same verdict.\n"
    "\noptions:\n  -q, --quiet   print only failing traces and the total\n"
    "\nexit: 0 all pass, 1 some failed, 2 a DIR is missing or holds no "
    "traces\n",
    CmdRegress, 20});

}  // namespace
}  // namespace lifecheck::cli
