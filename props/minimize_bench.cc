// Benchmark of the minimiser (issue 6 item 5): a 1024-call failing trace
// whose root cause is 3 calls (corpus/regress/001-mkwrite-old-vs-writeback
// padded with 1021 neutral calls that all run before the race), minimised
// with the spec oracle. Prints oracle calls and the median wall time of
// --runs runs, and writes the padded trace (--write PATH) so that other
// minimisers can be run on the same input.
//
// With --encode PATH the padded trace is also written as a binary trace
// (harness/trace/binary_trace.h, the diff_fuzzer's input form: at most 128
// calls, call-ordered) and the benchmark minimises the trace that file decodes
// to, so libFuzzer -minimize_crash and afl-tmin can be run on the same crash
// file (docs/performance.md ("Minimiser")).
//
// usage: bench_minimize [--runs N] [--seed S] [--calls N] [--write PATH]
//                       [--encode PATH] [TRACE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "harness/findings/minimize.h"
#include "harness/run/call_order.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

int main(int argc, char** argv) {
  using namespace lifecheck;
  int runs = 11;
  uint64_t seed = 1;
  int calls = 1024;
  std::string encode, write,
      path = std::string(LIFECHECK_SOURCE_DIR) +
             "/corpus/regress/001-mkwrite-old-vs-writeback.trace";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = std::atoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--write" && i + 1 < argc)
      write = argv[++i];
    else if (a == "--encode" && i + 1 < argc)
      encode = argv[++i];
    else if (a == "--calls" && i + 1 < argc)
      calls = std::atoi(argv[++i]);
    else
      path = a;
  }
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
    return 2;
  }
  const int extra = calls - NumCalls(*t);
  absl::StatusOr<Trace> padded = PadTrace(*t, extra, seed, JudgeOracle());
  if (!padded.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(padded.status().message()).c_str());
    return 2;
  }
  if (!encode.empty()) {
    // The same crash file for every minimiser: the benchmark input is what
    // the bytes decode to.
    // Decoding drops the calls the run never reaches (after the finding):
    // pad more until the file holds `calls` calls.
    std::string bytes = EncodeTrace(*padded);
    auto decode = [&] {
      return DecodeTrace(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size(), DecodeOptions{});
    };
    Trace decoded = decode();
    if (const int missing = calls - NumCalls(decoded); missing > 0) {
      padded = PadTrace(*t, extra + missing, seed, JudgeOracle());
      if (!padded.ok()) return 2;
      bytes = EncodeTrace(*padded);
      decoded = decode();
    }
    std::ofstream(encode, std::ios::binary) << bytes;
    if (JudgeOracle()(decoded) != JudgeOracle()(*padded)) {
      std::fprintf(stderr,
                   "the binary form does not keep the finding (%s, "
                   "%d calls)\n",
                   JudgeOracle()(decoded).c_str(), NumCalls(decoded));
      return 2;
    }
    std::printf("crash file: %s (%zu bytes)\n", encode.c_str(), bytes.size());
    *padded = decoded;
  }
  if (!write.empty()) std::ofstream(write) << PrintTrace(*padded);
  std::vector<double> ms;
  MinimizeResult last;
  for (int r = 0; r < runs; ++r) {
    absl::StatusOr<MinimizeResult> m = Minimize(*padded, JudgeOracle());
    if (!m.ok()) return 2;
    ms.push_back(m->stats.seconds * 1e3);
    last = *m;
  }
  std::sort(ms.begin(), ms.end());
  const bool one_min = IsOneMinimal(last.trace, last.verdict, JudgeOracle());
  std::printf(
      "input: %s padded to %d calls (%zu schedule steps), verdict %s\n"
      "output: %d calls, 1-minimal %s (independent check: %s)\n"
      "oracle calls: %d (cache hits %d)\n"
      "wall time: median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n",
      path.c_str(), NumCalls(*padded), padded->schedule.size(),
      last.verdict.c_str(), NumCalls(last.trace),
      last.stats.one_minimal ? "yes" : "no", one_min ? "yes" : "no",
      last.stats.oracle_calls, last.stats.cache_hits, ms[ms.size() / 2],
      ms.front(), ms.back(), runs);
  std::printf("%s", PrintTrace(last.trace).c_str());
  return one_min && last.stats.oracle_calls <= 60 ? 0 : 1;
}
