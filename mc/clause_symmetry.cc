#include "mc/clause_symmetry.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <string>

#include "mc/footprint.h"
#include "mc/symmetry.h"

namespace lifecheck {

ClauseSymmetry::ClauseSymmetry(const Trace& problem) {
  std::vector<ThreadBody> bodies;
  for (size_t t = 0; t < problem.threads.size(); ++t)
    bodies.push_back(problem.body(static_cast<int>(t)));
  const Symmetry sym(problem.config, bodies);
  const FieldSet owners = OwnerFields();
  const Terms fields;
  const int n = fields.num_fields();
  for (int f = 0; f < n; ++f) owner_.push_back(owners.test(f));
  // The field permutation of a world permutation, by probing: a world whose
  // int fields hold 1000 + their id (no thread id, so owner values stay),
  // and one world per bool field with only that bool set.
  auto probe = [&](int g, const std::vector<int>& perm) {
    Perm p;
    p.field.assign(n, -1);
    CWorld w{};
    int id = 0;
    VisitWorld(w, [&](const char*, int, const char*, int, auto& v) {
      if constexpr (std::is_same_v<std::decay_t<decltype(v)>, int16_t>)
        v = static_cast<int16_t>(1000 + id);
      ++id;
    });
    CWorld moved = w;
    sym.Permute(moved, g, perm);
    std::vector<int> after = Terms::FieldValues(moved);
    for (int f = 0; f < n; ++f)
      if (!fields.is_bool(f)) p.field[after[f] - 1000] = f;
    for (int b = 0; b < n; ++b) {
      if (!fields.is_bool(b)) continue;
      CWorld one{};
      int k = 0;
      VisitWorld(one, [&](const char*, int, const char*, int, auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>)
          v = k == b;
        ++k;
      });
      sym.Permute(one, g, perm);
      const std::vector<int> a = Terms::FieldValues(one);
      for (int f = 0; f < n; ++f)
        if (fields.is_bool(f) && a[f]) p.field[b] = f;
    }
    p.thread.resize(kMaxThreads);
    std::iota(p.thread.begin(), p.thread.end(), 0);
    const auto& members = sym.group(g);
    for (size_t i = 0; i < perm.size(); ++i)
      p.thread[members[i]] = members[perm[i]];
    for (int f = 0; f < n; ++f) LC_CHECK(p.field[f] >= 0);
    return p;
  };
  for (int g = 0; g < sym.num_groups(); ++g) {
    std::vector<int> perm(sym.group(g).size());
    std::iota(perm.begin(), perm.end(), 0);
    std::vector<Perm> mine;
    while (std::next_permutation(perm.begin(), perm.end()))
      mine.push_back(probe(g, perm));
    // The orbit of each field this group moves.
    std::vector<bool> done(n, false);
    for (int f = 0; f < n; ++f) {
      if (done[f]) continue;
      std::set<int> orbit{f};
      for (const Perm& p : mine) orbit.insert(p.field[f]);
      for (int o : orbit) done[o] = true;
      if (orbit.size() == sym.group(g).size())
        orbits_.emplace_back(orbit.begin(), orbit.end());
    }
    perms_.insert(perms_.end(), mine.begin(), mine.end());
  }
}

InvClause ClauseSymmetry::Apply(const Terms& terms, const Perm& p,
                                const InvClause& c) const {
  if (c.is_property()) return c;
  // A count over a whole orbit is its own image.
  auto term = [&](int t) {
    if (!terms.is_count(t)) return p.field[t];
    std::vector<int> img;
    for (int f : terms.count(t).fields) img.push_back(p.field[f]);
    std::sort(img.begin(), img.end());
    LC_CHECK(img == terms.count(t).fields);
    return t;
  };
  auto value = [&](int t, int x) {
    return !terms.is_count(t) && owner_[t] && x >= 0 && x < kMaxThreads
               ? p.thread[x]
               : x;
  };
  InvClause out;
  for (const Cond& k : c.when) {
    Cond o{term(k.term), {}};
    for (int x : k.values) o.values.push_back(value(k.term, x));
    std::sort(o.values.begin(), o.values.end());
    out.when.push_back(std::move(o));
  }
  std::sort(out.when.begin(), out.when.end());
  out.field = term(c.field);
  for (int y : c.values) out.values.push_back(value(c.field, y));
  std::sort(out.values.begin(), out.values.end());
  return out;
}

std::vector<InvClause> ClauseSymmetry::Orbit(const Terms& terms,
                                             const InvClause& c) const {
  std::vector<InvClause> orbit{c};
  std::set<std::string> seen;
  auto key = [](const InvClause& k) {
    std::string s;
    for (const Cond& w : k.when) {
      s += std::to_string(w.term) + "=";
      for (int x : w.values) s += std::to_string(x) + ",";
      s += ";";
    }
    s += "|" + std::to_string(k.field) + ":";
    for (int y : k.values) s += std::to_string(y) + ",";
    return s;
  };
  InvClause first = c;
  std::sort(first.when.begin(), first.when.end());
  seen.insert(key(first));
  // The closure under the generators is the whole orbit (the groups'
  // permutations commute).
  for (size_t i = 0; i < orbit.size(); ++i)
    for (const Perm& p : perms_) {
      InvClause img = Apply(terms, p, orbit[i]);
      if (seen.insert(key(img)).second) orbit.push_back(std::move(img));
    }
  return orbit;
}

}  // namespace lifecheck
