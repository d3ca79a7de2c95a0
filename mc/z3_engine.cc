// The Z3 model-checking engines behind `lifecheck check --engine NAME`.
//
//   z3      proofs and counterexamples. With no --bound: first the proof by
//           an inductive invariant (mc/z3_prove.h: learned from the
//           reachable worlds, checked over the spec's step code, printed as
//           a certificate); if there is a counterexample, or no proof in
//           time, BMC (mc/z3_bmc.h) finds Z3's own shortest witness (at
//           the length the sample's BFS found) or explores in the time
//           left. With --bound K: BMC to K.
//   z3-bmc  BMC alone (--prove adds k-induction): the encoding the proofs
//           replaced, kept for comparisons (docs/performance.md).
// Both read McOptions bound, prove, por, symmetry (BMC's reductions),
// timeout_s, z3_rlimit (BMC's queries), progress; they ignore bfs and
// max_states.
#include <chrono>

#include "mc/engine.h"
#include "mc/z3_bmc.h"
#include "mc/z3_prove.h"

namespace lifecheck {
namespace {

Z3Options BmcOptions(const McOptions& opts) {
  Z3Options z;
  z.bound = opts.bound;
  z.prove = opts.prove;
  z.enc.por = opts.por;
  z.enc.symmetry = opts.symmetry;
  z.timeout_s = opts.timeout_s;
  z.rlimit = opts.z3_rlimit;
  z.progress = opts.progress;
  return z;
}

McResult RunBmc(const Trace& problem, const McOptions& opts) {
  return CheckZ3Bmc(problem, BmcOptions(opts));
}

McResult CheckZ3(const Trace& problem, const McOptions& opts) {
  if (opts.bound > 0) return CheckZ3Bmc(problem, BmcOptions(opts));
  const auto t0 = std::chrono::steady_clock::now();
  ProveOptions p;
  p.timeout_s = opts.timeout_s;
  p.progress = opts.progress;
  McResult proof = ProveByInvariant(problem, p);
  if (proof.verdict == McVerdict::kProved) return proof;
  Z3Options z = BmcOptions(opts);
  if (opts.timeout_s > 0) {
    z.timeout_s = opts.timeout_s - std::chrono::duration<double>(
                                       std::chrono::steady_clock::now() - t0)
                                       .count();
    if (z.timeout_s <= 0) return proof;
  }
  // A counterexample of the sample's BFS: BMC asks for one of its length
  // (a shortest one) without the shorter bounds.
  if (proof.verdict == McVerdict::kCounterexample && !z.prove)
    z.first_bound = proof.bound;
  McResult bmc = CheckZ3Bmc(problem, z);
  bmc.seconds += proof.seconds;
  // The proof's figures first, then BMC's.
  for (auto& [k, v] : proof.stats) k = "invariant: " + k;
  bmc.stats.insert(bmc.stats.begin(), proof.stats.begin(), proof.stats.end());
  return bmc;
}

const RegisterMcEngine kZ3("z3", &CheckZ3);
const RegisterMcEngine kZ3Bmc("z3-bmc", &RunBmc);

}  // namespace
}  // namespace lifecheck
