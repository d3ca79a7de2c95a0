// `lifecheck minimize`: shrink a failing trace to a 1-minimal one with the
// same invariant ID (harness/findings/minimize.h).
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "harness/findings/minimize.h"
#include "harness/findings/oracles.h"
#include "harness/findings/report.h"
#include "harness/run/diff.h"
#include "harness/run/replay.h"
#include "harness/trace/load_input.h"
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

// The first bytes of `path` (enough to find a text trace's header).
std::string ReadPrefix(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string buf(4096, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.resize(static_cast<size_t>(in.gcount()));
  return buf;
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
                  {{"--oracle"}, true},
                  {{"--quiet", "-q"}}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("minimize: exactly one input file expected", &c);
  int budget = 0;
  if (!p.Int(c, "--max-oracle-calls", 5000, 1, 1000000, &budget, &rc))
    return rc;
  const std::string& path = p.operands[0];
  absl::StatusOr<Oracle> oracle = OracleByName(p.Value("--oracle", "spec"));
  if (!oracle.ok())
    return UsageError(std::string(oracle.status().message()), &c);

  absl::StatusOr<Trace> in = LoadTraceInput(path);
  if (!in.ok()) {
    std::cerr << InputError(in.status(), path) << "\n";
    return kExitBadInput;
  }
  if (absl::StatusOr<RunResult> r = RunTrace(*in, path); !r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  MinimizeOptions opts;
  opts.max_oracle_calls = budget;
  // A decoded binary trace's thread names carry no meaning: A, B, C...
  opts.rename_threads = !LooksLikeTextTrace(ReadPrefix(path));
  absl::StatusOr<MinimizeResult> m = Minimize(*in, *oracle, opts);
  if (!m.ok()) {
    std::cerr << path << ": " << m.status().message() << "\n";
    return kExitBadInput;
  }
  const MinimizeStats& s = m->stats;
  const std::string stats_line = absl::StrFormat(
      "minimized %s: %s, %d -> %d calls, %d oracle calls, %.1f ms%s", path,
      m->verdict, s.input_calls, s.output_calls, s.oracle_calls,
      s.seconds * 1e3,
      s.one_minimal ? ", 1-minimal"
                    : ", NOT verified 1-minimal (oracle budget exhausted)");
  Trace out = m->trace;
  const std::string trace_text =
      absl::StrCat(PrintTrace(out), "# ", stats_line, "\n");

  std::string replay_path = p.Value("--output", "");
  const bool diff_finding = absl::StartsWith(m->verdict, "DIFF-");
  if (p.Has("--save") && diff_finding) {
    // corpus/regress holds spec verdicts (`lifecheck regress` compares the
    // spec's); an impl/spec difference is an impl bug to fix, not a case.
    std::cerr << "lifecheck: minimize --save: " << m->verdict
              << " is a difference between impl and spec, not a spec "
                 "verdict; corpus/regress cannot hold it (use -o)\n";
  } else if (p.Has("--save")) {
    absl::StatusOr<std::string> dir = CorpusRegressDir(p.Value("--corpus", ""));
    if (!dir.ok()) {
      std::cerr << "lifecheck: minimize --save: " << dir.status().message()
                << "\n";
      return kExitBadInput;
    }
    const std::string saved = RegressFileName(*dir, out);
    if (!WriteFile(saved, trace_text)) {
      std::cerr << "lifecheck: " << saved << ": cannot write\n";
      return kExitBadInput;
    }
    std::cerr << "saved " << saved << "\n";
    if (replay_path.empty()) replay_path = saved;
  }
  if (p.Has("--output") && !WriteFile(p.Value("--output", ""), trace_text)) {
    std::cerr << "lifecheck: " << p.Value("--output", "") << ": cannot write\n";
    return kExitBadInput;
  }

  absl::StatusOr<RunResult> r = RunTrace(out, "<minimized>");
  std::string report;
  if (r.ok() && Finding(*r) != Inv::kNone)
    report =
        FindingReport(out, *r, replay_path.empty() ? "OUT.trace" : replay_path);
  if (p.Has("--output") || p.Has("--save")) {
    if (!p.Has("--quiet")) std::cout << report;
    std::cout << stats_line << "\n";
  } else {
    // stdout is the trace; the report follows as comments so that
    // `lifecheck minimize X > min.trace` gives a replayable file.
    std::cout << trace_text;
    if (!p.Has("--quiet")) std::cout << Commented(report);
  }
  if (p.Has("--save") && diff_finding) return kExitBadInput;
  return s.one_minimal ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterMinimize(Command{
    "minimize", "[-o OUT] [--save] [--oracle O] [--max-oracle-calls N] INPUT",
    "shrink a failing trace to a 1-minimal one with the same finding",
    "\nINPUT is a text trace, or a binary trace: a diff_fuzzer libFuzzer or\n"
    "AFL++ crash file, decoded as the fuzzer did (LIFECHECK_CONFIG pins the\n"
    "configuration, harness/trace/binary_trace.h). The output fails with the "
    "SAME\n"
    "verdict (invariant ID or DEADLOCK) and is 1-minimal: removing any single\n"
    "call, deleting any single run of the schedule, or merging two runs of\n"
    "one thread (one context switch fewer) loses that verdict. Passes: cut\n"
    "the calls that never ran, delta debugging over calls, single-change\n"
    "sweep, then canonical form (schedule entries the sequential default\n"
    "takes anyway dropped, lowest object ids, smallest config sizes). Thread\n"
    "names of a text trace are kept: they name roles (T truncates, W writes\n"
    "back); a binary input's threads are renamed A, B, C... in order.\n"
    "\noptions:\n"
    "  -o, --output OUT      write the minimised trace to OUT (the report\n"
    "                        goes to stdout); without it the trace goes to\n"
    "                        stdout followed by the report as comments\n"
    "  --save                also write corpus/regress/<id>-min-<hash>.trace\n"
    "                        with its '# expect:' header\n"
    "  --corpus DIR          the corpus/regress directory for --save\n"
    "                        (default: found from the current directory\n"
    "                        upwards, then from the lifecheck binary upwards)\n"
    "  --oracle spec|diff    what 'fails the same way' is judged by: the\n"
    "                        spec replay (default), or the differential\n"
    "                        runner (spec vs impl, call by call; keeps\n"
    "                        DIFF-* findings; call-atomic schedules only)\n"
    "  --max-oracle-calls N  oracle budget (default 5000)\n"
    "  -q, --quiet           no interleaving table\n"
    "\nexit: 0 minimised and verified 1-minimal, 1 budget exhausted before\n"
    "1-minimality was verified, 2 bad input or an input that does not fail\n",
    CmdMinimize, 40});

}  // namespace
}  // namespace lifecheck::cli
