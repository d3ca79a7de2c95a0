#include "mc/footprint.h"

#include <cstring>
#include <string_view>
#include <vector>

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
#define LC_T_CMP(op)                                                         \
  inline TBool operator op(const TInt& a, const TInt& b) {                   \
    return JoinB(a.deps, b.deps);                                            \
  }                                                                          \
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

// ---- the DynTaint value domain: concrete values that carry their taint ----
// Branching converts a DBool to bool and an index converts a DInt to int:
// both record the value's fields into the current read set.
// Set while DynamicFootprint runs.
thread_local FieldSet* g_dyn_reads = nullptr;
// The stepping thread and the lock-owner fields (inode rwsem/mmaplock, page
// lock_owner, ptl_owner), for StableNotOwner below.
thread_local int g_self = -1;
thread_local const FieldSet* g_owner_fields = nullptr;

// `owner == self` (or `!=`) on a lock-owner field that does not hold the
// stepping thread is a read whose outcome no other thread can change: the
// spec only ever writes an owner field with the writer's own id or kNone
// (checked by mc/footprint_test.cc), so it never becomes `self` behind the
// thread's back. Machine::ret's "release what I hold" loop makes that
// comparison for every inode; recording it as a read would make every
// returning step depend on every lock taker. True: drop the deps.
inline bool StableNotOwner(const FieldSet& deps, int a, int b) {
  return g_owner_fields != nullptr && b == g_self && a != b &&
         deps.count() == 1 && (deps & *g_owner_fields).any();
}
inline void Record(const FieldSet& deps) {
  if (g_dyn_reads) *g_dyn_reads |= deps;
}
struct DBool {
  bool v = false;
  FieldSet deps;
  DBool() = default;
  DBool(bool b) : v(b) {}  // NOLINT: literals
  DBool(bool b, const FieldSet& d) : v(b), deps(d) {}
  operator bool() const {  // NOLINT: the machine branches on it
    Record(deps);
    return v;
  }
};
struct DInt {
  int16_t v = 0;
  FieldSet deps;
  DInt() = default;
  DInt(int x) : v(static_cast<int16_t>(x)) {}  // NOLINT: literals
  DInt(int x, const FieldSet& d) : v(static_cast<int16_t>(x)), deps(d) {}
  operator int() const {  // NOLINT: array indices
    Record(deps);
    return v;
  }
};
#define LC_D_ARITH(op)                                    \
  inline DInt operator op(const DInt& a, const DInt& b) { \
    return DInt(a.v op b.v, a.deps | b.deps);             \
  }                                                       \
  inline DInt operator op(const DInt& a, int b) {         \
    return DInt(a.v op b, a.deps);                        \
  }                                                       \
  inline DInt operator op(int a, const DInt& b) {         \
    return DInt(a op b.v, b.deps);                        \
  }
LC_D_ARITH(+)
LC_D_ARITH(-)
LC_D_ARITH(*)
#undef LC_D_ARITH
#define LC_D_CMP(op)                                       \
  inline DBool operator op(const DInt& a, const DInt& b) { \
    return DBool(a.v op b.v, a.deps | b.deps);             \
  }                                                        \
  inline DBool operator op(const DInt& a, int b) {         \
    return DBool(a.v op b, a.deps);                        \
  }                                                        \
  inline DBool operator op(int a, const DInt& b) {         \
    return DBool(a op b.v, b.deps);                        \
  }
// == and != against the stepping thread's id: see StableNotOwner.
inline DBool operator==(const DInt& a, const DInt& b) {
  return DBool(a.v == b.v, a.deps | b.deps);
}
inline DBool operator==(const DInt& a, int b) {
  return DBool(a.v == b, StableNotOwner(a.deps, a.v, b) ? FieldSet{} : a.deps);
}
inline DBool operator==(int a, const DInt& b) { return b == a; }
inline DBool operator!=(const DInt& a, const DInt& b) {
  return DBool(a.v != b.v, a.deps | b.deps);
}
inline DBool operator!=(const DInt& a, int b) {
  return DBool(a.v != b, StableNotOwner(a.deps, a.v, b) ? FieldSet{} : a.deps);
}
inline DBool operator!=(int a, const DInt& b) { return b != a; }
LC_D_CMP(<)
LC_D_CMP(<=)
LC_D_CMP(>)
LC_D_CMP(>=)
#undef LC_D_CMP
// Not short-circuiting: both operands' fields count as read (conservative).
inline DBool operator&&(const DBool& a, const DBool& b) {
  return DBool(a.v && b.v, a.deps | b.deps);
}
inline DBool operator||(const DBool& a, const DBool& b) {
  return DBool(a.v || b.v, a.deps | b.deps);
}
inline DBool operator!(const DBool& a) { return DBool(!a.v, a.deps); }
inline DBool operator==(const DBool& a, const DBool& b) {
  return DBool(a.v == b.v, a.deps | b.deps);
}
inline DBool operator!=(const DBool& a, const DBool& b) {
  return DBool(a.v != b.v, a.deps | b.deps);
}

struct DynTaint {
  using Int = DInt;
  using Bool = DBool;
  static constexpr bool kSymbolic = false;
  static Int IntLit(int v) { return DInt(v); }
  static Bool BoolLit(bool b) { return DBool(b); }
  static Int Ite(const Bool& c, const Int& a, const Int& b) {
    const DInt& r = c.v ? a : b;
    return DInt(r.v, r.deps | c.deps);
  }
  static Bool IteB(const Bool& c, const Bool& a, const Bool& b) {
    const DBool& r = c.v ? a : b;
    return DBool(r.v, r.deps | c.deps);
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

Footprint DynamicFootprint(const Config& cfg, const Insn& insn, int t,
                           const World<Concrete>& cw) {
  using footprint_detail::DynTaint;
  std::vector<int> vals;
  VisitWorld(cw, [&](const char*, int, const char*, int, const auto& v) {
    vals.push_back(static_cast<int>(v));
  });
  World<DynTaint> w;
  int id = 0;
  VisitWorld(w, [&](const char*, int, const char*, int, auto& v) {
    v.v = static_cast<decltype(v.v)>(vals[id]);
    v.deps.reset();
    v.deps.set(id++);
  });
  Footprint fp;
  const FieldSet owners = OwnerFields();
  footprint_detail::g_dyn_reads = &fp.reads;
  footprint_detail::g_self = t;
  footprint_detail::g_owner_fields = &owners;
  {
    Machine<DynTaint> m(w, cfg, insn, t);
    DispatchStep(m);
    if (!m.blocked()) m.finish();
  }
  footprint_detail::g_dyn_reads = nullptr;
  footprint_detail::g_self = -1;
  footprint_detail::g_owner_fields = nullptr;
  id = 0;
  VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
    const bool self_only = v.deps.count() == 1 && v.deps.test(id);
    if (static_cast<int>(v.v) != vals[id] || !self_only) {
      fp.writes.set(id);
      fp.reads |= v.deps;
    }
    ++id;
  });
  return fp;
}

FieldSet OwnerFields() {
  static const FieldSet owners = [] {
    FieldSet s;
    World<Concrete> w{};
    int id = 0;
    VisitWorld(w,
               [&](const char* kind, int, const char* field, int, const auto&) {
                 const std::string_view k = kind, f = field;
                 if ((k == "inode" && (f == "rwsem" || f == "mmaplock")) ||
                     (k == "pg" && f == "lock_owner") ||
                     (k.empty() && (f == "ptl_owner" || f == "rm_work")))
                   s.set(id);
                 ++id;
               });
    return s;
  }();
  return owners;
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

FieldSet DeadFields() {
  static const FieldSet dead = [] {
    FieldSet s;
    int id = 0;
    World<Concrete> w{};
    VisitWorld(w,
               [&](const char* kind, int, const char* field, int, const auto&) {
                 const std::string_view k = kind, f = field;
                 if ((k == "th" && f == "ret") || (k.empty() && f == "warned"))
                   s.set(id);
                 ++id;
               });
    return s;
  }();
  return dead;
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
