#include "mc/z3_bmc.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/spec_run.h"
#include "mc/sym_domain.h"

namespace lifecheck {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// "" = Z3's default solver; "bv-sat" = bit-blast to Z3's SAT solver (needs
// bit-vector integers, Z3Options::bits); else a logic name ("QF_LIA").
z3::solver MakeSolver(z3::context& ctx, const std::string& logic) {
  if (logic.empty()) return z3::solver(ctx);
  if (logic == "bv-sat")
    return (z3::tactic(ctx, "simplify") & z3::tactic(ctx, "propagate-values") &
            z3::tactic(ctx, "solve-eqs") & z3::tactic(ctx, "bit-blast") &
            z3::tactic(ctx, "sat"))
        .mk_solver();
  return z3::solver(ctx, logic.c_str());
}

// The assertions of one unrolling. Incremental mode keeps one solver and
// wraps each query in push/pop; otherwise every query runs on a fresh solver
// (Z3 then preprocesses the whole formula: solve-eqs inlines the frame
// equalities, which its incremental core cannot do).
class Unrolling {
 public:
  Unrolling(z3::context& ctx, const std::string& logic, bool incremental)
      : ctx_(ctx),
        logic_(logic),
        incremental_(incremental),
        solver_(MakeSolver(ctx, logic)),
        all_(ctx) {}
  void add(const z3::expr& e) {
    all_.push_back(e);
    if (incremental_) solver_.add(e);
  }
  // Satisfiability of the assertions and `query`; the model of a sat answer
  // is kept for model().
  z3::check_result check(const z3::expr& query, unsigned timeout_ms) {
    if (!incremental_) {
      solver_ = MakeSolver(ctx_, logic_);
      for (unsigned i = 0; i < all_.size(); ++i) solver_.add(all_[i]);
    } else {
      solver_.push();
    }
    if (timeout_ms) solver_.set("timeout", timeout_ms);
    solver_.add(query);
    const z3::check_result r = solver_.check();
    if (r == z3::sat) model_.emplace(solver_.get_model());
    if (incremental_) solver_.pop();
    return r;
  }
  const z3::model& model() const { return *model_; }

 private:
  z3::context& ctx_;
  std::string logic_;
  bool incremental_;
  z3::solver solver_;
  z3::expr_vector all_;
  std::optional<z3::model> model_;
};

std::string Fmt(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

// The witness of a satisfiable bound k: the schedule of frames 0..k-1 and the
// finding at frame k, cross-checked on the concrete spec. Returns false (with
// a message) if the replay disagrees: an engine bug.
bool BuildWitness(const Z3Encoding& enc, const std::vector<Frame>& frames,
                  int k, const z3::model& model, const Trace& problem,
                  McResult& out, std::string& error) {
  Trace cex = problem;
  cex.schedule.clear();
  cex.schedule_pos.clear();
  for (int j = 0; j < k; ++j)
    cex.schedule.push_back(model.eval(frames[j].sched, true).get_numeral_int());
  const int code =
      model.eval(frames[k].v[enc.violation_field()], true).get_numeral_int();
  const Inv inv = code != 0 ? static_cast<Inv>(code) : Inv::kDeadlock;
  cex.expect = std::string(InvId(inv));
  absl::StatusOr<RunResult> run = RunTrace(cex, "<z3 witness>");
  if (!run.ok()) {
    error = "witness does not replay: " + std::string(run.status().message());
    return false;
  }
  if (Finding(*run) != inv || static_cast<int>(run->steps.size()) != k) {
    error = "Z3 says " + std::string(InvId(inv)) + " after " +
            std::to_string(k) + " steps, the concrete replay says " +
            Verdict(*run) + " after " + std::to_string(run->steps.size());
    return false;
  }
  out.verdict = McVerdict::kCounterexample;
  out.inv = inv;
  out.counterexample = std::move(cex);
  out.bound = k;
  return true;
}

}  // namespace

McResult CheckZ3Bmc(const Trace& problem, const Z3Options& opts) {
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  McResult res;
  z3::context ctx;
  ScopedSymContext scope(ctx, opts.bits);
  Z3Encoding enc(ctx, problem, opts.enc);
  const double encode_s = Since(t0);
  double base_s = 0, step_s = 0;
  int checks = 0;
  const int max_bound = opts.bound > 0 ? opts.bound : kZ3DefaultBound;

  Unrolling base(ctx, opts.logic, opts.incremental);
  Unrolling step(ctx, opts.logic, opts.incremental);
  std::vector<Frame> f{enc.MakeFrame("f", 0)};
  std::vector<Frame> g;
  base.add(enc.Init(f[0]));
  if (opts.prove) {
    g.push_back(enc.MakeFrame("g", 0));
    step.add(enc.Invariants(g[0]));
  }

  // One query with the remaining time budget; kUnknown ends the run.
  auto check = [&](Unrolling& s, const z3::expr& query, double& acc) {
    unsigned ms = 0;
    if (opts.timeout_s > 0) {
      const double left = opts.timeout_s - Since(t0);
      if (left <= 0) return z3::unknown;
      ms = static_cast<unsigned>(left * 1000) + 1;
    }
    const auto q0 = Clock::now();
    const z3::check_result r = s.check(query, ms);
    acc += Since(q0);
    if (opts.progress)
      std::fprintf(stderr, "z3:   check %s %.3fs\n",
                   &s == &base ? "bmc" : "ind", Since(q0));
    ++checks;
    return r;
  };
  auto finish = [&](McVerdict v, int bound) {
    res.verdict = v;
    if (v != McVerdict::kCounterexample) res.bound = bound;
    res.seconds = Since(t0);
    res.stats = {
        {"fields", std::to_string(enc.num_fields())},
        {"variable fields", std::to_string(enc.num_variable_fields())},
        {"insns", std::to_string(enc.num_insns())},
        {"independent pairs", std::to_string(enc.independent_pairs())},
        {"symmetric threads", std::to_string(enc.symmetric_threads())},
        {"checks", std::to_string(checks)},
        {"encode s", Fmt(encode_s)},
        {"bmc s", Fmt(base_s)},
        {"induction s", Fmt(step_s)},
        {"cpu s", Fmt(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC)},
    };
    return res;
  };

  for (int k = 0;; ++k) {
    if (opts.progress)
      std::fprintf(stderr, "z3: bound %d (%.2fs)\n", k, Since(t0));
    // Base case: can frame k be bad?
    const z3::check_result r = check(base, enc.Bad(f[k]), base_s);
    if (r == z3::sat) {
      std::string error;
      if (!BuildWitness(enc, f, k, base.model(), problem, res, error)) {
        std::fprintf(stderr, "lifecheck: internal error in the z3 engine: %s\n",
                     error.c_str());
        auto out = finish(McVerdict::kUnknown, k);
        out.stats.push_back({"error", error});
        return out;
      }
      return finish(McVerdict::kCounterexample, k);
    }
    if (r == z3::unknown) return finish(McVerdict::kUnknown, k);
    base.add(!enc.Bad(f[k]));

    // Step case: from any frame satisfying the strengthening, k+1 clean,
    // pairwise distinct frames joined by steps cannot step into a bad one.
    // With the base cases 0..k clean, no bad frame is reachable at all.
    if (opts.prove) {
      step.add(!enc.Bad(g[k]));
      g.push_back(enc.MakeFrame("g", k + 1));
      step.add(enc.Trans(g[k], g[k + 1]));
      if (k > 0) step.add(enc.Por(g[k - 1], g[k]));
      for (int j = 0; j <= k; ++j) step.add(enc.Distinct(g[j], g[k + 1]));
      const z3::check_result s = check(step, enc.Bad(g[k + 1]), step_s);
      if (s == z3::unsat) return finish(McVerdict::kProved, k + 1);
      if (s == z3::unknown) return finish(McVerdict::kUnknown, k);
    }
    if (k == max_bound) return finish(McVerdict::kVerifiedToBound, k);

    // Deepen. Frame k's step is constrained by POR with frame k-1's step.
    if (opts.functional) {
      z3::expr c(ctx);
      f.push_back(enc.Next(f[k], "f", &c));
      base.add(c);
    } else {
      f.push_back(enc.MakeFrame("f", k + 1));
      base.add(enc.Trans(f[k], f[k + 1]));
    }
    if (k > 0) base.add(enc.Por(f[k - 1], f[k]));
    // No run of k+1 steps (under the reductions): every schedule is done.
    // Asked every `termination_every` bounds: past the end of all runs the
    // bad-state queries are cheap, so asking less often costs little.
    if ((k + 1) % std::max(1, opts.termination_every) == 0) {
      const z3::check_result more = check(base, ctx.bool_val(true), base_s);
      if (more == z3::unsat) return finish(McVerdict::kVerified, k);
      if (more == z3::unknown) return finish(McVerdict::kUnknown, k);
    }
  }
}

}  // namespace lifecheck
