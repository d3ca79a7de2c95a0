// rapidcheck properties of the minimiser (harness/findings/minimize.h), checked
// independently of the minimiser's own bookkeeping:
//   - the output fails with the same verdict as the input;
//   - the output is 1-minimal (IsOneMinimal, asked of the oracle afresh);
//   - the output has no more calls than the input;
//   - minimising the output gives the output back (idempotent).
// Inputs: a corpus finding, padded with neutral calls, plus a few random
// calls anywhere (which may change the finding: any failing verdict will do).
// A failing case is written to a file whose path and replay command the
// rapidcheck log prints.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"
#include "props/pad.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace lifecheck {
namespace {

const std::vector<Trace>& CorpusFindings() {
  static const std::vector<Trace>* traces = [] {
    auto* out = new std::vector<Trace>;
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(
             std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress"))
      if (e.path().extension() == ".trace") paths.push_back(e.path().string());
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
      absl::StatusOr<Trace> t = ReadTraceFile(p);
      // Impl-schedule traces are the impl's verdict (harness/sched/).
      if (t.ok() && !t->expect.empty() && t->expect != "clean" &&
          t->impl_schedule.empty())
        out->push_back(*t);
    }
    return out;
  }();
  return *traces;
}

// A random call valid under `cfg` (nullopt-like false if none found).
bool RandomCall(const Config& cfg, std::mt19937_64& rng, Call* out) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    Call c;
    c.op = static_cast<Op>(rng() % static_cast<int>(Op::kCount));
    for (int k = 0; k < kMaxArgs; ++k)
      c.args[k] = static_cast<int16_t>(rng() % 5);
    if (ValidateCall(c, cfg).empty()) {
      *out = c;
      return true;
    }
  }
  return false;
}

// Writes `t` next to the test binary and returns the replay hint.
std::string Dump(const Trace& t, const std::string& what) {
  const std::string path = std::string(LIFECHECK_BINARY_DIR) +
                           "/minimize_props_failure_" + what + ".trace";
  std::ofstream(path) << PrintTrace(t);
  return "input written to " + path + "\nreplay: lifecheck minimize " + path;
}

RC_GTEST_PROP(MinimizeProps, SameIdOneMinimalNoLongerIdempotent, ()) {
  const std::vector<Trace>& corpus = CorpusFindings();
  RC_ASSERT(!corpus.empty());
  const size_t which = *rc::gen::inRange<size_t>(0, corpus.size());
  const int pad = *rc::gen::inRange(0, 40);
  const int noise = *rc::gen::inRange(0, 4);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();

  Trace t = corpus[which];
  t.expect.clear();
  if (pad > 0) {
    absl::StatusOr<Trace> p = PadTrace(t, pad, seed, JudgeOracle());
    RC_PRE(p.ok());
    t = *p;
  }
  std::mt19937_64 rng(seed);
  for (int i = 0; i < noise; ++i) {
    Call c;
    if (!RandomCall(t.config, rng, &c)) break;
    auto& calls = t.threads[rng() % t.threads.size()];
    if (calls.size() >= 1000) break;
    calls.insert(calls.begin() + rng() % (calls.size() + 1), c);
  }
  const std::string verdict = JudgeOracle()(t);
  RC_PRE(verdict != "clean" && verdict != kInvalidVerdict);
  RC_TAG(verdict);

  absl::StatusOr<MinimizeResult> m = Minimize(t, JudgeOracle());
  if (!m.ok()) RC_LOG() << Dump(t, "error") << "\n";
  RC_ASSERT(m.ok());
  const Trace& out = m->trace;

  const std::string got = JudgeOracle()(out);
  const bool one_min = IsOneMinimal(out, verdict, JudgeOracle());
  const bool no_longer = NumCalls(out) <= NumCalls(t);
  absl::StatusOr<MinimizeResult> again = Minimize(out, JudgeOracle());
  const bool idempotent = again.ok() && again->trace == out;
  if (got != verdict || !one_min || !no_longer || !idempotent) {
    RC_LOG() << "verdict " << verdict << " -> " << got
             << (one_min ? "" : "; not 1-minimal")
             << (no_longer ? "" : "; longer")
             << (idempotent ? "" : "; not idempotent") << "\n"
             << Dump(t, "input") << "\nminimised:\n"
             << PrintTrace(out);
  }
  RC_ASSERT(got == verdict);
  RC_ASSERT(m->stats.one_minimal);
  RC_ASSERT(one_min);
  RC_ASSERT(no_longer);
  RC_ASSERT(idempotent);
}

}  // namespace
}  // namespace lifecheck
