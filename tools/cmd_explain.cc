// `lifecheck explain`: draw a run as an SVG (or HTML) picture.
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "harness/findings/explain.h"
#include "harness/run/replay.h"
#include "harness/trace/load_input.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdExplain(const Args& args) {
  const Command& c = *FindCommand("explain");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--svg"}, true}, {{"--html"}, true}, {{"--all-changes"}}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("explain: exactly one trace file expected", &c);
  if (!p.Has("--svg") && !p.Has("--html"))
    return UsageError("explain: give --svg OUT and/or --html OUT", &c);
  const std::string& path = p.operands[0];
  absl::StatusOr<Trace> t = LoadTraceInput(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<RunResult> r = RunTrace(*t, path);
  if (!r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  ExplainOptions opts;
  opts.all_changes = p.Has("--all-changes");
  opts.trace_path = path;
  for (const char* flag : {"--svg", "--html"}) {
    if (!p.Has(flag)) continue;
    const std::string out = p.Value(flag, "");
    const std::string text = std::string(flag) == "--svg"
                                 ? ExplainSvg(*t, *r, opts)
                                 : ExplainHtml(*t, *r, opts);
    if (!WriteFile(out, text)) {
      std::cerr << "lifecheck: " << out << ": cannot write\n";
      return kExitBadInput;
    }
    std::cout << "wrote " << out << "\n";
  }
  return Finding(*r) != Inv::kNone ? kExitFinding : kExitOk;
}

const RegisterCommand kRegisterExplain(Command{
    "explain", "[--svg OUT] [--html OUT] [--all-changes] TRACE",
    "draw the interleaving of a run as an SVG or HTML picture",
    "\nReplays TRACE on the spec and draws one lane per thread, each step as\n"
    "a box in its thread's lane in global order (arrows at context\n"
    "switches), the step's state changes on the right, and the violated\n"
    "invariant (ID and meaning) on its step and in a banner. Ghost\n"
    "bookkeeping fields (h_*, g_*) are hidden unless the finding is I-REF-1;\n"
    "--all-changes shows them. The SVG is self-contained (no scripts or\n"
    "external fonts); --html wraps it in a page with the trace text.\n"
    "\nexit: 0 clean run drawn, 1 finding drawn, 2 bad input\n",
    CmdExplain, 45});

}  // namespace
}  // namespace lifecheck::cli
