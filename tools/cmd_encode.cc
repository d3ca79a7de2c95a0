// `lifecheck encode`: a text trace as diff_fuzzer input bytes (seeds).
#include <fstream>
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdEncode(const Args& args) {
  const Command& c = *FindCommand("encode");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--output", "-o"}, true}}, &p, &rc)) return rc;
  if (p.operands.size() != 1 || !p.Has("--output"))
    return UsageError("encode: one trace file and -o OUT expected", &c);
  absl::StatusOr<Trace> t = ReadTraceFile(p.operands[0]);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), p.operands[0]) << "\n";
    return kExitBadInput;
  }
  const std::string out = p.Value("--output", "");
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  if (!(f << EncodeTrace(*t))) {
    std::cerr << out << ": cannot write\n";
    return kExitBadInput;
  }
  return kExitOk;
}

const RegisterCommand kRegisterEncode(Command{
    "encode", "-o OUT FILE", "encode a text trace as fuzzer input bytes",
    "\nWrites the binary form (docs/trace-format.md) of the trace in FILE:\n"
    "its configuration and its calls in the order the schedule starts\n"
    "them (a schedule that interleaves inside calls is not kept: the\n"
    "binary form is call-ordered). `lifecheck decode OUT` gives back a\n"
    "call-ordered trace.\n\nexit: 0 ok, 2 bad input\n",
    CmdEncode, 26});

}  // namespace
}  // namespace lifecheck::cli
