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
#include "harness/sched/explore.h"
#include "harness/trace/trace.h"
#include "mc/engine.h"
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

// --every-interleaving: a clean trace must be clean for every schedule of
// its calls (DESIGN principle 9), not only for its own. The explicit checker
// covers every interleaving of the spec's steps; the controlled scheduler
// runs a DFS over the impl's real threads (preemption bound 2): at the
// granularity of spec steps to the end, then at every atomic access for at
// most `access_seconds`. Returns "" or the reason it fails; `*note` says
// what was covered.
std::string EveryInterleaving(const Trace& t, const std::string& path,
                              double access_seconds, std::string* note) {
  McEngineFn explicit_engine = FindMcEngine("explicit");
  if (explicit_engine == nullptr) return "no explicit engine linked in";
  McOptions mo;
  McResult mr = explicit_engine(t, mo);
  if (mr.verdict != McVerdict::kVerified)
    return absl::StrCat(
        "every interleaving (explicit): ", McVerdictName(mr.verdict),
        mr.verdict == McVerdict::kCounterexample
            ? absl::StrCat(" ", std::string(InvId(mr.inv)))
            : "");
  std::string states;
  for (const auto& [k, v] : mr.stats)
    if (k == "states") states = v;
  *note = absl::StrCat("; every interleaving: verified (", states, " states)");
  for (const bool step : {true, false}) {
    sched::ExploreOptions opt;
    opt.strategy = "dfs";
    opt.preemptions = 2;
    opt.step_atomic = step;
    if (!step) opt.seconds = access_seconds;
    absl::StatusOr<sched::ExploreResult> e = sched::Explore(t, path, opt);
    if (!e.ok()) return "error: " + InputError(e.status(), path);
    const char* gran = step ? "step" : "access";
    if (e->found)
      return absl::StrCat("impl dfs (", gran,
                          " granularity): ", std::string(InvId(e->outcome.inv)),
                          ": ", e->outcome.detail);
    absl::StrAppend(note, "; impl dfs ", gran, ": clean (", e->runs,
                    " schedules", e->exhausted ? ", all)" : ", budget)");
  }
  return "";
}

// Runs one regression trace; returns whether it passed and prints its line.
bool RegressOne(const std::string& path, bool quiet, bool every,
                double access_seconds) {
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
  // A clean trace passes only if every schedule of its calls is clean too
  // (--every-interleaving).
  auto pass = [&](const std::string& detail) {
    std::string every_note;
    if (every && expect == "clean") {
      const std::string why =
          EveryInterleaving(*t, path, access_seconds, &every_note);
      if (!why.empty()) return report(false, absl::StrCat(detail, "; ", why));
    }
    return report(true, detail + every_note);
  };
  if (t->judge != Judge::kSpec) return pass(note);
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
    return pass(absl::StrCat(note, "; diff: not call-atomic"));
  const std::string dv = VerdictAs(*t, Judge::kDiff, path, &blocked, &detail);
  // A run that ended blocked with calls left cannot judge a deadlock.
  const bool ok =
      dv == expect || (blocked && dv == "clean" && expect == "DEADLOCK");
  if (!ok)
    return report(false, absl::StrCat(note, "; diff got ", dv, ": ", detail));
  return pass(absl::StrCat(note, "; diff ", dv));
}

int CmdRegress(const Args& args) {
  const Command& c = *FindCommand("regress");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--quiet", "-q"}},
                  {{"--every-interleaving"}},
                  {{"--access-seconds"}, true}},
                 &p, &rc))
    return rc;
  if (p.operands.empty()) return UsageError("regress: no directory given", &c);
  int access_seconds = 0;
  if (!p.Int(c, "--access-seconds", 5, 0, 3600, &access_seconds, &rc))
    return rc;
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
    (RegressOne(path, p.Has("--quiet"), p.Has("--every-interleaving"),
                access_seconds)
         ? passed
         : failed) += 1;
  std::cout << "regress: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterRegress(Command{
    "regress", "[--quiet] [--every-interleaving [--access-seconds S]] DIR...",
    "run every *.trace under DIR and check its '# expect:' header",
    "\nFinds *.trace files recursively (sorted), judges each by its own\n"
    "`judge:` line (as `lifecheck run` does) and compares the verdict with\n"
    "the trace's '# expect: <verdict>' header. A trace without the header,\n"
    "or one that does not parse, fails. A spec-judged trace is checked on\n"
    "the impl too: with a schedule: line, replayed through the impl's step\n"
    "markers under the controlled scheduler; when call-atomic, call by call\n"
    "by the differential runner. Both must reach the same verdict.\n"
    "\nWith --every-interleaving a trace that expects clean must also be\n"
    "clean for every schedule of its calls: the explicit checker (`check\n"
    "FILE`) must verify it, and the controlled scheduler's DFS over the\n"
    "impl (`explore FILE --strategy dfs`, preemption bound 2) must find\n"
    "nothing, exhaustively at spec-step granularity and for at most S\n"
    "seconds (default 5) at access granularity.\n"
    "\noptions:\n  -q, --quiet   print only failing traces and the total\n"
    "  --every-interleaving  also check clean traces under every schedule\n"
    "  --access-seconds S    budget of the access-granularity DFS per trace\n"
    "\nexit: 0 all pass, 1 some failed, 2 a DIR is missing or holds no "
    "traces\n",
    CmdRegress, 20});

}  // namespace
}  // namespace lifecheck::cli
