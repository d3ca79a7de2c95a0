// The machine a step function runs in, generic over the value domain.
//
// Step functions (spec/*_steps.h) are written once and instantiated for
//   - Concrete (int16_t/bool): the executable oracle, fuzz/CLI/rapidcheck;
//   - Sym (z3::expr, mc/sym_domain.h): the Z3 encoding.
// To make that possible a step never branches on state with a C++ `if`; it
// uses m.when(cond, ...) and writes state only through m.set(...), which the
// symbolic domain turns into `x = ite(path_condition, v, x)`. Branching on the
// configuration or on call arguments (always concrete) is plain C++.
//
// Guard before effect: a step is atomic with a guard. m.await(c) contributes to
// the guard and must come before the step's first effect and outside any
// m.when(). A step whose guard is false is disabled: its thread is blocked and
// the state is unchanged (in the concrete domain the step returns early; in
// the symbolic domain the guard is returned to the encoder, which only
// schedules enabled steps).
#ifndef LIFECHECK_SPEC_MACHINE_H_
#define LIFECHECK_SPEC_MACHINE_H_

#include <array>
#include <cstdint>
#include <cstdlib>
#include <type_traits>

#include "config/config.h"
#include "config/no_coverage.h"
#include "spec/check.h"
#include "spec/findings.h"
#include "spec/program.h"
#include "spec/world.h"

namespace lifecheck {

// The concrete value domain: what the oracle runs on.
struct Concrete {
  using Int = int16_t;
  using Bool = bool;
  static constexpr bool kSymbolic = false;
  static Int IntLit(int v) { return static_cast<Int>(v); }
  static Bool BoolLit(bool b) { return b; }
  static Int Ite(Bool c, Int a, Int b) { return c ? a : b; }
  static Bool IteB(Bool c, Bool a, Bool b) { return c ? a : b; }
};

// Which objects a concrete step changed (Machine::footprint): the always-
// invariants after the step need only visit those and the objects whose
// invariants read them (spec/invariants.h TouchedObjects). Bit i of a mask is
// object i of that array. Thread-local fields and globals are not recorded:
// no always-invariant reads them.
// PTEs and pins are recorded with every page they referred to during the
// step (their page field's old values and its value now), since a page's
// invariants read them.
struct Touched {
  uint32_t d = 0, ino = 0, pg = 0, lease = 0, ev = 0, pte = 0, pin = 0;
  // Every object (a footprint that is not known).
  static constexpr Touched All() {
    constexpr uint32_t a = ~uint32_t{0};
    return {a, a, a, a, a, a, a};
  }
  constexpr Touched& operator|=(const Touched& o) {
    d |= o.d, ino |= o.ino, pg |= o.pg, lease |= o.lease, ev |= o.ev;
    pte |= o.pte, pin |= o.pin;
    return *this;
  }
  constexpr Touched& operator&=(const Touched& o) {
    d &= o.d, ino &= o.ino, pg &= o.pg, lease &= o.lease, ev &= o.ev;
    pte &= o.pte, pin &= o.pin;
    return *this;
  }
};
static_assert(kMaxDentries <= 32 && kMaxInodes <= 32 && kMaxPages <= 32 &&
              kMaxPtes <= 32 && kMaxPins <= 32 && kMaxEvents <= 32);

template <class D>
class Machine {
 public:
  using Int = typename D::Int;
  using Bool = typename D::Bool;
  static constexpr bool kSym = D::kSymbolic;
  // Only the concrete oracle records what a step touched (track()).
  static constexpr bool kTracks = std::is_same_v<D, Concrete>;

  // `probing`: evaluate only the guard (concrete domain); effects are dropped.
  Machine(World<D>& w, const Config& cfg, const Insn& insn, int thread,
          bool probing = false)
      : w(w),
        cfg(cfg),
        insn(insn),
        t(thread),
        probing_(probing),
        path_(D::BoolLit(true)),
        guard_(D::BoolLit(true)),
        moved_(D::BoolLit(false)) {}

  World<D>& w;
  const Config& cfg;
  const Insn& insn;
  const int t;  // the thread taking the step

  // Call argument k (concrete; validated by the trace parser).
  int arg(int k) const { return insn.args[k]; }
  Int lit(int v) const { return D::IntLit(v); }
  Bool lit(bool b) const { return D::BoolLit(b); }
  Bool yes() const { return D::BoolLit(true); }
  Bool no() const { return D::BoolLit(false); }

  // ---- guard ----
  // Adds `c` to the step's guard. Returns false (concrete) when the step is
  // disabled; the caller must then return without effects.
  bool await(Bool c) {
    if constexpr (kSym) {
      guard_ = guard_ && c;
      path_ = path_ && c;
      return true;
    } else {
      LC_CHECK(!effected_ && depth_ == 0);  // guard before effect
      if (!c) blocked_ = true;
      return c;
    }
  }

  // ---- effects ----
  void set(Int& x, Int v) {
    if constexpr (kSym) {
      x = D::Ite(path_, v, x);
    } else {
      effected_ = true;
      if (probing_) return;
      if constexpr (kTracks) Log(&x, x, x != v);
      x = v;
    }
  }
  void set(Int& x, int v) { set(x, D::IntLit(v)); }
  // set() of the thread's own pc, return value and registers: no object's
  // field, so the concrete domain leaves it out of the write log (which
  // only places objects, footprint()).
  void set_local(Int& x, Int v) {
    if constexpr (kSym) {
      set(x, v);
    } else {
      effected_ = true;
      if (probing_) return;
      x = v;
    }
  }
  void set_local(Int& x, int v) { set_local(x, D::IntLit(v)); }
  void set(Bool& x, Bool v) {
    if constexpr (kSym) {
      x = D::IteB(path_, v, x);
    } else {
      effected_ = true;
      if (probing_) return;
      if constexpr (kTracks) Log(&x, x, x != v);
      x = v;
    }
  }
  template <class B = Bool, class = std::enable_if_t<!std::is_same_v<B, bool>>>
  void set(Bool& x, bool v) {
    set(x, D::BoolLit(v));
  }
  void add(Int& x, int delta) { set(x, x + delta); }

  template <class F>
  void when(Bool c, F f) {
    if constexpr (kSym) {
      Bool saved = path_;
      path_ = path_ && c;
      ++depth_;
      f();
      --depth_;
      path_ = saved;
    } else {
      if (c) {
        ++depth_;
        f();
        --depth_;
      }
    }
  }
  template <class F, class G>
  void when(Bool c, F f, G g) {
    if constexpr (kSym) {
      Bool saved = path_;
      ++depth_;
      path_ = saved && c;
      f();
      path_ = saved && !c;
      g();
      --depth_;
      path_ = saved;
    } else {
      ++depth_;
      if (c)
        f();
      else
        g();
      --depth_;
    }
  }

  Int ite(Bool c, Int a, Int b) const { return D::Ite(c, a, b); }
  Int ite(Bool c, int a, Int b) const { return D::Ite(c, D::IntLit(a), b); }
  Int ite(Bool c, Int a, int b) const { return D::Ite(c, a, D::IntLit(b)); }
  Int ite(Bool c, int a, int b) const {
    return D::Ite(c, D::IntLit(a), D::IntLit(b));
  }
  Bool iteb(Bool c, Bool a, Bool b) const { return D::IteB(c, a, b); }

  // Records the first violated invariant (a finding, not an error).
  void violate(Bool c, Inv id) {
    const int code = static_cast<int>(id);
    if (cfg.ignored(code)) return;
    when(c && w.violation == 0, [&] { set(w.violation, code); });
  }
  void warn(Bool c, Warn k) {
    when(c, [&] { set(w.warned[static_cast<int>(k)], true); });
  }

  // ---- data-dependent object access ----
  // Applies f(object, is_it) to every element; is_it says whether the element
  // is the one `idx` names. Used where an index comes from state (a pin's page,
  // a PTE's page): the concrete domain visits one element, the symbolic one
  // visits all under ite. Out-of-range indices (e.g. kNone) visit nothing.
  template <class Arr, class F>
  void with(Arr& arr, Int idx, int n, F f) {
    if constexpr (kSym) {
      for (int i = 0; i < n; ++i) when(idx == i, [&] { f(arr[i]); });
    } else {
      if (idx >= 0 && idx < n) f(arr[idx]);
    }
  }
  // Reads field `get(obj)` of arr[idx]; `dflt` when idx is out of range.
  template <class Arr, class Get>
  auto read(const Arr& arr, Int idx, int n, Get get,
            decltype(get(arr[0])) dflt) const {
    if constexpr (kSym) {
      auto v = dflt;
      for (int i = n - 1; i >= 0; --i) v = Choose(idx == i, get(arr[i]), v);
      return v;
    } else {
      return (idx >= 0 && idx < n) ? get(arr[idx]) : dflt;
    }
  }

  // ---- control flow inside the thread's current call ----
  // By default a step falls through to the next step of its op; the call
  // returns when it runs past its last step.
  void go(Step s) {
    const int k = StepIndex(insn.op, cfg, s);
    LC_CHECK(k >= 0);  // the op has that step in this configuration
    jump(insn.base + k);
  }
  // Returns from the call: records the value, clears the registers (so
  // states that differ only in dead registers are one state), ends the call.
  // A call never returns holding i_rwsem or the fault lock: release them.
  // An internal remover's work item ends with its call (rm_work).
  void ret(Int v) {
    set_local(w.th[t].ret, v);
    for (auto& r : w.th[t].r) set_local(r, 0);
    for (int i = 0; i < cfg.inodes(); ++i) {
      when(w.ino[i].rwsem == t, [&] { set(w.ino[i].rwsem, -1); });
      when(w.ino[i].mmaplock == t, [&] { set(w.ino[i].mmaplock, -1); });
    }
    when(w.rm_work == t, [&] { set(w.rm_work, -1); });
    jump(insn.return_pc());
  }
  void ret(int v) { ret(D::IntLit(v)); }

  // Called by the executor after the step function: a step that did not
  // jump falls through; falling off the op's last step returns 0.
  void finish() {
    const bool last = insn.k + 1 == insn.len;
    if constexpr (kSym) {
      Bool saved = path_;
      path_ = guard_ && !moved_;
      if (last)
        ret(0);
      else
        set_local(w.th[t].pc, insn.base + insn.k + 1);
      path_ = saved;
    } else {
      if (moved_) return;
      if (last)
        ret(0);
      else
        set_local(w.th[t].pc, insn.base + insn.k + 1);
    }
  }

  bool blocked() const { return blocked_; }
  Bool guard() const { return guard_; }

  // Concrete domain: the objects whose fields this machine's set() calls
  // changed so far (every write of a step goes through set(); the symbolic
  // domain depends on that too). False if the writes overflowed the log:
  // then the footprint is unknown and every object must be checked.
  // Concrete domain: f(address, old value) for every field whose value a
  // set() of this machine changed, in order (a field written twice appears
  // twice, the first with its value before the step); false, and f never
  // called, if the log overflowed. set_local() writes (the thread's pc,
  // return value and registers) are not in it.
  template <class F>
  bool ForEachWrite(F f) const {
    static_assert(kTracks);
    if (n_log_ >= kLogSize) return false;
    for (int k = 0; k < n_log_; ++k) f(log_[k].addr, log_[k].old);
    return true;
  }

  LC_NO_COVERAGE bool footprint(Touched* out) const {
    static_assert(kTracks);
    if (n_log_ >= kLogSize) return false;
    Touched& o = *out;
    auto at = [](uintptr_t a, const auto& arr, uint32_t& mask) {
      const auto b = reinterpret_cast<uintptr_t>(arr.data());
      if (a - b >= sizeof(arr)) return -1;
      const int i = static_cast<int>((a - b) / sizeof(arr[0]));
      mask |= uint32_t{1} << i;
      return i;
    };
    auto page = [&o](int p) {
      if (p >= 0 && p < kMaxPages) o.pg |= uint32_t{1} << p;
    };
    for (int k = 0; k < n_log_; ++k) {
      const auto a = reinterpret_cast<uintptr_t>(log_[k].addr);
      if (at(a, w.d, o.d) >= 0 || at(a, w.ino, o.ino) >= 0 ||
          at(a, w.pg, o.pg) >= 0 || at(a, w.lease, o.lease) >= 0 ||
          at(a, w.ev, o.ev) >= 0)
        continue;
      if (const int e = at(a, w.pte, o.pte); e >= 0) {
        page(w.pte[e].page);
        if (log_[k].addr == &w.pte[e].page) page(log_[k].old);
      }
      if (const int i = at(a, w.pin, o.pin); i >= 0) {
        page(w.pin[i].page);
        if (log_[k].addr == &w.pin[i].page) page(log_[k].old);
      }
    }
    return true;
  }

 private:
  // The concrete write log: the address and old value of each field a set()
  // changed. Written without a branch: every set() stores its entry in the
  // next slot and advances only if the value changed (a full log keeps
  // overwriting its spare slot). Branches here would add coverage edges to
  // every write site of every step, edges that say nothing about the
  // protocol and that libFuzzer would process on every input.
  struct Write {
    const void* addr;
    int old;
  };
  static constexpr int kLogSize = 32;
  void Log(const void* addr, int old, bool changed) {
    log_[n_log_] = {addr, old};
    n_log_ += static_cast<int>(changed) & static_cast<int>(n_log_ < kLogSize);
  }
  std::array<Write, kLogSize + 1> log_;
  int n_log_ = 0;
  void jump(int target) {
    set_local(w.th[t].pc, target);
    if constexpr (kSym) {
      moved_ = moved_ || path_;
    } else {
      moved_ = true;
    }
  }
  template <class V>
  static V Choose(Bool c, const V& a, const V& b) {
    if constexpr (std::is_same_v<V, Int>)
      return D::Ite(c, a, b);
    else
      return D::IteB(c, a, b);
  }

  bool probing_;
  bool blocked_ = false;
  bool effected_ = false;
  int depth_ = 0;
  Bool path_;   // path condition of the current statement
  Bool guard_;  // conjunction of awaits
  Bool moved_;  // (symbolic) path condition under which a jump happened
};

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_MACHINE_H_
