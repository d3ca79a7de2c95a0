#include "mc/footprint.h"

#include <cstring>
#include <string_view>

#include "spec/check.h"
#include "spec/step_table.h"

namespace lifecheck {
// Not in an anonymous namespace: the step code uses only some of these
// operators, and unused internal-linkage functions would warn.
namespace footprint_detail {

// ---- the Taint value domain ----
// A value is the set of fields it was computed from; `written` marks the
// result of an ite, i.e. of Machine::set (temporaries may carry it too, but
// only fields' flags are inspected).
struct TBool {
  FieldSet deps;
  bool written = false;
  TBool() = default;
  TBool(bool) {}  // NOLINT: a literal depends on nothing
};
struct TInt {
  FieldSet deps;
  bool written = false;
  TInt() = default;
  TInt(int) {}  // NOLINT
};

inline TInt Join(const FieldSet& a, const FieldSet& b) {
  TInt r;
  r.deps = a | b;
  return r;
}
inline TBool JoinB(const FieldSet& a, const FieldSet& b) {
  TBool r;
  r.deps = a | b;
  return r;
}

#define LC_T_ARITH(op)                                                     \
  inline TInt operator op(const TInt& a, const TInt& b) {                  \
    return Join(a.deps, b.deps);                                           \
  }                                                                        \
  inline TInt operator op(const TInt& a, int) { return Join(a.deps, {}); } \
  inline TInt operator op(int, const TInt& b) { return Join({}, b.deps); }
LC_T_ARITH(+)
LC_T_ARITH(-)
LC_T_ARITH(*)
#undef LC_T_ARITH
#define LC_T_CMP(op)                                                        \
  inline TBool operator op(const TInt& a, const TInt& b) {                  \
    return JoinB(a.deps, b.deps);                                           \
  }                                                                         \
  inline TBool operator op(const TInt& a, int) { return JoinB(a.deps, {}); } \
  inline TBool operator op(int, const TInt& b) { return JoinB({}, b.deps); }
LC_T_CMP(==)
LC_T_CMP(!=)
LC_T_CMP(<)
LC_T_CMP(<=)
LC_T_CMP(>)
LC_T_CMP(>=)
#undef LC_T_CMP
inline TBool operator&&(const TBool& a, const TBool& b) {
  return JoinB(a.deps, b.deps);
}
inline TBool operator||(const TBool& a, const TBool& b) {
  return JoinB(a.deps, b.deps);
}
inline TBool operator!(const TBool& a) { return JoinB(a.deps, {}); }
inline TBool operator==(const TBool& a, const TBool& b) {
  return JoinB(a.deps, b.deps);
}
inline TBool operator!=(const TBool& a, const TBool& b) {
  return JoinB(a.deps, b.deps);
}

struct Taint {
  using Int = TInt;
  using Bool = TBool;
  static constexpr bool kSymbolic = true;
  static Int IntLit(int) { return {}; }
  static Bool BoolLit(bool) { return {}; }
  static Int Ite(const Bool& c, const Int& a, const Int& b) {
    TInt r;
    r.deps = c.deps | a.deps | b.deps;
    r.written = true;
    return r;
  }
  static Bool IteB(const Bool& c, const Bool& a, const Bool& b) {
    TBool r;
    r.deps = c.deps | a.deps | b.deps;
    r.written = true;
    return r;
  }
};

}  // namespace footprint_detail

namespace {
using footprint_detail::Taint;
using TWorld = World<Taint>;

// Every field tainted with its own id.
TWorld FreshTaintWorld() {
  TWorld w;
  int id = 0;
  VisitWorld(w, [&](const char*, int, const char*, int, auto& v) {
    LC_CHECK(id < kMaxScalars);
    v.deps.reset();
    v.deps.set(id++);
    v.written = false;
  });
  return w;
}

Footprint Collect(const TWorld& w, const FieldSet& guard) {
  Footprint fp;
  fp.reads = guard;
  int id = 0;
  VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
    if (v.written) {
      fp.writes.set(id);
      fp.reads |= v.deps;
    }
    ++id;
  });
  return fp;
}

}  // namespace

Footprint StepFootprint(const Config& cfg, const Insn& insn, int t) {
  TWorld w = FreshTaintWorld();
  Machine<Taint> m(w, cfg, insn, t);
  DispatchStep(m);
  m.finish();
  return Collect(w, m.guard().deps);
}

FieldSet InvariantReads(const Config& cfg) {
  TWorld w = FreshTaintWorld();
  Insn none{};
  Machine<Taint> m(w, cfg, none, 0);
  CheckAlways(m);
  FieldSet r = w.violation.deps;
  r.set(ViolationFieldId());
  return r;
}

int ViolationFieldId() {
  static const int id = [] {
    World<Concrete> w{};
    int n = 0, found = -1;
    VisitWorld(w, [&](const char* kind, int, const char* field, int,
                      const auto&) {
      if (std::strcmp(kind, "") == 0 && std::strcmp(field, "violation") == 0)
        found = n;
      ++n;
    });
    LC_CHECK(found >= 0);
    return found;
  }();
  return id;
}

}  // namespace lifecheck
