// `lifecheck minimize`: shrink a failing artefact to a 1-minimal trace with
// the same verdict, judged by its own judge (harness/findings/minimize.h).
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "harness/findings/judge.h"
#include "harness/findings/minimize.h"
#include "harness/findings/report.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"
#include "tools/corpus_dir.h"

namespace lifecheck::cli {
namespace {

// `text` with every line turned into a comment, so the report can follow
// the trace in one file that still parses.
std::string Commented(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    absl::StrAppend(&out, "# ", line, "\n");
  }
  return out;
}

int CmdMinimize(const Args& args) {
  const Command& c = *FindCommand("minimize");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--output", "-o"}, true},
                  {{"--save"}},
                  {{"--corpus"}, true},
                  {{"--max-oracle-calls"}, true},
                  {{"--quiet", "-q"}}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("minimize: exactly one input file expected", &c);
  int budget = 0;
  if (!p.Int(c, "--max-oracle-calls", 5000, 1, 1000000, &budget, &rc))
    return rc;
  const std::string& path = p.operands[0];
  std::optional<Judged> in = LoadJudged(path, &rc);
  if (!in) return rc;
  MinimizeOptions opts;
  opts.max_oracle_calls = budget;
  // A decoded binary input's thread names carry no meaning: A, B, C...
  opts.rename_threads = in->how != "text trace";
  absl::StatusOr<MinimizeResult> m = Minimize(in->trace, JudgeOracle(), opts);
  if (!m.ok()) {
    std::cerr << path << ": " << m.status().message() << " (judge "
              << JudgeName(in->trace.judge) << ", read as " << in->how << ")\n";
    return kExitBadInput;
  }
  const MinimizeStats& s = m->stats;
  const std::string stats_line = absl::StrFormat(
      "minimized %s: %s, judge %s, %d -> %d calls, %d judge runs, %.1f ms%s",
      path, m->verdict, JudgeName(m->trace.judge), s.input_calls,
      s.output_calls, s.oracle_calls, s.seconds * 1e3,
      s.one_minimal ? ", 1-minimal"
                    : ", NOT verified 1-minimal (oracle budget exhausted)");
  const Trace& out = m->trace;
  const std::string trace_text =
      absl::StrCat(PrintTrace(out), "# ", stats_line, "\n");

  std::string replay_path = p.Value("--output", "");
  if (p.Has("--save")) {
    absl::StatusOr<std::string> dir = CorpusRegressDir(p.Value("--corpus", ""));
    if (!dir.ok()) {
      std::cerr << "lifecheck: minimize --save: " << dir.status().message()
                << "\n";
      return kExitBadInput;
    }
    const std::string saved = RegressFileName(*dir, out);
    if (!WriteOutput(saved, trace_text)) return kExitBadInput;
    std::cerr << "saved " << saved << "\n";
    if (replay_path.empty()) replay_path = saved;
  }
  if (p.Has("--output") && !WriteOutput(p.Value("--output", ""), trace_text))
    return kExitBadInput;

  std::string report;
  if (absl::StatusOr<Judgement> j = JudgeTrace(out, "<minimized>");
      j.ok() && j->inv != Inv::kNone)
    report = RenderReport(
        ReportOf(out, *j, replay_path.empty() ? "OUT.trace" : replay_path));
  if (p.Has("--output") || p.Has("--save")) {
    if (!p.Has("--quiet")) std::cout << report;
    std::cout << stats_line << "\n";
  } else {
    // stdout is the trace; the report follows as comments so that
    // `lifecheck minimize X > min.trace` gives a replayable file.
    std::cout << trace_text;
    if (!p.Has("--quiet")) std::cout << Commented(report);
  }
  return s.one_minimal ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterMinimize(Command{
    "minimize", "[-o OUT] [--save] [--max-oracle-calls N] INPUT",
    "shrink a failing trace to a 1-minimal one with the same finding",
    "\nINPUT is a text trace or a fuzzer crash file (read as `lifecheck run`\n"
    "reads it). Every candidate is judged by the trace's own `judge:` line,\n"
    "with its planted faults: spec findings, DIFF-* findings of the\n"
    "differential runner and findings of the impl under the controlled\n"
    "scheduler all minimise the same way (docs/minimize.md). The output\n"
    "fails with the SAME verdict and is 1-minimal: removing any single call,\n"
    "deleting any single run of the schedule, or merging two runs of one\n"
    "thread (one context switch fewer) loses that verdict. A scheduled\n"
    "finding is minimised through the impl's step markers when its steps\n"
    "did not overlap (its impl-schedule is recorded again), on its\n"
    "impl-schedule otherwise. Thread names of a text trace are kept: they\n"
    "name roles (T truncates, W writes back); a binary input's threads are\n"
    "renamed A, B, C... in order.\n"
    "\noptions:\n"
    "  -o, --output OUT      write the minimised trace to OUT (the report\n"
    "                        goes to stdout); without it the trace goes to\n"
    "                        stdout followed by the report as comments\n"
    "  --save                also write corpus/regress/<id>-<hash>.trace\n"
    "                        with its '# expect:' header\n"
    "  --corpus DIR          the corpus/regress directory for --save\n"
    "                        (default: found from the current directory\n"
    "                        upwards, then from the lifecheck binary upwards)\n"
    "  --max-oracle-calls N  judge-run budget (default 5000)\n"
    "  -q, --quiet           no report\n"
    "\nexit: 0 minimised and verified 1-minimal, 1 budget exhausted before\n"
    "1-minimality was verified, 2 bad input or an input that does not fail\n",
    CmdMinimize, 40});

}  // namespace
}  // namespace lifecheck::cli
