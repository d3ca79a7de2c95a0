#include "mc/z3_certificate.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iterator>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "mc/sym_domain.h"
#include "mc/z3_encoding.h"
#include "mc/z3_invariant.h"

namespace lifecheck {
namespace {

z3::expr All(const Z3Encoding& enc, const Invariant& inv,
             const std::vector<z3::expr>& v) {
  z3::expr_vector c(SymCtx());
  for (const InvClause& k : inv.clauses)
    c.push_back(ClauseExpr(enc, inv.terms, k, v));
  return z3::mk_and(c);
}

// The first clause false in the model's world `v`, printed.
std::string Broken(const Z3Encoding& enc, const Invariant& inv,
                   const std::vector<z3::expr>& v, const z3::model& m) {
  for (const InvClause& k : inv.clauses)
    if (!m.eval(ClauseExpr(enc, inv.terms, k, v), true).is_true())
      return absl::StrCat("`", PrintClause(k, inv.terms), "`");
  return "a clause";
}

}  // namespace

CertificateCheck CheckCertificate(const Trace& problem, const Invariant& inv,
                                  double timeout_s) {
  const auto t0 = std::chrono::steady_clock::now();
  CertificateCheck out;
  z3::context ctx;
  ScopedSymContext scope(ctx, 16);
  // Sliced to the cone of influence (a third faster) when every clause
  // reads only fields in it: a field outside it is free after a step, and
  // no field of the cone is computed from one.
  std::unique_ptr<Z3Encoding> sliced = std::make_unique<Z3Encoding>(
      ctx, problem, EncodingOptions{false, false, true});
  bool inside = true;
  for (const InvClause& c : inv.clauses)
    for (int f : ClauseFields(inv.terms, c))
      inside = inside && std::binary_search(sliced->cone().begin(),
                                            sliced->cone().end(), f);
  if (!inside)
    sliced = std::make_unique<Z3Encoding>(ctx, problem,
                                          EncodingOptions{false, false, false});
  const Z3Encoding& enc = *sliced;
  const Frame init = enc.MakeFrame("i", 0);
  Frame a = enc.MakeFrame("c", 0);
  const Frame b = enc.MakeFrame("c", 1);
  // In the worlds the invariant holds in (consecution's and safety's `a`),
  // a field with value-set clauses "f in {x, y, z}" ranges over exactly
  // their common values: an index into them (the clauses then hold by
  // construction). An encoding of the invariant, not an assumption: the
  // queries get several times faster. (Initiation asks whether the initial
  // world satisfies those clauses: a plain frame.)
  std::map<int, std::vector<int>> sets;
  for (const InvClause& c : inv.clauses) {
    if (!c.when.empty() || c.is_property() || inv.terms.is_count(c.field))
      continue;
    auto [it, fresh] = sets.emplace(c.field, c.values);
    if (fresh) continue;
    std::vector<int> both;
    std::set_intersection(it->second.begin(), it->second.end(),
                          c.values.begin(), c.values.end(),
                          std::back_inserter(both));
    it->second = std::move(both);
  }
  for (const auto& [f, values] : sets)
    if (!values.empty())
      a.v[f] = IndexedField(enc, f, values, "c!" + inv.terms.name(f));
  const z3::expr inv_a = All(enc, inv, a.v);
  // Each query on a fresh solver: one check without assumptions lets Z3
  // preprocess the whole formula (2-3x faster than one incremental solver
  // here).
  auto query = [&](const std::string& what, const z3::expr& e,
                   const std::function<std::string(const z3::model&)>& why) {
    z3::solver s(ctx);
    s.add(e);
    if (timeout_s > 0) {
      const double left = timeout_s - std::chrono::duration<double>(
                                          std::chrono::steady_clock::now() - t0)
                                          .count();
      z3::params p(ctx);
      p.set("timeout", static_cast<unsigned>(std::max(1.0, left * 1000)));
      s.set(p);
    }
    switch (s.check()) {
      case z3::unsat:
        return true;
      case z3::sat:
        out.why = absl::StrCat(what, ": ", why(s.get_model()));
        return false;
      case z3::unknown:
        out.why = absl::StrCat(what, ": unknown (", s.reason_unknown(), ")");
        return false;
    }
    return false;
  };
  bool ok = query("initiation", enc.Init(init) && !All(enc, inv, init.v),
                  [&](const z3::model& m) {
                    return absl::StrCat(Broken(enc, inv, init.v, m),
                                        " is false in the initial world");
                  }) &&
            query("safety", inv_a && enc.Bad(a), [&](const z3::model& m) {
              const int v = SymValue(m.eval(a.v[enc.violation_field()], true));
              if (v == 0)
                return std::string("a world satisfying it is deadlocked");
              const std::string id(InvId(static_cast<Inv>(v)));
              return "a world satisfying it records violation " +
                     (id.empty() ? std::to_string(v) : id);
            });
  // Consecution: one step of any thread (the BMC's transition relation).
  ok = ok &&
       query("consecution", inv_a && enc.Trans(a, b) && !All(enc, inv, b.v),
             [&](const z3::model& m) {
               const int t = SymValue(m.eval(a.sched, true));
               const int pc = SymValue(m.eval(a.v[enc.pc_field(t)], true));
               return absl::StrCat("thread ", t, " at pc ", pc, " breaks ",
                                   Broken(enc, inv, b.v, m));
             });
  out.ok = ok;
  out.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return out;
}

}  // namespace lifecheck
