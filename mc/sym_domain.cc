#include "mc/sym_domain.h"

#include <string>

namespace lifecheck {
namespace {
thread_local z3::context* tl_ctx = nullptr;
thread_local int tl_bits = 0;
}  // namespace

z3::context& SymCtx() {
  LC_CHECK(tl_ctx != nullptr);  // install one with ScopedSymContext
  return *tl_ctx;
}

ScopedSymContext::ScopedSymContext(z3::context& c, int bits)
    : saved_(tl_ctx), saved_bits_(tl_bits) {
  tl_ctx = &c;
  tl_bits = bits;
}
ScopedSymContext::~ScopedSymContext() {
  tl_ctx = saved_;
  tl_bits = saved_bits_;
}

int SymBits() { return tl_bits; }

int SymValue(const z3::expr& e) {
  if (e.is_bool()) return e.is_true() ? 1 : 0;
  if (!e.is_bv()) return e.get_numeral_int();
  const int64_t u = static_cast<int64_t>(e.get_numeral_uint64());
  const unsigned w = e.get_sort().bv_size();
  return static_cast<int>(u >= (int64_t{1} << (w - 1)) ? u - (int64_t{1} << w)
                                                       : u);
}

z3::expr SymIntConst(const std::string& name) {
  return tl_bits ? SymCtx().bv_const(name.c_str(), tl_bits)
                 : SymCtx().int_const(name.c_str());
}

SWorld FreshWorld(const std::string& prefix) {
  SWorld w;
  VisitWorld(
      w, [&](const char* kind, int oi, const char* field, int ei, auto& v) {
        const std::string name = prefix + WorldFieldName(kind, oi, field, ei);
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, SymInt>)
          v = SymIntConst(name);
        else
          v = SymCtx().bool_const(name.c_str());
      });
  return w;
}

SWorld LiftWorld(const World<Concrete>& c) {
  std::vector<int> vals;
  VisitWorld(c, [&](const char*, int, const char*, int, const auto& v) {
    vals.push_back(static_cast<int>(v));
  });
  SWorld w;
  size_t i = 0;
  VisitWorld(w, [&](const char*, int, const char*, int, auto& v) {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, SymInt>)
      v = Lit(vals[i]);
    else
      v = LitB(vals[i] != 0);
    ++i;
  });
  return w;
}

std::vector<z3::expr> Flatten(const SWorld& w) {
  std::vector<z3::expr> out;
  VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
    out.push_back(v.e);
  });
  return out;
}

z3::expr EqualsConcrete(const SWorld& w, const World<Concrete>& c) {
  SWorld lit = LiftWorld(c);
  std::vector<z3::expr> a = Flatten(w), b = Flatten(lit);
  z3::expr_vector eqs(SymCtx());
  for (size_t i = 0; i < a.size(); ++i) eqs.push_back(a[i] == b[i]);
  return z3::mk_and(eqs);
}

}  // namespace lifecheck
