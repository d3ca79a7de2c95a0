#include "mc/z3_pdr.h"

#include <chrono>
#include <ctime>
#include <string>
#include <unordered_set>
#include <vector>

#include "mc/sym_domain.h"
#include "mc/z3_encoding.h"

namespace lifecheck {
namespace {

void Consts(const z3::expr& e, std::unordered_set<unsigned>& seen,
            z3::expr_vector& out) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    if (e.decl().name().str() != "Err") out.push_back(e);  // the relation
    return;
  }
  if (e.is_app())
    for (unsigned i = 0; i < e.num_args(); ++i) Consts(e.arg(i), seen, out);
}

z3::expr ForallOf(z3::context& ctx, const z3::expr& body) {
  std::unordered_set<unsigned> seen;
  z3::expr_vector vars(ctx);
  Consts(body, seen, vars);
  return vars.empty() ? body : z3::forall(vars, body);
}

}  // namespace

McResult ProveZ3Pdr(const Trace& problem, const Z3Options& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  McResult res;
  z3::context ctx;
  ScopedSymContext scope(ctx, /*bits=*/0);
  EncodingOptions eo = opts.enc;
  eo.por = false;
  Z3Encoding enc(ctx, problem, eo);
  const Frame a = enc.MakeFrame("a", 0), b = enc.MakeFrame("b", 1);

  // The relation's arguments: the variable fields and the symmetry ghosts.
  auto args = [&](const Frame& f) {
    z3::expr_vector v(ctx);
    for (size_t i = 0; i < f.v.size(); ++i)
      if (!f.v[i].is_numeral() && !f.v[i].is_true() && !f.v[i].is_false())
        v.push_back(f.v[i]);
    for (const auto& s : f.started) v.push_back(s);
    return v;
  };
  const z3::expr_vector av = args(a), bv = args(b);
  z3::sort_vector sorts(ctx);
  for (unsigned i = 0; i < av.size(); ++i) sorts.push_back(av[i].get_sort());
  z3::func_decl reach = ctx.function("Reach", sorts, ctx.bool_sort());
  z3::func_decl err = ctx.function("Err", 0, nullptr, ctx.bool_sort());

  z3::fixedpoint fp(ctx);
  z3::params p(ctx);
  p.set("engine", "spacer");
  if (opts.timeout_s > 0)
    p.set("timeout", static_cast<unsigned>(opts.timeout_s * 1000));
  fp.set(p);
  fp.register_relation(reach);
  fp.register_relation(err);
  z3::expr init = z3::implies(enc.Init(a), reach(av));
  z3::expr step = z3::implies(reach(av) && enc.Trans(a, b), reach(bv));
  z3::expr bad = z3::implies(reach(av) && enc.Bad(a), err());
  z3::expr r1 = ForallOf(ctx, init), r2 = ForallOf(ctx, step),
           r3 = ForallOf(ctx, bad);
  fp.add_rule(r1, ctx.str_symbol("init"));
  fp.add_rule(r2, ctx.str_symbol("step"));
  fp.add_rule(r3, ctx.str_symbol("bad"));
  z3::func_decl_vector q(ctx);
  q.push_back(err);
  z3::check_result r = z3::unknown;
  std::string why;
  try {
    r = fp.query(q);
  } catch (const z3::exception& e) {  // the timeout cancels the query
    why = e.msg();
  }
  res.verdict = r == z3::unsat ? McVerdict::kProved
                : r == z3::sat ? McVerdict::kCounterexample
                               : McVerdict::kUnknown;
  res.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f",
                static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
  res.stats = {{"engine", "spacer"},
               {"variable fields", std::to_string(enc.num_variable_fields())},
               {"cpu s", buf}};
  if (r == z3::unknown)
    res.stats.push_back({"reason", why.empty() ? fp.reason_unknown() : why});
  return res;
}

}  // namespace lifecheck
