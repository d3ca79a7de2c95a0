// `lifecheck decode`: a fuzzer input (libFuzzer or AFL++ crash file, corpus
// entry) as the text trace it stands for, with `# expect:` set to the verdict
// `lifecheck run` gives it.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/findings/fuzz_target.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
#include "harness/run/replay.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdDecode(const Args& args) {
  const Command& c = *FindCommand("decode");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{{"--output", "-o"}, true}, {{"--config"}, true}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("decode: exactly one input file expected", &c);
  const std::string& path = p.operands[0];
  // The same pin the fuzzer ran with: --config, else LIFECHECK_CONFIG.
  absl::StatusOr<DecodeOptions> opts =
      p.Has("--config") ? ParseConfigPin(p.Value("--config", ""))
                        : DecodeOptionsFromEnv();
  if (!opts.ok()) return UsageError(std::string(opts.status().message()), &c);
  std::string bytes;
  if (!ReadFile(path, &bytes)) {
    std::cerr << path << ": cannot read\n";
    return kExitBadInput;
  }
  const CallList l = DecodeCalls(reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size(), *opts);
  Trace t = TraceOfCalls(l);
  // The verdict the differential runner gives (what the fuzzer saw), and the
  // spec's own (`lifecheck run` without --diff) if it differs.
  const DiffOutcome o = RunFuzzCallsFull(l);
  t.expect = DiffVerdict(o);
  absl::StatusOr<RunResult> r = RunTrace(t, path);
  if (!r.ok()) {  // cannot happen: the decoded schedule is valid by design
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  std::string text = PrintTrace(t);
  std::string origin =
      absl::StrCat("# decoded from ", path, " (", bytes.size(), " bytes)\n");
  if (opts->pinned_config)
    absl::StrAppend(&origin, "# config pinned to ", opts->pin_name, "\n");
  if (!FaultNames(ProcessFaults()).empty())
    absl::StrAppend(&origin, "# impl faults planted: LIFECHECK_FAULT=",
                    FaultNames(ProcessFaults()), "\n");
  if (Verdict(*r) != t.expect)
    absl::StrAppend(&origin, "# spec alone (lifecheck run without --diff): ",
                    Verdict(*r), "\n");
  absl::StrAppend(&origin, "# replay: lifecheck run --diff",
                  FaultFlags(ProcessFaults()), " FILE\n");
  // The comments go after the header and the expect line.
  const size_t header_end = text.find('\n') + 1;
  text.insert(text.find('\n', header_end) + 1, origin);
  if (p.Has("--output")) {
    const std::string out = p.Value("--output", "");
    const std::string tmp = out + ".tmp";
    if (!WriteFile(tmp, text) || std::rename(tmp.c_str(), out.c_str())) {
      std::cerr << out << ": cannot write\n";
      return kExitBadInput;
    }
  } else {
    std::cout << text;
  }
  return kExitOk;
}

const RegisterCommand kRegisterDecode(Command{
    "decode", "[-o OUT] [--config CFG] FILE",
    "decode a fuzzer input (crash file) to a text trace",
    "\nFILE holds the bytes of a diff_fuzzer input (the binary trace form,\n"
    "docs/trace-format.md). Prints the call-ordered trace they decode to\n"
    "(without the calls that break a caller contract, which the fuzzer\n"
    "skips), with '# expect:' set to the differential runner's\n"
    "verdict; the replay is `lifecheck run --diff OUT`. Honours\n"
    "LIFECHECK_FAULT like the fuzzer (a comment records it, and the replay\n"
    "comment plants the faults again: --fault NAME).\n"
    "\noptions:\n"
    "  -o, --output OUT  write to OUT (atomically) instead of stdout\n"
    "  --config CFG      the configuration pin the fuzzer ran with:\n"
    "                    free, mainline, mainline-dax, mainline-disk,\n"
    "                    mainline-libfs or a trace file (default: the\n"
    "                    LIFECHECK_CONFIG environment variable, else free)\n"
    "\nexit: 0 decoded, 2 bad usage or unreadable file\n",
    CmdDecode, 25});

}  // namespace
}  // namespace lifecheck::cli
