#include "harness/findings/fuzz_target.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "config/no_coverage.h"
#include "harness/findings/judge.h"
#include "harness/findings/report.h"
#include "harness/findings/sha1.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
#include "harness/sched/sched_fuzz.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"

namespace lifecheck {
namespace {

// Set once (FuzzInitialize, or the first input), read by every input.
struct Process {
  DecodeOptions decode;
  Faults faults;
  uint64_t find_mask = ~uint64_t{0};  // bit i set: Inv i aborts
  bool stats = false;
  // libFuzzer's artefact naming: the exact path, or prefix + "crash-" +
  // SHA-1. Empty `libfuzzer` when the engine's names are not known (AFL++,
  // or a binary run by hand without LLVMFuzzerInitialize).
  bool libfuzzer = false;
  std::string exact_path, prefix;
};

// Counters for LIFECHECK_FUZZ_STATS; they never influence a run.
long long g_inputs = 0;
long long g_calls = 0;

void PrintStats() {
  std::fprintf(stderr, "lifecheck-fuzz-stats: inputs=%lld calls=%lld\n",
               g_inputs, g_calls);
}

[[noreturn]] void EnvError(const std::string& msg) {
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::exit(2);
}

Process ReadEnvironment(const char* default_pin) {
  Process p;
  const char* pin = std::getenv("LIFECHECK_CONFIG");
  if (pin == nullptr && default_pin != nullptr) pin = default_pin;
  absl::StatusOr<DecodeOptions> o = ParseConfigPin(pin ? pin : "");
  if (!o.ok())
    EnvError(absl::StrCat("LIFECHECK_CONFIG: ", o.status().message()));
  p.decode = *o;
  if (const char* env = std::getenv("LIFECHECK_FAULT"); env && *env) {
    for (absl::string_view name : absl::StrSplit(env, ',')) {
      if (!AddFaultByName(std::string_view(name.data(), name.size()),
                          &p.faults))
        EnvError(absl::StrCat("LIFECHECK_FAULT: unknown fault '", name,
                              "' (known: ", KnownFaultNames(), ")"));
    }
  }
  if (const char* env = std::getenv("LIFECHECK_FIND"); env && *env) {
    p.find_mask = 0;
    for (absl::string_view id : absl::StrSplit(env, ',')) {
      Inv inv;
      if (!ParseInvId(std::string_view(id.data(), id.size()), &inv))
        EnvError(
            absl::StrCat("LIFECHECK_FIND: unknown invariant ID '", id, "'"));
      p.find_mask |= uint64_t{1} << static_cast<int>(inv);
    }
  }
  const char* s = std::getenv("LIFECHECK_FUZZ_STATS");
  p.stats = s != nullptr && std::string(s) == "1";
  return p;
}

Process* g_process = nullptr;

Process& TheProcess() {
  if (g_process == nullptr) {
    // A binary run without LLVMFuzzerInitialize (AFL++'s persistent driver
    // by hand): the environment only, no artefact names.
    g_process = new Process(ReadEnvironment(nullptr));
    if (g_process->stats) std::atexit(PrintStats);
  }
  return *g_process;
}

// The value of libFuzzer flag `-name=value` in argv, or "".
std::string FlagValue(int argc, char** argv, const char* name) {
  const std::string key = absl::StrCat("-", name, "=");
  std::string v;
  for (int i = 1; i < argc; ++i)
    if (absl::StartsWith(argv[i], key)) v = argv[i] + key.size();
  return v;
}

// The manifest of this run: what decodes its artefacts.
FuzzRun ThisRun(const Process& p, Harness h) {
  FuzzRun r;
  r.harness = h;
  if (p.decode.pinned_config) {
    r.pin = p.decode.pin_name;
    r.config = p.decode.pinned_config;
  }
  r.faults = p.faults;
  return r;
}

void WriteManifestOrWarn(const std::string& dir, const FuzzRun& r) {
  const absl::Status s = WriteManifest(dir, r);
  if (!s.ok())
    std::fprintf(stderr, "lifecheck: warning: %s\n",
                 std::string(s.message()).c_str());
}

// Where libFuzzer writes this input's crash file; "" if unknown.
std::string CrashPath(const Process& p, const uint8_t* data, size_t size) {
  if (!p.libfuzzer) return "";
  if (!p.exact_path.empty()) return p.exact_path;
  return absl::StrCat(p.prefix, "crash-", Sha1Hex(data, size));
}

// The end of a finding: the report, the sidecar, the trace, abort().
[[noreturn]] void ReportAndAbort(const Trace& t, const Judgement& j,
                                 const uint8_t* data, size_t size) {
  const Process& p = TheProcess();
  const std::string crash = CrashPath(p, data, size);
  std::string replay = "CRASH_FILE";
  if (!crash.empty()) {
    std::ofstream out(SidecarPath(crash), std::ios::binary);
    out << PrintTrace(t);
    out.close();
    if (out) replay = crash;
  }
  std::string report = RenderReport(ReportOf(t, j, replay));
  absl::StrAppend(&report, "--- trace (",
                  crash.empty() ? "" : SidecarPath(crash),
                  crash.empty() ? "not saved: decode the crash file with "
                                  "`lifecheck decode CRASH_FILE`"
                                : "",
                  ") ---\n", PrintTrace(t), "--- end of trace ---\n");
  std::fputs(report.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

DiffRunner& ProcessRunner() {
  // One runner per process: it keeps its buffers between inputs (Run resets
  // every bit of state it reads, so inputs stay independent).
  static DiffRunner* runner = [] {
    auto* r = new DiffRunner();
    r->set_faults(TheProcess().faults);
    r->set_caller_contracts(true);
    return r;
  }();
  return *runner;
}

// The decoder as the runner's call source: the fuzz hot path decodes only
// the calls the run reaches.
class DecoderSource : public CallSource {
 public:
  explicit DecoderSource(CallDecoder& d) : d_(d) {}
  LC_NO_COVERAGE bool Next(ThreadCall* out) override { return d_.Next(out); }

 private:
  CallDecoder& d_;
};

bool Reported(Inv inv) {
  if (inv == Inv::kNone || inv == Inv::kDeadlock) return false;
  return (TheProcess().find_mask >> static_cast<int>(inv)) & 1;
}

}  // namespace

FuzzVerdict RunFuzzCalls(const CallList& l) {
  ArraySource src(l.calls);
  DiffRunner& r = ProcessRunner();
  const Inv inv = r.RunFast(l.config, src);
  return {inv, r.last().calls_run};
}

void FuzzInitialize(int argc, char** argv, Harness harness,
                    const char* default_pin) {
  if (g_process != nullptr) return;
  g_process = new Process(ReadEnvironment(default_pin));
  Process& p = *g_process;
  if (p.stats) std::atexit(PrintStats);
  const FuzzRun run = ThisRun(p, harness);
  if (const char* afl_out = std::getenv("__AFL_OUT_DIR")) {
    // AFL++ names crash files itself: the manifest in its -o directory
    // decodes them.
    WriteManifestOrWarn(afl_out, run);
    return;
  }
  // libFuzzer saves artefacts when it fuzzes, not when it runs the files
  // it is given (a reproduction: `diff_fuzzer crash-...`); neither does
  // the harness then.
  p.libfuzzer = true;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (argv[i][0] != '-' && std::filesystem::is_regular_file(argv[i], ec))
      p.libfuzzer = false;
  }
  if (!p.libfuzzer) return;
  p.exact_path = FlagValue(argc, argv, "exact_artifact_path");
  p.prefix = FlagValue(argc, argv, "artifact_prefix");
  std::string dir;
  if (!p.exact_path.empty()) {
    dir = std::filesystem::path(p.exact_path).parent_path().string();
  } else if (!p.prefix.empty()) {
    dir = absl::EndsWith(p.prefix, "/")
              ? p.prefix
              : std::filesystem::path(p.prefix).parent_path().string();
  }
  // Only where the user put artefacts: never into the current directory.
  if (!dir.empty()) WriteManifestOrWarn(dir, run);
}

LC_NO_COVERAGE int DiffFuzzOneInput(const uint8_t* data, size_t size) {
  const Process& p = TheProcess();
  CallDecoder dec(data, size, p.decode);
  DecoderSource src(dec);
  DiffRunner& r = ProcessRunner();
  const Inv inv = r.RunFast(dec.config(), src);
  ++g_inputs;
  g_calls += r.last().calls_run;
  if (!Reported(inv)) return 0;
  // The finding's full run: the runner's self-describing trace.
  const CallList l = DecodeCalls(data, size, p.decode);
  Judgement j;
  j.diff = r.Run(l.config, l.calls);
  j.inv = j.diff->inv;
  ReportAndAbort(j.diff->trace, j, data, size);
}

int SchedFuzzOneInput(const uint8_t* data, size_t size) {
  const Process& p = TheProcess();
  sched::SchedFuzzRun r = sched::RunSchedInput(data, size, p.decode, p.faults);
  if (!Reported(r.outcome.inv) || !r.contracts_held) return 0;
  Judgement j;
  j.inv = r.outcome.inv;
  sched::ExploreResult e;
  e.found = true;
  e.outcome = r.outcome;
  e.runs = 1;
  e.description = "a sched_fuzzer input";
  e.found_trace = r.trace;
  j.sched = e;
  ReportAndAbort(r.trace, j, data, size);
}

int ParserFuzzOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Trace> t = ParseTrace(text, "input");
  if (!t.ok()) {
    // Bad input is reported with a position, never a crash.
    if (std::string(t.status().message()).rfind("input:", 0) != 0) {
      std::fprintf(stderr, "parser error without FILE:LINE:COL: %s\n",
                   std::string(t.status().message()).c_str());
      std::abort();
    }
    return 0;
  }
  // Canonical text round-trips (docs/trace-format.md "Canonical form").
  const std::string printed = PrintTrace(*t);
  absl::StatusOr<Trace> back = ParseTrace(printed, "printed");
  if (!back.ok() || !(*back == *t) || PrintTrace(*back) != printed) {
    std::fprintf(stderr, "print/parse round trip failed:\n%s\n%s\n",
                 printed.c_str(),
                 back.ok() ? "(different trace)"
                           : std::string(back.status().message()).c_str());
    std::abort();
  }
  return 0;
}

}  // namespace lifecheck
