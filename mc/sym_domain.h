// The symbolic value domain: the spec's step functions instantiated over
// z3::expr (DESIGN principle 2). Nothing here knows any step; it only gives
// Int/Bool the operators the step code uses, so the Z3 layer never restates a
// guard or an effect.
//
// SymInt and SymBool are distinct types (the machine overloads on them) that
// wrap a z3::expr of sort Int / Bool. Literals need a context: the encoder
// installs one per thread with ScopedSymContext.
#ifndef LIFECHECK_MC_SYM_DOMAIN_H_
#define LIFECHECK_MC_SYM_DOMAIN_H_

#include <z3++.h>

#include "spec/machine.h"
#include "spec/world.h"

namespace lifecheck {

z3::context& SymCtx();  // the installed context (aborts if none)

// Installs `c` as the context of symbolic literals on this thread. SymInt is
// of sort Int (bits == 0) or a `bits`-wide bit-vector with signed comparisons
// (bits == 16 is exactly the concrete domain's int16_t arithmetic).
class ScopedSymContext {
 public:
  explicit ScopedSymContext(z3::context& c, int bits = 0);
  ~ScopedSymContext();
  ScopedSymContext(const ScopedSymContext&) = delete;
  ScopedSymContext& operator=(const ScopedSymContext&) = delete;

 private:
  z3::context* saved_;
  int saved_bits_;
};

int SymBits();  // 0: Int; else the bit-vector width of SymInt
// The value of a numeral of SymInt's sort (bit-vectors read as signed, like
// the concrete int16_t) or of a Boolean literal (0/1), e.g. model.eval(x,
// true).
int SymValue(const z3::expr& numeral);
// An integer constant / literal of SymInt's sort.
z3::expr SymIntConst(const std::string& name);

struct SymBool {
  z3::expr e;
  SymBool() : e(SymCtx().bool_val(false)) {}
  SymBool(const z3::expr& x) : e(x) {}  // NOLINT: implicit by design
};
struct SymInt {
  z3::expr e;
  SymInt();
  SymInt(const z3::expr& x) : e(x) {}  // NOLINT
};

inline z3::expr Lit(int v) {
  return SymBits() ? SymCtx().bv_val(v, SymBits()) : SymCtx().int_val(v);
}
inline SymInt::SymInt() : e(Lit(0)) {}
inline z3::expr LitB(bool b) { return SymCtx().bool_val(b); }

// Arithmetic and comparison; an int operand is a literal.
#define LC_SYM_ARITH(op)                                                      \
  inline SymInt operator op(const SymInt& a, const SymInt& b) {               \
    return a.e op b.e;                                                        \
  }                                                                           \
  inline SymInt operator op(const SymInt& a, int b) { return a.e op Lit(b); } \
  inline SymInt operator op(int a, const SymInt& b) { return Lit(a) op b.e; }
LC_SYM_ARITH(+)
LC_SYM_ARITH(-)
LC_SYM_ARITH(*)
#undef LC_SYM_ARITH

#define LC_SYM_CMP(op)                                                         \
  inline SymBool operator op(const SymInt& a, const SymInt& b) {               \
    return a.e op b.e;                                                         \
  }                                                                            \
  inline SymBool operator op(const SymInt& a, int b) { return a.e op Lit(b); } \
  inline SymBool operator op(int a, const SymInt& b) { return Lit(a) op b.e; }
LC_SYM_CMP(==)
LC_SYM_CMP(!=)
LC_SYM_CMP(<)
LC_SYM_CMP(<=)
LC_SYM_CMP(>)
LC_SYM_CMP(>=)
#undef LC_SYM_CMP

inline SymBool operator&&(const SymBool& a, const SymBool& b) {
  return a.e && b.e;
}
inline SymBool operator||(const SymBool& a, const SymBool& b) {
  return a.e || b.e;
}
inline SymBool operator!(const SymBool& a) { return !a.e; }
inline SymBool operator==(const SymBool& a, const SymBool& b) {
  return a.e == b.e;
}
inline SymBool operator!=(const SymBool& a, const SymBool& b) {
  return a.e != b.e;
}

struct Sym {
  using Int = SymInt;
  using Bool = SymBool;
  static constexpr bool kSymbolic = true;
  static Int IntLit(int v) { return Lit(v); }
  static Bool BoolLit(bool b) { return LitB(b); }
  static Int Ite(const Bool& c, const Int& a, const Int& b) {
    return z3::ite(c.e, a.e, b.e);
  }
  static Bool IteB(const Bool& c, const Bool& a, const Bool& b) {
    return z3::ite(c.e, a.e, b.e);
  }
};

using SWorld = World<Sym>;

// A world of fresh constants named after their fields, with `prefix`.
SWorld FreshWorld(const std::string& prefix);
// The concrete world as Z3 literals.
SWorld LiftWorld(const World<Concrete>& w);
// Every scalar of a symbolic world, in VisitWorld order.
std::vector<z3::expr> Flatten(const SWorld& w);
// `w` == the concrete `c`, field by field.
z3::expr EqualsConcrete(const SWorld& w, const World<Concrete>& c);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_SYM_DOMAIN_H_
