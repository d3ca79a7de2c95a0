#include "harness/findings/fuzz_target.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "config/no_coverage.h"
#include "harness/findings/diff_report.h"
#include "harness/findings/report.h"
#include "harness/findings/sched_report.h"
#include "harness/run/call_order.h"
#include "harness/run/replay.h"
#include "harness/sched/sched_fuzz.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

// Counters for LIFECHECK_FUZZ_STATS; they never influence a run.
long long g_inputs = 0;
long long g_calls = 0;

void PrintStats() {
  std::fprintf(stderr, "lifecheck-fuzz-stats: inputs=%lld calls=%lld\n",
               g_inputs, g_calls);
}

// LIFECHECK_FIND: bit i set = Inv i aborts; all ones when unset.
uint64_t FindMask() {
  static const uint64_t kMask = [] {
    const char* env = std::getenv("LIFECHECK_FIND");
    if (!env || !*env) return ~uint64_t{0};
    uint64_t mask = 0;
    for (absl::string_view id : absl::StrSplit(env, ',')) {
      Inv inv;
      if (!ParseInvId(std::string_view(id.data(), id.size()), &inv)) {
        std::fprintf(stderr, "LIFECHECK_FIND: unknown invariant ID '%s'\n",
                     std::string(id).c_str());
        std::exit(2);
      }
      mask |= uint64_t{1} << static_cast<int>(inv);
    }
    return mask;
  }();
  return kMask;
}

void InitOnce() {
  static bool done = [] {
    ProcessDecodeOptions();
    FindMask();
    const char* s = std::getenv("LIFECHECK_FUZZ_STATS");
    if (s && std::string(s) == "1") std::atexit(PrintStats);
    return true;
  }();
  (void)done;
}

}  // namespace

const DecodeOptions& ProcessDecodeOptions() {
  static const DecodeOptions kOpts = [] {
    absl::StatusOr<DecodeOptions> o = DecodeOptionsFromEnv();
    if (!o.ok()) {
      std::fprintf(stderr, "LIFECHECK_CONFIG: %s\n",
                   std::string(o.status().message()).c_str());
      std::exit(2);
    }
    return *o;
  }();
  return kOpts;
}

impl::Faults ProcessFaults() {
  static const impl::Faults kFaults = [] {
    impl::Faults f;
    const char* env = std::getenv("LIFECHECK_FAULT");
    if (!env || !*env) return f;
    for (absl::string_view name : absl::StrSplit(env, ',')) {
      if (!AddFaultByName(std::string_view(name.data(), name.size()), &f)) {
        std::fprintf(stderr,
                     "LIFECHECK_FAULT: unknown fault '%s' (known: %s)\n",
                     std::string(name).c_str(), KnownFaultNames().c_str());
        std::exit(2);
      }
    }
    return f;
  }();
  return kFaults;
}

namespace {

std::vector<DiffCall> DiffCallsOf(const CallList& l, int n) {
  std::vector<DiffCall> calls;
  calls.reserve(n);
  for (int i = 0; i < n; ++i)
    calls.push_back({l.calls[i].thread, l.calls[i].call});
  return calls;
}

DiffRunner& ProcessRunner() {
  // One runner per process: it keeps its buffers between inputs (Run resets
  // every bit of state it reads, so inputs stay independent).
  static DiffRunner* runner = [] {
    auto* r = new DiffRunner();
    r->set_faults(ProcessFaults());
    r->set_caller_contracts(true);
    return r;
  }();
  return *runner;
}

}  // namespace

namespace {

// The runner's call sources: a decoded call list, or the decoder itself (the
// fuzz hot path decodes only the calls the run reaches).
class ListSource : public CallSource {
 public:
  explicit ListSource(const CallList& l) : l_(l) {}
  LC_NO_COVERAGE bool Next(DiffCall* out) override {
    if (i_ >= l_.calls.size()) return false;
    *out = {l_.calls[i_].thread, l_.calls[i_].call};
    ++i_;
    return true;
  }

 private:
  const CallList& l_;
  size_t i_ = 0;
};

class DecoderSource : public CallSource {
 public:
  explicit DecoderSource(CallDecoder& d) : d_(d) {}
  LC_NO_COVERAGE bool Next(DiffCall* out) override {
    ThreadCall tc;
    if (!d_.Next(&tc)) return false;
    *out = {tc.thread, tc.call};
    return true;
  }

 private:
  CallDecoder& d_;
};

// One pass: the runner checks each call's caller contract on the spec world
// before running it and skips an ill-formed call, so only well-formed calls
// run and every finding counts (RunCallOrder's rule,
// harness/run/call_contract.h).
LC_NO_COVERAGE FuzzVerdict RunFuzzSource(const Config& cfg, CallSource& src) {
  DiffRunner& r = ProcessRunner();
  const Inv inv = r.RunFast(cfg, src);
  return {inv, r.last().calls_run};
}

}  // namespace

FuzzVerdict RunFuzzCalls(const CallList& l) {
  ListSource src(l);
  return RunFuzzSource(l.config, src);
}

DiffOutcome RunFuzzCallsFull(const CallList& l) {
  return ProcessRunner().Run(l.config,
                             DiffCallsOf(l, static_cast<int>(l.calls.size())));
}

std::string FuzzFindingReport(const CallList& l, const FuzzVerdict& v) {
  (void)v;
  const DiffOutcome o = RunFuzzCallsFull(l);
  std::string report = DiffReport(o, "x.trace");
  const impl::Faults faults = ProcessFaults();
  // The crash file's name is known only to the engine: say how to use it.
  std::string env;
  if (ProcessDecodeOptions().pinned_config)
    env += "LIFECHECK_CONFIG=" + ProcessDecodeOptions().pin_name + " ";
  if (!FaultNames(faults).empty())
    env += "LIFECHECK_FAULT=" + FaultNames(faults) + " ";
  const std::string decode =
      absl::StrCat("decode: ", env, "lifecheck decode CRASH_FILE -o x.trace\n");
  const size_t at = report.rfind("replay: ");
  report.insert(at == std::string::npos ? 0 : at, decode);
  return report;
}

LC_NO_COVERAGE int DiffFuzzOneInput(const uint8_t* data, size_t size) {
  InitOnce();
  // RunFuzzCalls(DecodeCalls(...)), decoding as the run goes.
  CallDecoder dec(data, size, ProcessDecodeOptions());
  DecoderSource src(dec);
  const FuzzVerdict v = RunFuzzSource(dec.config(), src);
  ++g_inputs;
  g_calls += v.calls_run;
  if (v.inv == Inv::kNone || v.inv == Inv::kDeadlock) return 0;
  if (!((FindMask() >> static_cast<int>(v.inv)) & 1)) return 0;
  const CallList l = DecodeCalls(data, size, ProcessDecodeOptions());
  std::fputs(FuzzFindingReport(l, v).c_str(), stderr);
  std::fflush(stderr);
  std::abort();
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

int SchedFuzzOneInput(const uint8_t* data, size_t size) {
  const DecodeOptions& opts = ProcessDecodeOptions();
  sched::SchedFuzzRun r = sched::RunSchedInput(data, size, opts);
  const Inv inv = r.outcome.inv;
  if (inv == Inv::kNone || inv == Inv::kDeadlock) return 0;
  if (!r.contracts_held) return 0;
  sched::ExploreResult er;
  er.found = true;
  er.outcome = r.outcome;
  er.runs = 1;
  er.description = "sched_fuzzer input";
  std::cerr << sched::ExploreReport(r.trace, er, "CRASH.trace")
            << "decode: lifecheck decode-sched CRASH_FILE -o CRASH.trace\n"
            << "--- trace ---\n"
            << PrintTrace(r.trace) << std::flush;
  std::abort();
}

}  // namespace lifecheck
