// Benchmark of the minimiser (issue 6 item 5): a 1024-call failing trace
// whose root cause is 3 calls (corpus/regress/001-mkwrite-old-vs-writeback
// padded with 1021 neutral calls that all run before the race), minimised
// with the spec oracle. Prints oracle calls and the median wall time of
// --runs runs, and writes the padded trace (--write PATH) so that other
// minimisers can be run on the same input.
//
// usage: bench_minimize [--runs N] [--seed S] [--write PATH] [TRACE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "harness/minimize.h"
#include "harness/pad.h"
#include "harness/trace.h"

int main(int argc, char** argv) {
  using namespace lifecheck;
  int runs = 11;
  uint64_t seed = 1;
  std::string write, path = std::string(LIFECHECK_SOURCE_DIR) +
                            "/corpus/regress/001-mkwrite-old-vs-writeback.trace";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--write" && i + 1 < argc) write = argv[++i];
    else path = a;
  }
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
    return 2;
  }
  const int extra = 1024 - NumCalls(*t);
  absl::StatusOr<Trace> padded = PadTrace(*t, extra, seed, SpecOracle());
  if (!padded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(padded.status().message()).c_str());
    return 2;
  }
  if (!write.empty()) std::ofstream(write) << PrintTrace(*padded);
  std::vector<double> ms;
  MinimizeResult last;
  for (int r = 0; r < runs; ++r) {
    absl::StatusOr<MinimizeResult> m = Minimize(*padded, SpecOracle());
    if (!m.ok()) return 2;
    ms.push_back(m->stats.seconds * 1e3);
    last = *m;
  }
  std::sort(ms.begin(), ms.end());
  const bool one_min = IsOneMinimal(last.trace, last.verdict, SpecOracle());
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
