// `lifecheck explain`: draw a run, judged by its own judge, as an SVG (or
// HTML) picture.
#include <iostream>
#include <string>

#include "harness/findings/explain.h"
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
  std::optional<Judged> in = LoadJudged(path, &rc);
  if (!in) return rc;
  ExplainOptions opts;
  opts.all_changes = p.Has("--all-changes");
  opts.trace_path = path;
  for (const char* flag : {"--svg", "--html"}) {
    if (!p.Has(flag)) continue;
    const std::string out = p.Value(flag, "");
    const std::string text = std::string(flag) == "--svg"
                                 ? ExplainSvg(in->trace, in->judgement, opts)
                                 : ExplainHtml(in->trace, in->judgement, opts);
    if (!WriteOutput(out, text)) return kExitBadInput;
    std::cout << "wrote " << out << "\n";
  }
  return in->judgement.inv != Inv::kNone ? kExitFinding : kExitOk;
}

const RegisterCommand kRegisterExplain(Command{
    "explain", "[--svg OUT] [--html OUT] [--all-changes] TRACE",
    "draw the interleaving of a run as an SVG or HTML picture",
    "\nJudges TRACE (a text trace or crash file) by its own `judge:` line and\n"
    "draws it. The spec: one lane per thread, each step as a box in its\n"
    "thread's lane in global order (arrows at context switches), the step's\n"
    "state changes on the right, and the violated invariant (ID and\n"
    "meaning) on its step and in a banner. The differential runner: the\n"
    "spec's steps with an `impl` lane beside them — a box per call the impl\n"
    "agreed on, and at the call where the two part, what the impl did and\n"
    "the fields that differ (spec -> impl). The controlled scheduler: one\n"
    "row per spec step boundary the impl passed, with the scheduling points\n"
    "each thread ran to reach it, and the impl-schedule. Ghost bookkeeping\n"
    "fields (h_*, g_*) are hidden unless the finding is I-REF-1;\n"
    "--all-changes shows them. The SVG is self-contained (no scripts or\n"
    "external fonts); --html wraps it in a page with the trace text.\n"
    "\nexit: 0 clean run drawn, 1 finding drawn, 2 bad input\n",
    CmdExplain, 45});

}  // namespace
}  // namespace lifecheck::cli
