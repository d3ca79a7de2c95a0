// `lifecheck decode`: a fuzzer input (libFuzzer or AFL++ crash file, corpus
// entry) as the text trace it stands for, with `# expect:` set to the verdict
// `lifecheck run` gives it.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/binary_trace.h"
#include "harness/call_order.h"
#include "harness/fuzz_target.h"
#include "harness/replay.h"
#include "harness/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

bool ReadBytes(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f),
              std::istreambuf_iterator<char>());
  return !f.bad();
}

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
  if (!ReadBytes(path, &bytes)) {
    std::cerr << path << ": cannot read\n";
    return kExitBadInput;
  }
  const CallList l = DecodeCalls(reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size(), *opts);
  Trace t = TraceOfCalls(l);
  absl::StatusOr<RunResult> r = RunTrace(t, path);
  if (!r.ok()) {  // cannot happen: the decoded schedule is valid by design
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  t.expect = Verdict(*r);
  std::string text = PrintTrace(t);
  // A comment after the header says where the trace came from.
  const std::string origin = absl::StrCat(
      "# decoded from ", path, " (", bytes.size(), " bytes",
      opts->pinned_config ? ", config pinned to " + opts->pin_name : "",
      ", ", FuzzCallsVerdictText(l), ")\n");
  text.insert(text.find('\n') + 1, origin);
  if (p.Has("--output")) {
    const std::string out = p.Value("--output", "");
    const std::string tmp = out + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!(f << text) || !(f.close(), f) || std::rename(tmp.c_str(), out.c_str())) {
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
    "docs/trace-format.md). Prints the trace they decode to, with\n"
    "'# expect:' set to the verdict of 'lifecheck run' on it; the replay\n"
    "is then `lifecheck run OUT` (`lifecheck run --diff OUT` for the\n"
    "differential verdict).\n"
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
