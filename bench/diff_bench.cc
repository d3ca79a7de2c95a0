// Differential lockstep throughput as a raw loop: fuzz inputs (a corpus, or
// random byte strings; see Inputs) decoded on the full world (fs=dax, every
// size at its maximum, mainline policies), run through the fuzz harness's
// path. "ops" = calls run in lockstep on the
// spec and the impl (DiffOutcome::calls_run), so the figure is comparable to
// the one under libFuzzer (LIFECHECK_FUZZ_STATS).
//
//   BM_FuzzPath     RunFuzzCalls: DiffRunner::RunFast with the caller
//                   contracts judged in the same pass (ill-formed calls
//                   skipped)
//   BM_DiffRunFast  DiffRunner::RunFast alone on the calls that run
//                   (contracts off)
//   BM_SpecPrepass  the spec alone: RunCallOrder with contracts (SpecExec)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "harness/findings/fuzz_target.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
#include "harness/trace/binary_trace.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

// The inputs: every file of the directory LIFECHECK_BENCH_CORPUS (a corpus
// libFuzzer grew: bench/run-diff-bench passes the one its libFuzzer run
// left, so both figures run the same kind of input); otherwise 4096 strings
// of 64 random call bytes, fixed seed (about 3 calls each before the
// contracts' cut: a per-input-cost figure).
std::vector<CallList> Inputs() {
  DecodeOptions opts;
  opts.pinned_config = NamedConfig("mainline-dax");
  std::vector<CallList> out;
  auto add = [&](const std::string& s) {
    out.push_back(DecodeCalls(reinterpret_cast<const uint8_t*>(s.data()),
                              s.size(), opts));
  };
  if (const char* dir = std::getenv("LIFECHECK_BENCH_CORPUS")) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::ifstream f(e.path(), std::ios::binary);
      add(std::string(std::istreambuf_iterator<char>(f), {}));
    }
    if (!out.empty()) return out;
    std::fprintf(stderr, "LIFECHECK_BENCH_CORPUS=%s has no file\n", dir);
    std::exit(2);
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 4096; ++i) {
    std::string s(BinaryHeaderSize() + 64, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    add(s);
  }
  return out;
}

// The spec's call-order run of l with contracts on.
CallOrderEnd CallOrderRun(const CallList& l) {
  SpecExec exec(l.config);
  return RunCallOrder(exec, l, nullptr, true);
}

void BM_FuzzPath(benchmark::State& state) {
  const std::vector<CallList> in = Inputs();
  long long ops = 0;
  size_t i = 0;
  for (auto _ : state) {
    ops += RunFuzzCalls(in[i++ % in.size()]).calls_run;
  }
  state.counters["ops/s"] =
      benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
  state.counters["calls/input"] =
      static_cast<double>(ops) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FuzzPath)->MinTime(2.0);

void BM_DiffRunFast(benchmark::State& state) {
  const std::vector<CallList> in = Inputs();
  std::vector<std::vector<ThreadCall>> calls;
  for (const CallList& l : in) {
    std::vector<ThreadCall> c;
    for (const ThreadCall& tc : CallOrderRun(l).run.calls)
      c.push_back({tc.thread, tc.call});
    calls.push_back(c);
  }
  DiffRunner r;
  long long ops = 0;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % in.size();
    r.RunFast(in[k].config, calls[k].data(), static_cast<int>(calls[k].size()));
    ops += r.last().calls_run;
  }
  state.counters["ops/s"] =
      benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DiffRunFast)->MinTime(2.0);

void BM_SpecPrepass(benchmark::State& state) {
  const std::vector<CallList> in = Inputs();
  long long ops = 0;
  size_t i = 0;
  for (auto _ : state) ops += CallOrderRun(in[i++ % in.size()]).calls_run;
  state.counters["ops/s"] =
      benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SpecPrepass)->MinTime(2.0);

}  // namespace
}  // namespace lifecheck

BENCHMARK_MAIN();
