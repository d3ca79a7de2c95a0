#include "props/pad.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "spec/exec.h"
#include "spec/program.h"

namespace lifecheck {
namespace {

constexpr size_t kMaxCallsPerThread = 1000;  // the trace format's limit

Call MakeCall(Op op, int arg) {
  Call c;
  c.op = op;
  c.args[0] = static_cast<int16_t>(arg);
  return c;
}

absl::StatusOr<Trace> PadOnce(const Trace& t, int extra, std::mt19937_64& rng) {
  const Config& cfg = t.config;
  Trace out;
  out.config = cfg;
  out.judge = t.judge;
  out.faults = t.faults;
  // A scheduled trace with a spec schedule is then judged through the
  // impl's step markers: its impl-schedule does not fit the padded run.
  out.expect = t.expect;
  out.thread_names = t.thread_names;
  const int orig = static_cast<int>(t.threads.size());
  // New threads P0, P1, ... up to kMaxThreads (names not already taken).
  for (int i = 0; static_cast<int>(out.thread_names.size()) < kMaxThreads;
       ++i) {
    const std::string name = absl::StrCat("P", i);
    if (std::find(t.thread_names.begin(), t.thread_names.end(), name) ==
        t.thread_names.end())
      out.thread_names.push_back(name);
  }
  const int nthreads = static_cast<int>(out.thread_names.size());
  std::vector<std::vector<Call>> pad(nthreads);
  std::uniform_int_distribution<int> pick_thread(0, nthreads - 1);
  std::uniform_int_distribution<int> pick_dentry(0, cfg.files);
  std::uniform_int_distribution<int> pick_file(1, std::max(1, cfg.files));
  int left = extra;
  while (left > 0) {
    const int th = pick_thread(rng);
    const size_t have = pad[th].size() + (th < orig ? t.threads[th].size() : 0);
    if (have + 2 > kMaxCallsPerThread) {
      bool room = false;
      for (int k = 0; k < nthreads; ++k)
        room |= pad[k].size() + (k < orig ? t.threads[k].size() : 0) + 2 <=
                kMaxCallsPerThread;
      if (!room) return absl::ResourceExhaustedError("padding does not fit");
      continue;
    }
    const bool inode = cfg.files > 0 && (rng() & 1);
    if (inode) {
      const int f = pick_file(rng);
      pad[th].push_back(MakeCall(Op::kIgrab, f));
      if (left >= 2) pad[th].push_back(MakeCall(Op::kIput, f));
    } else {
      const int d = pick_dentry(rng);
      pad[th].push_back(MakeCall(Op::kLookup, d));
      if (left >= 2) pad[th].push_back(MakeCall(Op::kDput, d));
    }
    left -= std::min(left, 2);
  }
  // Threads: padding first, then the original calls.
  std::vector<int> renum(nthreads, -1);
  for (int th = 0; th < nthreads; ++th) {
    std::vector<Call> calls = pad[th];
    if (th < orig)
      calls.insert(calls.end(), t.threads[th].begin(), t.threads[th].end());
    if (calls.empty() && (th >= orig || t.loop(th).empty())) continue;
    renum[th] = static_cast<int>(out.threads.size());
    out.threads.push_back(std::move(calls));
  }
  // A lasso keeps its loops and cycle: the padding runs before the cycle.
  if (!t.loops.empty()) {
    out.loops.assign(out.threads.size(), {});
    for (int th = 0; th < orig; ++th)
      if (renum[th] >= 0) out.loops[renum[th]] = t.loop(th);
  }
  std::vector<std::string> names;
  for (int th = 0; th < nthreads; ++th)
    if (renum[th] >= 0) names.push_back(out.thread_names[th]);
  out.thread_names = names;
  // The padding's schedule, by simulation (an op's step count depends on
  // the state: dput's fast path is one step): padding calls of random
  // threads, each run to its return.
  std::vector<int> left_calls;
  for (int th = 0; th < nthreads; ++th)
    if (renum[th] >= 0) left_calls.push_back(static_cast<int>(pad[th].size()));
  SpecExec exec(cfg, out.threads);
  while (true) {
    std::vector<int> ready;
    for (size_t th = 0; th < left_calls.size(); ++th)
      if (left_calls[th] > 0) ready.push_back(static_cast<int>(th));
    if (ready.empty()) break;
    const int th = ready[rng() % ready.size()];
    --left_calls[th];
    while (true) {
      if (exec.finished() || !exec.enabled(th))
        return absl::AbortedError("padding blocked");
      out.schedule.push_back(th);
      if (exec.step(th).call_returned) break;
    }
  }
  for (int th : t.schedule) out.schedule.push_back(renum[th]);
  for (int th : t.cycle) out.cycle.push_back(renum[th]);
  return out;
}

}  // namespace

absl::StatusOr<Trace> PadTrace(const Trace& t, int extra, uint64_t seed,
                               const Oracle& oracle) {
  const std::string want = oracle(t);
  std::mt19937_64 rng(seed);
  for (int attempt = 0; attempt < 20; ++attempt) {
    absl::StatusOr<Trace> p = PadOnce(t, extra, rng);
    if (!p.ok()) return p.status();
    if (oracle(*p) == want) return p;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("no padding of ", extra, " calls kept the verdict ", want));
}

}  // namespace lifecheck
