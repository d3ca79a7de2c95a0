// `lifecheck decode-sched` / `encode-sched`: sched_fuzzer inputs <-> text
// traces with an impl-schedule: line (harness/sched/sched_fuzz.h).
#include <iostream>
#include <string>

#include "harness/sched/sched_fuzz.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdDecodeSched(const Args& args) {
  const Command& c = *FindCommand("decode-sched");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--output", "-o"}, true}, {{"--config"}, true}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("decode-sched: exactly one input file expected", &c);
  const std::string& path = p.operands[0];
  std::string bytes;
  if (!ReadFile(path, &bytes)) {
    std::cerr << "lifecheck: decode-sched: " << path << ": cannot read\n";
    return kExitBadInput;
  }
  absl::StatusOr<DecodeOptions> opts = ParseConfigPin(p.Value("--config", ""));
  if (!opts.ok()) {
    std::cerr << "lifecheck: decode-sched: " << opts.status().message() << "\n";
    return kExitBadInput;
  }
  sched::SchedFuzzRun r = sched::RunSchedInput(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), *opts);
  const std::string text =
      "lifecheck-trace v1\n# decoded from the sched_fuzzer input " + path +
      "\n# replay: lifecheck explore FILE --strategy replay\n" +
      PrintTrace(r.trace).substr(std::string("lifecheck-trace v1\n").size());
  const std::string out = p.Value("--output", "");
  if (out.empty()) {
    std::cout << text;
  } else if (!WriteFile(out, text)) {
    std::cerr << "lifecheck: decode-sched: cannot write " << out << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

int CmdEncodeSched(const Args& args) {
  const Command& c = *FindCommand("encode-sched");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--output", "-o"}, true}}, &p, &rc)) return rc;
  if (p.operands.size() != 1 || !p.Has("--output"))
    return UsageError("encode-sched: FILE and -o OUT expected", &c);
  const std::string& path = p.operands[0];
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  return WriteFile(p.Value("--output", ""), sched::EncodeSchedInput(*t))
             ? kExitOk
             : kExitBadInput;
}

const RegisterCommand kRegisterDecodeSched(Command{
    "decode-sched", "FILE [-o OUT] [--config PIN]",
    "a sched_fuzzer input as a text trace with impl-schedule:",
    "\nRuns the input as sched_fuzzer does (harness/sched/sched_fuzz.h:\n"
    "[len_lo len_hi] binary trace, then one choice byte per scheduling\n"
    "point with more than one runnable thread) and prints the trace: the\n"
    "calls, the run's impl-schedule (and its spec schedule when the steps\n"
    "did not overlap), expect = the run's verdict. `lifecheck explore OUT\n"
    "--strategy replay` reproduces the run point for point.\n"
    "\noptions:\n  -o, --output OUT  write the trace there\n"
    "  --config PIN      as LIFECHECK_CONFIG for the fuzzer (mainline ...)\n"
    "\nexit: 0 decoded, 2 unreadable input or bad --config\n",
    CmdDecodeSched, 62});

const RegisterCommand kRegisterEncodeSched(Command{
    "encode-sched", "FILE -o OUT",
    "a trace with impl-schedule: as a sched_fuzzer input (seeds)",
    "\nThe inverse of decode-sched for traces whose threads are named in\n"
    "order (A, B, ...): the calls thread by thread, then the choice byte of\n"
    "each impl-schedule decision where more than one thread could run.\n"
    "\nexit: 0 written, 2 bad input\n",
    CmdEncodeSched, 63});

}  // namespace
}  // namespace lifecheck::cli
