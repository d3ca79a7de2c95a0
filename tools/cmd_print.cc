// `lifecheck print`: a trace in canonical form.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdPrint(const Args& args) {
  const Command& c = *FindCommand("print");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {}, &p, &rc)) return rc;
  if (p.operands.size() != 1)
    return UsageError("print: exactly one trace file expected", &c);
  absl::StatusOr<Trace> t = ReadTraceFile(p.operands[0]);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), p.operands[0]) << "\n";
    return kExitBadInput;
  }
  const std::string text = PrintTrace(*t);
  std::cout << text << (absl::EndsWith(text, "\n") ? "" : "\n");
  return kExitOk;
}

const RegisterCommand kRegisterPrint(Command{
    "print", "FILE", "print a trace in canonical form",
    "\nParses FILE and prints it back in the canonical text form, which\n"
    "parses to the same trace.\n\nexit: 0 ok, 2 bad input\n",
    CmdPrint, 30});

}  // namespace
}  // namespace lifecheck::cli
