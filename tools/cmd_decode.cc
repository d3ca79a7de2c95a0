// `lifecheck decode`: a fuzzer input or crash file as the complete,
// self-describing text trace it stands for, with `# expect:` set to the
// verdict of its judge.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/findings/artefact.h"
#include "harness/findings/judge.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

int CmdDecode(const Args& args) {
  const Command& c = *FindCommand("decode");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--output", "-o"}, true},
                  {{"--harness"}, true},
                  {{"--config"}, true},
                  {{"--fault"}, true}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("decode: exactly one input file expected", &c);
  const std::string& path = p.operands[0];
  std::string how;
  absl::StatusOr<Trace> t;
  if (p.Has("--harness") || p.Has("--config") || p.Has("--fault")) {
    // Bytes that carry no description (a corpus entry from elsewhere):
    // decode them as the flags say.
    FuzzRun run;
    const std::string h = p.Value("--harness", "diff_fuzzer");
    if (h != "diff_fuzzer" && h != "sched_fuzzer")
      return UsageError("decode: --harness is diff_fuzzer or sched_fuzzer", &c);
    run.harness = h == "sched_fuzzer" ? Harness::kSched : Harness::kDiff;
    absl::StatusOr<DecodeOptions> pin = ParseConfigPin(p.Value("--config", ""));
    if (!pin.ok()) return UsageError(std::string(pin.status().message()), &c);
    if (pin->pinned_config) {
      run.config = pin->pinned_config;
      run.pin = pin->pin_name;
    }
    if (auto it = p.values.find("--fault"); it != p.values.end())
      for (const std::string& name : it->second)
        if (!AddFaultByName(name, &run.faults))
          return UsageError(absl::StrCat("decode: unknown fault '", name,
                                         "' (known: ", KnownFaultNames(), ")"),
                            &c);
    std::string bytes;
    if (!ReadFile(path, &bytes)) {
      std::cerr << path << ": cannot read\n";
      return kExitBadInput;
    }
    t = DecodeFuzzInput(bytes, run);
    how = "the flags given";
  } else {
    t = LoadArtefact(path, &how);
  }
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<Judgement> j = JudgeTrace(*t, path);
  if (!j.ok()) {
    std::cerr << InputError(j.status(), path) << "\n";
    return kExitBadInput;
  }
  t->expect = j->verdict();
  std::string text = PrintTrace(*t);
  const std::string out = p.Value("--output", "");
  const std::string origin = absl::StrCat("# decoded from ", path, " by ", how,
                                          "\n# replay: lifecheck run ",
                                          out.empty() ? path : out, "\n");
  // The comments go after the header and the expect line.
  const size_t header_end = text.find('\n') + 1;
  text.insert(text.find('\n', header_end) + 1, origin);
  if (out.empty()) {
    std::cout << text;
    return kExitOk;
  }
  const std::string tmp = out + ".tmp";
  if (!WriteOutput(tmp, text) || std::rename(tmp.c_str(), out.c_str())) {
    std::cerr << out << ": cannot write\n";
    return kExitBadInput;
  }
  return kExitOk;
}

const RegisterCommand kRegisterDecode(Command{
    "decode", "[-o OUT] FILE",
    "a fuzzer input or crash file as its complete text trace",
    "\nFILE is a fuzzer input or crash file (or a text trace). It is decoded\n"
    "the way the fuzzer that wrote it did, from the artefact alone: its\n"
    "FILE.trace sidecar, else the nearest lifecheck-fuzz.manifest (which\n"
    "harness, configuration pin and planted faults), else as a diff_fuzzer\n"
    "input of the free configuration (docs/fuzzing.md \"Artefacts\").\n"
    "Prints the trace with its `judge:` and `fault:` lines and '# expect:'\n"
    "set to its judge's verdict; `lifecheck run OUT` reproduces it.\n"
    "\noptions:\n"
    "  -o, --output OUT   write to OUT (atomically) instead of stdout\n"
    "  --harness H        for bytes that carry no sidecar or manifest:\n"
    "  --config PIN       decode as harness H (diff_fuzzer, sched_fuzzer)\n"
    "  --fault NAME       with configuration PIN (free, mainline, ...)\n"
    "                     and impl fault NAME planted (repeatable)\n"
    "\nexit: 0 decoded, 2 bad usage or unreadable file\n",
    CmdDecode, 25});

}  // namespace
}  // namespace lifecheck::cli
