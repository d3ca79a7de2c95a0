#include "mc/z3_bmc.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/spec_run.h"
#include "mc/lasso.h"
#include "mc/sym_domain.h"
#include "spec/thread_body.h"

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
  z3::check_result check(const z3::expr& query, unsigned timeout_ms,
                         unsigned rlimit) {
    if (!incremental_) {
      solver_ = MakeSolver(ctx_, logic_);
      for (unsigned i = 0; i < all_.size(); ++i) solver_.add(all_[i]);
    } else {
      solver_.push();
    }
    if (timeout_ms) solver_.set("timeout", timeout_ms);
    if (rlimit) solver_.set("rlimit", rlimit);
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
  // The pcs each thread ran resolve its choices (a problem with none
  // resolves to its own calls).
  std::vector<std::vector<int>> executed(problem.threads.size());
  for (int j = 0; j < k; ++j) {
    const int t = model.eval(frames[j].sched, true).get_numeral_int();
    cex.schedule.push_back(t);
    executed[t].push_back(enc.ExecutedPc(frames[j], model));
  }
  for (size_t t = 0; t < executed.size(); ++t)
    cex.threads[t] =
        ResolveCalls(enc.program(static_cast<int>(t)), executed[t]);
  cex.bodies.clear();
  cex.call_pos.clear();
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

// Starvation within k steps (docs/liveness.md): frames l..k-1 are a cycle
// (frame k is frame l's state) on which thread T never steps and has work,
// fair to every thread as the explicit checker's search demands (mc/
// fair_cycle.h): a thread that does not step on it has no work there, or is
// disabled in some frame of it (a condition wait, weak fairness) or in
// every frame (a lock, strong). cand[l][T] is that lasso's condition.
z3::expr LassoQuery(const Z3Encoding& enc, const std::vector<Frame>& f, int k,
                    std::vector<std::vector<z3::expr>>* cand) {
  z3::context& ctx = f[0].sched.ctx();
  const int n = enc.num_threads();
  std::vector<std::vector<z3::expr>> en(k), none(k), weak(k), at(k);
  for (int j = 0; j < k; ++j)
    for (int t = 0; t < n; ++t) {
      en[j].push_back(enc.Enabled(f[j], t));
      none[j].push_back(enc.NoWork(f[j], t));
      weak[j].push_back(enc.WeakWait(f[j], t));
      at[j].push_back(f[j].sched == t);
    }
  z3::expr_vector any(ctx);
  cand->assign(k, {});
  for (int l = 0; l < k; ++l) {
    const z3::expr same = enc.SameState(f[l], f[k]);
    for (int t = 0; t < n; ++t) {
      z3::expr_vector c(ctx);
      c.push_back(same);
      for (int u = 0; u < n; ++u) {
        z3::expr_vector steps(ctx), idle(ctx), off(ctx);
        for (int j = l; j < k; ++j) {
          steps.push_back(at[j][u]);
          idle.push_back(none[j][u]);
          off.push_back(!en[j][u]);
        }
        // Disabled in some frame (weak) or in every frame (strong).
        const z3::expr fair =
            (weak[l][u] && z3::mk_or(off)) || (!weak[l][u] && z3::mk_and(off));
        if (u == t) {
          for (int j = l; j < k; ++j) c.push_back(!at[j][u] && !none[j][u]);
          c.push_back(fair);
        } else {
          c.push_back(z3::mk_or(steps) || z3::mk_and(idle) || fair);
        }
      }
      (*cand)[l].push_back(z3::mk_and(c));
      any.push_back((*cand)[l].back());
    }
  }
  return z3::mk_or(any);
}

// The lasso of a satisfiable LassoQuery, written and replayed as the
// explicit checker's (mc/lasso.h).
bool BuildLasso(const Z3Encoding& enc, const std::vector<Frame>& frames, int k,
                const std::vector<std::vector<z3::expr>>& cand,
                const z3::model& model, const Trace& problem, McResult& out,
                std::string& error) {
  int loop = -1, starved = -1;
  for (int l = 0; l < k && loop < 0; ++l)
    for (size_t t = 0; t < cand[l].size() && loop < 0; ++t)
      if (model.eval(cand[l][t], true).is_true()) {
        loop = l;
        starved = static_cast<int>(t);
      }
  if (loop < 0) {
    error = "no lasso holds in Z3's model";
    return false;
  }
  std::vector<LassoMove> prefix, cycle;
  for (int j = 0; j < k; ++j)
    (j < loop ? prefix : cycle)
        .push_back({model.eval(frames[j].sched, true).get_numeral_int(),
                    enc.ExecutedPc(frames[j], model)});
  std::vector<ThreadProgram> progs;
  for (int t = 0; t < enc.num_threads(); ++t) progs.push_back(enc.program(t));
  Trace cex = LassoTrace(problem, progs, prefix, cycle);
  error = CheckLasso(cex, starved);
  if (!error.empty()) return false;
  out.verdict = McVerdict::kCounterexample;
  out.inv = Inv::kStarvation;
  out.counterexample = std::move(cex);
  out.bound = k;
  return true;
}

}  // namespace

McResult CheckZ3Bmc(const Trace& problem, const Z3Options& opts) {
  LC_CHECK(!(opts.prove && opts.first_bound > 0));  // see Z3Options
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  McResult res;
  z3::context ctx;
  ScopedSymContext scope(ctx, opts.bits);
  // A thread that may run for ever: starvation is asked at each bound too,
  // on every schedule (POR and symmetry keep only what safety needs).
  bool liveness = false;
  for (size_t t = 0; t < problem.threads.size(); ++t)
    liveness = liveness || HasForever(problem.body(static_cast<int>(t)));
  EncodingOptions eo = opts.enc;
  if (liveness) eo.por = eo.symmetry = false;
  // k-induction proves safety only: no proof for a problem that may starve.
  const bool prove = opts.prove && !liveness;
  Z3Encoding enc(ctx, problem, eo);
  const double encode_s = Since(t0);
  double base_s = 0, step_s = 0;
  int checks = 0;
  const int max_bound = opts.bound > 0 ? opts.bound : kZ3DefaultBound;

  Unrolling base(ctx, opts.logic, opts.incremental);
  Unrolling step(ctx, opts.logic, opts.incremental);
  std::vector<Frame> f{enc.MakeFrame("f", 0)};
  std::vector<Frame> g;
  base.add(enc.Init(f[0]));
  if (prove) {
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
    const z3::check_result r = s.check(query, ms, opts.rlimit);
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
        {"cone of influence", std::to_string(enc.cone().size())},
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

  // A witness that does not replay: an engine bug, said loudly, and no
  // verdict.
  auto internal_error = [&](const std::string& error, int k) {
    std::fprintf(stderr, "lifecheck: internal error in the z3 engine: %s\n",
                 error.c_str());
    McResult out = finish(McVerdict::kUnknown, k);
    out.stats.push_back({"error", error});
    return out;
  };

  for (int k = 0;; ++k) {
    if (opts.progress)
      std::fprintf(stderr, "z3: bound %d (%.2fs)\n", k, Since(t0));
    // Below first_bound no run is bad (the caller knows the shortest
    // counterexample's length): only unroll.
    const bool unroll_only = k < opts.first_bound;
    // Base case: can frame k be bad?
    const z3::check_result r =
        unroll_only ? z3::unsat : check(base, enc.Bad(f[k]), base_s);
    if (r == z3::sat) {
      std::string error;
      if (!BuildWitness(enc, f, k, base.model(), problem, res, error))
        return internal_error(error, k);
      return finish(McVerdict::kCounterexample, k);
    }
    if (r == z3::unknown) return finish(McVerdict::kUnknown, k);
    if (!unroll_only) base.add(!enc.Bad(f[k]));
    if (liveness && !unroll_only && k > 0) {
      std::vector<std::vector<z3::expr>> cand;
      const z3::check_result l =
          check(base, LassoQuery(enc, f, k, &cand), base_s);
      if (l == z3::sat) {
        std::string error;
        if (!BuildLasso(enc, f, k, cand, base.model(), problem, res, error))
          return internal_error(error, k);
        return finish(McVerdict::kCounterexample, k);
      }
      if (l == z3::unknown) return finish(McVerdict::kUnknown, k);
    }

    // Step case: from any frame satisfying the strengthening, k+1 clean,
    // pairwise distinct frames joined by steps cannot step into a bad one.
    // With the base cases 0..k clean, no bad frame is reachable at all.
    if (prove && !unroll_only) {
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
    if (!unroll_only && (k + 1) % std::max(1, opts.termination_every) == 0) {
      const z3::check_result more = check(base, ctx.bool_val(true), base_s);
      if (more == z3::unsat) return finish(McVerdict::kVerified, k);
      if (more == z3::unknown) return finish(McVerdict::kUnknown, k);
    }
  }
}

}  // namespace lifecheck
