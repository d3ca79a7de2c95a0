// `lifecheck encode`: a text trace as diff_fuzzer input bytes (seeds).
#include <fstream>
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "harness/run/call_order.h"
#include "harness/sched/sched_fuzz.h"
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
  // A scheduled trace becomes a sched_fuzzer input (its calls and the
  // choices of its impl-schedule), any other a diff_fuzzer input.
  const std::string bytes =
      t->judge == Judge::kSched ? sched::EncodeSchedInput(*t) : EncodeTrace(*t);
  return WriteOutput(p.Value("--output", ""), bytes) ? kExitOk : kExitBadInput;
}

const RegisterCommand kRegisterEncode(Command{
    "encode", "-o OUT FILE",
    "encode a text trace as diff_fuzzer or sched_fuzzer input bytes",
    "\nWrites the binary form (docs/trace-format.md) of the trace in FILE:\n"
    "for `judge: sched`, a sched_fuzzer input (the calls, then one choice\n"
    "byte per scheduling point of its impl-schedule); otherwise a\n"
    "diff_fuzzer input: its configuration and its calls in the order the\n"
    "schedule starts them (a schedule that interleaves inside calls is not\n"
    "kept: the binary form is call-ordered). Seeds for corpus/*_fuzzer.\n"
    "\nexit: 0 ok, 2 bad input\n",
    CmdEncode, 26});

}  // namespace
}  // namespace lifecheck::cli
