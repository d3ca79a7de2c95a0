#include "mc/z3_invariant.h"

#include <algorithm>

namespace lifecheck {
namespace {

// Term t == x over the fields v.
z3::expr Eq(const Z3Encoding& enc, const Terms& terms,
            const std::vector<z3::expr>& v, int t, int x) {
  if (!terms.is_count(t)) {
    if (enc.field_is_bool(t)) return x ? v[t] : !v[t];
    return v[t] == Lit(x);
  }
  // "Exactly x of the fields are in range", as a Boolean sequential counter
  // (exact[j]: exactly j of the fields so far): a 16-bit sum of 0/1 terms
  // gave the bit-blaster adders that made every query ten times slower.
  const CountTerm& c = terms.count(t);
  z3::context& ctx = SymCtx();
  std::vector<z3::expr> exact{ctx.bool_val(true)};
  for (int f : c.fields) {
    const z3::expr in = enc.field_is_bool(f) ? (c.lo ? v[f] : !v[f])
                        : c.lo == c.hi       ? v[f] == Lit(c.lo)
                                       : v[f] >= Lit(c.lo) && v[f] <= Lit(c.hi);
    std::vector<z3::expr> next;
    for (size_t j = 0; j <= exact.size(); ++j) {
      const z3::expr stay =
          j < exact.size() ? exact[j] && !in : ctx.bool_val(false);
      const z3::expr step = j > 0 ? exact[j - 1] && in : ctx.bool_val(false);
      next.push_back(stay || step);
    }
    exact = std::move(next);
  }
  return x >= 0 && x < static_cast<int>(exact.size()) ? exact[x]
                                                      : ctx.bool_val(false);
}

}  // namespace

z3::expr ClauseExpr(const Z3Encoding& enc, const Terms& terms,
                    const InvClause& c, const std::vector<z3::expr>& v) {
  z3::context& ctx = SymCtx();
  if (c.field == InvClause::kNoDeadlock) return !enc.DeadlockOf(v);
  if (c.field == InvClause::kAlways) return enc.AlwaysHold(v);
  z3::expr_vector cond(ctx), any(ctx);
  for (const Cond& k : c.when) {
    z3::expr_vector one(ctx);
    for (int x : k.values) one.push_back(Eq(enc, terms, v, k.term, x));
    cond.push_back(z3::mk_or(one));
  }
  for (int y : c.values) any.push_back(Eq(enc, terms, v, c.field, y));
  return z3::implies(z3::mk_and(cond), z3::mk_or(any));
}

std::vector<int> ClauseFields(const Terms& terms, const InvClause& c) {
  std::vector<int> fs;
  auto add = [&](int t) {
    if (!terms.is_count(t)) {
      fs.push_back(t);
      return;
    }
    for (int f : terms.count(t).fields) fs.push_back(f);
  };
  for (const Cond& k : c.when) add(k.term);
  if (!c.is_property()) add(c.field);
  return fs;
}

bool StepMayChange(const Z3Encoding& enc, const Terms& terms,
                   const InvClause& c, int t, int p) {
  if (c.is_property()) return true;
  const std::vector<int>& w = enc.Writes(t, p);
  for (int f : ClauseFields(terms, c))
    if (f == enc.violation_field() ||
        std::find(w.begin(), w.end(), f) != w.end())
      return true;
  return false;
}

bool IsSafetyClause(const Z3Encoding& enc, const InvClause& c) {
  return c.field == InvClause::kNoDeadlock ||
         (c.when.empty() && c.field == enc.violation_field() &&
          c.values == std::vector<int>{0});
}

z3::expr IndexedField(const Z3Encoding& enc, int field,
                      const std::vector<int>& values, const std::string& name) {
  z3::context& ctx = SymCtx();
  auto lit = [&](int v) {
    return enc.field_is_bool(field) ? ctx.bool_val(v != 0) : Lit(v);
  };
  if (values.size() == 1) return lit(values[0]);
  if (enc.field_is_bool(field)) return ctx.bool_const(name.c_str());
  unsigned w = 1;
  while ((size_t{1} << w) < values.size()) ++w;
  const z3::expr idx = ctx.bv_const(name.c_str(), w);
  z3::expr e = lit(values.back());
  for (int j = static_cast<int>(values.size()) - 2; j >= 0; --j)
    e = z3::ite(idx == ctx.bv_val(j, w), lit(values[j]), e);
  return e;
}

}  // namespace lifecheck
