#include "mc/z3_encoding.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "mc/footprint.h"
#include "spec/step_table.h"
#include "spec/thread_body.h"

// Why the reductions keep a shortest counterexample (bad = violation != 0 or
// deadlock; "shortest" = fewest steps over all schedules).
//
// Partial order. Steps A (thread t1) and B (thread t2) are independent when
// W(A) ∩ (R(B) ∪ W(B)) = W(B) ∩ R(A) = ∅, where R and W are the fields a
// step's guard, effects and event invariants read and write, computed from
// the symbolic step without the always-invariants and without the
// `violation` field itself. Take a shortest counterexample; all its states
// before the last are clean. If it runs A then B (t1 > t2) from state s and
// they are independent: B is enabled at s and A at s·B (guards read nothing
// the other writes), s·B·A and s·A·B agree on every field but `violation`,
// and B's event invariants read at s what they read at s·A. So either s·B
// is bad (a shorter counterexample: impossible) or the swapped run is a
// counterexample of the same length ending in the same world, whose
// always-invariants (CheckAlways reads only the world) fail as before.
// Swapping strictly decreases the schedule lexicographically, so it ends in a
// shortest counterexample with no out-of-order independent adjacent pair.
//
// Symmetry. Threads i < j whose programs are equal up to swapping their own
// pin and PTE slots (which InitWorld makes identical and no other thread
// names), with the thread indices themselves swapped, are interchangeable:
// the permuted run of a counterexample is a counterexample of the same
// length (invariants quantify over all objects). Permuting a group so that
// its members start in index order, then sorting by the swaps above (which
// only ever move a lower thread earlier), keeps both constraints.
//
// Both constraints concern adjacent frames or per-frame ghosts, so they also
// hold on every suffix of such a run: the k-induction step case may assume
// them, together with simple paths (a shortest run repeats no world).

namespace lifecheck {
namespace {

SWorld FromVector(const std::vector<z3::expr>& v) {
  SWorld w;
  size_t i = 0;
  VisitWorld(w,
             [&](const char*, int, const char*, int, auto& x) { x = v[i++]; });
  return w;
}

// Uninterpreted constants of `e` (their AST ids), into `out`.
void CollectConsts(const z3::expr& e, std::unordered_set<unsigned>& seen,
                   std::vector<z3::expr>& out) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    out.push_back(e);
    return;
  }
  if (e.is_app())
    for (unsigned i = 0; i < e.num_args(); ++i)
      CollectConsts(e.arg(i), seen, out);
}

}  // namespace

Z3Encoding::Z3Encoding(z3::context& ctx, const Trace& problem,
                       EncodingOptions opts)
    : ctx_(ctx),
      problem_(problem),
      opts_(opts),
      tmpl_vars_(ctx),
      always_viol_(ctx) {
  for (size_t t = 0; t < problem_.threads.size(); ++t)
    progs_.push_back(
        FlattenBody(problem_.body(static_cast<int>(t)), problem_.config));
  const CWorld init = InitWorld(problem_.config);
  VisitWorld(init, [&](const char* kind, int oi, const char* field, int ei,
                       const auto& v) {
    init_.push_back(static_cast<int>(v));
    is_bool_.push_back(std::is_same_v<std::decay_t<decltype(v)>, bool>);
    names_.push_back(WorldFieldName(kind, oi, field, ei));
  });
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == "violation") violation_ = static_cast<int>(i);
  for (int t = 0; t < num_threads(); ++t) {
    const std::string pc = "th[" + std::to_string(t) + "].pc";
    pc_field_.push_back(static_cast<int>(
        std::find(names_.begin(), names_.end(), pc) - names_.begin()));
  }
  LC_CHECK(violation_ >= 0);
  BuildTemplates();
  ComputeFootprints();
  ComputeSymmetry();
  ComputeCone();
}

int Z3Encoding::num_insns() const {
  int n = 0;
  for (const auto& p : progs_) n += static_cast<int>(p.size());
  return n;
}

int Z3Encoding::symmetric_threads() const {
  std::set<int> s;
  for (auto [i, j] : sym_order_) s.insert(j);
  return static_cast<int>(s.size());
}

void Z3Encoding::BuildTemplates() {
  const Config& cfg = problem_.config;
  const size_t n = init_.size();
  auto literal = [&](size_t i) {
    return is_bool_[i] ? ctx_.bool_val(init_[i] != 0) : Lit(init_[i]);
  };
  std::vector<bool> variable(n, true);
  std::vector<z3::expr> pre;
  // Fixpoint: fields that no step writes are literals; with fewer symbols
  // more steps simplify to "unchanged", so iterate until stable.
  for (int iter = 0;; ++iter) {
    pre.clear();
    for (size_t i = 0; i < n; ++i)
      pre.push_back(variable[i]
                        ? (is_bool_[i]
                               ? ctx_.bool_const(("s." + names_[i]).c_str())
                               : SymIntConst("s." + names_[i]))
                        : literal(i));
    const SWorld w = FromVector(pre);
    std::vector<bool> written(n, false);
    insn_.assign(progs_.size(), {});
    for (int t = 0; t < num_threads(); ++t) {
      for (size_t p = 0; p < progs_[t].size(); ++p) {
        if (progs_[t].junction(static_cast<int>(p))) {
          // A junction runs no step: a thread there takes one of its
          // targets' steps (StepConstraint), never this pc's.
          insn_[t].push_back(Insn1{ctx_.bool_val(false), {}, {}, {}, {}});
          continue;
        }
        // ExecStep minus its last part, CheckAlways: Trans applies that
        // once to the post-frame instead of once per step (same formula).
        SWorld post = w;
        Machine<Sym> m(post, cfg, progs_[t][p], t);
        DispatchStep(m);
        m.finish();
        const std::vector<z3::expr> flat = lifecheck::Flatten(post);
        Insn1 in{m.guard().e.simplify(), {}, {}, {}, {}};
        for (size_t i = 0; i < n; ++i) {
          z3::expr e = flat[i].simplify();
          if (z3::eq(e, pre[i])) continue;
          written[i] = true;
          in.writes.push_back(static_cast<int>(i));
          in.post.push_back(e);
        }
        insn_[t].push_back(std::move(in));
      }
    }
    // The always-invariants (applied in Trans) write the violation field.
    written[violation_] = true;
    if (written == variable) break;
    if (iter == 8) {  // not stable: keep every field symbolic (always sound)
      variable.assign(n, true);
      continue;
    }
    variable = written;
  }
  var_.clear();
  for (size_t i = 0; i < n; ++i)
    if (variable[i]) {
      var_.push_back(static_cast<int>(i));
      tmpl_vars_.push_back(pre[i]);
    }
  // The always-invariants of the template world, from a clean violation.
  std::vector<z3::expr> clean = pre;
  clean[violation_] = Lit(0);
  SWorld w = FromVector(clean);
  Insn none{};
  Machine<Sym> m(w, cfg, none, 0);
  CheckAlways(m);
  always_viol_ = w.violation.e.simplify();
}

void Z3Encoding::ComputeFootprints() {
  std::unordered_map<unsigned, int> field_of;
  for (size_t k = 0; k < var_.size(); ++k)
    field_of[tmpl_vars_[static_cast<unsigned>(k)].id()] = var_[k];
  for (int t = 0; t < num_threads(); ++t) {
    for (size_t p = 0; p < progs_[t].size(); ++p) {
      Insn1& in = insn_[t][p];
      std::unordered_set<unsigned> seen;
      std::vector<z3::expr> consts;
      CollectConsts(in.guard, seen, consts);
      for (const auto& e : in.post) CollectConsts(e, seen, consts);
      for (int i : in.writes)
        if (i != violation_) in.fp_write.push_back(i);
      for (const auto& c : consts) {
        auto it = field_of.find(c.id());
        if (it != field_of.end() && it->second != violation_)
          in.fp_read.push_back(it->second);
      }
      std::sort(in.fp_read.begin(), in.fp_read.end());
      in.fp_read.erase(std::unique(in.fp_read.begin(), in.fp_read.end()),
                       in.fp_read.end());
    }
  }
  auto meets = [](const std::vector<int>& a, const std::vector<int>& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (a[i] == b[j]) return true;
      if (a[i] < b[j])
        ++i;
      else
        ++j;
    }
    return false;
  };
  indep_.assign(progs_.size(), {});
  for (int t1 = 0; t1 < num_threads(); ++t1) {
    indep_[t1].resize(progs_[t1].size());
    for (size_t p1 = 0; p1 < progs_[t1].size(); ++p1) {
      indep_[t1][p1].resize(t1);
      const Insn1& a = insn_[t1][p1];
      for (int t2 = 0; t2 < t1; ++t2)
        for (size_t p2 = 0; p2 < progs_[t2].size(); ++p2) {
          const Insn1& b = insn_[t2][p2];
          if (meets(a.fp_write, b.fp_read) || meets(a.fp_write, b.fp_write) ||
              meets(b.fp_write, a.fp_read))
            continue;
          indep_[t1][p1][t2].push_back(static_cast<int>(p2));
          ++indep_pairs_;
        }
    }
  }
}

void Z3Encoding::ComputeCone() {
  std::unordered_map<unsigned, int> field_of;
  for (size_t k = 0; k < var_.size(); ++k)
    field_of[tmpl_vars_[static_cast<unsigned>(k)].id()] = var_[k];
  auto reads = [&](const z3::expr& e, std::vector<int>& out) {
    std::unordered_set<unsigned> seen;
    std::vector<z3::expr> consts;
    CollectConsts(e, seen, consts);
    for (const auto& c : consts) {
      auto it = field_of.find(c.id());
      if (it != field_of.end()) out.push_back(it->second);
    }
  };
  // Roots: the violation field, what the always-invariants read, every
  // guard and every pc (deadlock reads them all).
  std::vector<int> work{violation_};
  reads(always_viol_, work);
  for (int t = 0; t < num_threads(); ++t) {
    work.push_back(pc_field_[t]);
    for (const Insn1& in : insn_[t]) reads(in.guard, work);
  }
  // Data dependence: a field of the cone is computed from these.
  std::vector<std::vector<int>> from(init_.size());
  for (int t = 0; t < num_threads(); ++t)
    for (const Insn1& in : insn_[t])
      for (size_t w = 0; w < in.writes.size(); ++w)
        reads(in.post[w], from[in.writes[w]]);
  std::vector<bool> in(init_.size(), false);
  while (!work.empty()) {
    const int f = work.back();
    work.pop_back();
    if (in[f]) continue;
    in[f] = true;
    for (int g : from[f]) work.push_back(g);
  }
  cone_.clear();
  for (int i : var_)
    if (in[i]) cone_.push_back(i);
  in_cone_ = in;
}

void Z3Encoding::ComputeSymmetry() {
  const int n = num_threads();
  // Each thread's calls in layout order (the first instruction of each):
  // for a list of calls, the list itself; for a body with choices, every
  // alternative, with the layout (junctions, where calls return) compared
  // separately below.
  std::vector<std::vector<Call>> th(n);
  for (int t = 0; t < n; ++t)
    for (const Insn& in : progs_[t])
      if (in.step != Step::kCount && in.k == 0)
        th[t].push_back({in.op, in.args});
  auto same_layout = [&](int i, int j) {
    const ThreadProgram &a = progs_[i], &b = progs_[j];
    if (a.size() != b.size() || a.junctions != b.junctions) return false;
    for (size_t p = 0; p < a.size(); ++p)
      if (a[p].step != b[p].step || a[p].return_pc() != b[p].return_pc())
        return false;
    return true;
  };
  // Slots (kind, index) a thread names.
  auto slots = [&](int t) {
    std::set<std::pair<int, int>> s;
    for (const Call& c : th[t]) {
      const OpInfo& info = GetOpInfo(c.op);
      for (int k = 0; k < info.nargs; ++k)
        if (info.arg_kinds[k] == ArgKind::kPin ||
            info.arg_kinds[k] == ArgKind::kPte)
          s.insert({static_cast<int>(info.arg_kinds[k]), c.args[k]});
    }
    return s;
  };
  auto symmetric = [&](int i, int j) {
    if (th[i].size() != th[j].size() || !same_layout(i, j)) return false;
    std::map<std::pair<int, int>, int> fwd, bwd;  // slot renaming i -> j
    for (size_t c = 0; c < th[i].size(); ++c) {
      const Call &a = th[i][c], &b = th[j][c];
      if (a.op != b.op) return false;
      const OpInfo& info = GetOpInfo(a.op);
      for (int k = 0; k < info.nargs; ++k) {
        const ArgKind kind = info.arg_kinds[k];
        if (kind != ArgKind::kPin && kind != ArgKind::kPte) {
          if (a.args[k] != b.args[k]) return false;
          continue;
        }
        const std::pair<int, int> sa{static_cast<int>(kind), a.args[k]},
            sb{static_cast<int>(kind), b.args[k]};
        auto f = fwd.emplace(sa, sb.second).first;
        auto g = bwd.emplace(sb, sa.second).first;
        if (f->second != sb.second || g->second != sa.second) return false;
      }
    }
    // A renamed slot must be private to i (resp. j): the swap is an
    // involution on slots and fixes every other thread's slots.
    const auto si = slots(i), sj = slots(j);
    std::set<std::pair<int, int>> moved;
    for (const auto& [sa, b] : fwd) {
      if (sa.second == b) continue;
      if (sj.count(sa) || si.count({sa.first, b})) return false;
      moved.insert(sa);
      moved.insert({sa.first, b});
    }
    for (int l = 0; l < n; ++l) {
      if (l == i || l == j) continue;
      for (const auto& s : slots(l))
        if (moved.count(s)) return false;
    }
    return true;
  };
  std::vector<std::vector<int>> groups;
  for (int j = 0; j < n; ++j) {
    bool placed = false;
    for (auto& g : groups) {
      bool all = true;
      for (int i : g) all = all && symmetric(i, j);
      if (all) {
        g.push_back(j);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({j});
  }
  for (const auto& g : groups)
    for (size_t k = 1; k < g.size(); ++k)
      sym_order_.push_back({g[k - 1], g[k]});
}

Frame Z3Encoding::MakeFrame(const std::string& prefix, int k) const {
  const std::string p = prefix + std::to_string(k) + ".";
  Frame f{k, {}, SymIntConst(p + "sched"), SymIntConst(p + "choice"), {}, {}};
  size_t vi = 0;
  for (size_t i = 0; i < init_.size(); ++i) {
    if (vi < var_.size() && var_[vi] == static_cast<int>(i)) {
      ++vi;
      f.v.push_back(is_bool_[i] ? ctx_.bool_const((p + names_[i]).c_str())
                                : SymIntConst(p + names_[i]));
    } else {
      f.v.push_back(is_bool_[i] ? ctx_.bool_val(init_[i] != 0) : Lit(init_[i]));
    }
  }
  for (int t = 0; t < num_threads(); ++t) {
    f.started.push_back(
        ctx_.bool_const((p + "started" + std::to_string(t)).c_str()));
    f.act.emplace_back();
    for (size_t q = 0; q < progs_[t].size(); ++q)
      f.act[t].push_back(ctx_.bool_const(
          (p + "act" + std::to_string(t) + "." + std::to_string(q)).c_str()));
  }
  return f;
}

z3::expr Z3Encoding::Inst(const z3::expr& tmpl,
                          const std::vector<z3::expr>& v) const {
  z3::expr_vector dst(ctx_);
  for (int i : var_) dst.push_back(v[i]);
  z3::expr_vector src = tmpl_vars_;
  return const_cast<z3::expr&>(tmpl).substitute(src, dst);
}

z3::expr Z3Encoding::Init(const Frame& f) const {
  z3::expr_vector c(ctx_);
  for (int i : var_)
    c.push_back(f.v[i] ==
                (is_bool_[i] ? ctx_.bool_val(init_[i] != 0) : Lit(init_[i])));
  for (const auto& s : f.started) c.push_back(!s);
  return z3::mk_and(c);
}

z3::expr Z3Encoding::Invariants(const Frame& f) const {
  z3::expr_vector c(ctx_);
  for (int t = 0; t < num_threads(); ++t) {
    const z3::expr& pc = f.v[pc_field_[t]];
    c.push_back(pc >= 0 && pc <= static_cast<int>(progs_[t].size()));
  }
  c.push_back(f.v[violation_] == 0);
  c.push_back(Inst(always_viol_, f) == 0);
  return z3::mk_and(c);
}

z3::expr Z3Encoding::Trans(const Frame& a, const Frame& b) const {
  Frame next = MakeFrame("", 0);  // only its field values are used
  z3::expr c = StepConstraint(a, &next);
  z3::expr_vector eq(ctx_);
  eq.push_back(c);
  for (int i : var_)
    if (!opts_.cone || in_cone_[i]) eq.push_back(b.v[i] == next.v[i]);
  for (int t = 0; t < num_threads(); ++t)
    eq.push_back(b.started[t] == next.started[t]);
  return z3::mk_and(eq);
}

Frame Z3Encoding::Next(const Frame& a, const std::string& prefix,
                       z3::expr* constraint) const {
  Frame b = MakeFrame(prefix, a.k + 1);
  *constraint = StepConstraint(a, &b);
  return b;
}

z3::expr Z3Encoding::StepConstraint(const Frame& a, Frame* b) const {
  z3::expr_vector c(ctx_);
  const int n = num_threads();
  c.push_back(a.sched >= 0 && a.sched < n);
  c.push_back(a.v[violation_] == 0);
  z3::expr_vector enabled(ctx_);
  for (int t = 0; t < n; ++t) {
    const ThreadProgram& prog = progs_[t];
    const z3::expr& pc = a.v[pc_field_[t]];
    // at[p]: thread t is about to run pc p — its pc, or a junction whose
    // chosen target is p (the choice is resolved by this very step).
    std::vector<z3::expr> at;
    for (size_t p = 0; p < prog.size(); ++p)
      at.push_back(prog.junction(static_cast<int>(p))
                       ? ctx_.bool_val(false)
                       : pc == static_cast<int>(p));
    for (size_t j = 0; j < prog.size(); ++j)
      if (const Junction* jn = prog.junction(static_cast<int>(j)))
        for (int q : jn->targets)
          at[q] = at[q] || (pc == static_cast<int>(j) && a.choice == q);
    for (size_t p = 0; p < prog.size(); ++p) {
      const z3::expr& act = a.act[t][p];
      c.push_back(act == (a.sched == t && at[p]));
      enabled.push_back(act && Inst(insn_[t][p].guard, a));
    }
  }
  c.push_back(z3::mk_or(enabled));
  // Next value of each variable field: the ite over the steps that write it.
  std::vector<z3::expr> next;
  for (size_t i = 0; i < a.v.size(); ++i) next.push_back(a.v[i]);
  for (int t = n - 1; t >= 0; --t)
    for (int p = static_cast<int>(progs_[t].size()) - 1; p >= 0; --p) {
      const Insn1& in = insn_[t][p];
      for (size_t w = 0; w < in.writes.size(); ++w) {
        const int i = in.writes[w];
        if (opts_.cone && !in_cone_[i]) continue;  // free in b
        next[i] = z3::ite(a.act[t][p], Inst(in.post[w], a), next[i]);
      }
    }
  // ExecStep's last part: CheckAlways on the post-state unless the step
  // itself recorded a violation (Machine::violate keeps the first).
  for (int i : var_)
    if (i != violation_ && (!opts_.cone || in_cone_[i])) b->v[i] = next[i];
  const z3::expr ve = next[violation_];
  b->v[violation_] = z3::ite(ve != 0, ve, Inst(always_viol_, *b));
  for (int t = 0; t < n; ++t) b->started[t] = a.started[t] || a.sched == t;
  if (opts_.symmetry)
    for (auto [i, j] : sym_order_)
      c.push_back(z3::implies(a.sched == j, a.started[i]));
  return z3::mk_and(c);
}

z3::expr Z3Encoding::Por(const Frame& a, const Frame& b) const {
  z3::expr_vector c(ctx_);
  if (!opts_.por) return ctx_.bool_val(true);
  for (int t1 = 0; t1 < num_threads(); ++t1)
    for (size_t p1 = 0; p1 < progs_[t1].size(); ++p1)
      for (int t2 = 0; t2 < t1; ++t2) {
        const auto& ps = indep_[t1][p1][t2];
        if (ps.empty()) continue;
        z3::expr_vector later(ctx_);
        for (int p2 : ps) later.push_back(b.act[t2][p2]);
        c.push_back(!(a.act[t1][p1] && z3::mk_or(later)));
      }
  return z3::mk_and(c);
}

int Z3Encoding::ExecutedPc(const Frame& f, const z3::model& model) const {
  const int t = model.eval(f.sched, true).get_numeral_int();
  const int pc = model.eval(f.v[pc_field_[t]], true).get_numeral_int();
  if (!progs_[t].junction(pc)) return pc;
  return model.eval(f.choice, true).get_numeral_int();
}

z3::expr Z3Encoding::Violation(const Frame& f) const {
  return f.v[violation_] != 0;
}

z3::expr Z3Encoding::Deadlock(const Frame& f) const { return DeadlockOf(f.v); }

// A thread blocked at a work item's idle wait (IsIdleWaitStep) has no work
// left, as SpecExec::all_done says.

z3::expr Z3Encoding::DeadlockOf(const std::vector<z3::expr>& v) const {
  z3::expr_vector work(ctx_), blocked(ctx_);
  for (int t = 0; t < num_threads(); ++t) {
    const ThreadProgram& prog = progs_[t];
    const z3::expr& pc = v[pc_field_[t]];
    // Work is left unless the thread may stop (its end, a junction that
    // allows stopping, an idle wait); it is blocked at a junction iff every
    // target is.
    z3::expr_vector stop(ctx_);
    stop.push_back(pc == static_cast<int>(prog.size()));
    for (size_t p = 0; p < prog.size(); ++p) {
      const Junction* j = prog.junction(static_cast<int>(p));
      if (!j) {
        if (IsIdleWaitStep(prog[p].step))
          stop.push_back(pc == static_cast<int>(p));
        blocked.push_back(
            !(pc == static_cast<int>(p) && Inst(insn_[t][p].guard, v)));
        continue;
      }
      if (j->may_end) stop.push_back(pc == static_cast<int>(p));
      for (int q : j->targets)
        blocked.push_back(
            !(pc == static_cast<int>(p) && Inst(insn_[t][q].guard, v)));
    }
    work.push_back(!z3::mk_or(stop));
  }
  return v[violation_] == 0 && z3::mk_or(work) && z3::mk_and(blocked);
}

z3::expr Z3Encoding::Enabled(const Frame& f, int t) const {
  const ThreadProgram& prog = progs_[t];
  const z3::expr& pc = f.v[pc_field_[t]];
  z3::expr_vector en(ctx_);
  for (size_t p = 0; p < prog.size(); ++p) {
    const Junction* j = prog.junction(static_cast<int>(p));
    if (!j) {
      en.push_back(pc == static_cast<int>(p) && Inst(insn_[t][p].guard, f));
      continue;
    }
    for (int q : j->targets)
      en.push_back(pc == static_cast<int>(p) && Inst(insn_[t][q].guard, f));
  }
  return z3::mk_or(en);
}

z3::expr Z3Encoding::NoWork(const Frame& f, int t) const {
  const ThreadProgram& prog = progs_[t];
  const z3::expr& pc = f.v[pc_field_[t]];
  z3::expr_vector stop(ctx_);
  stop.push_back(pc == static_cast<int>(prog.size()));
  for (size_t p = 0; p < prog.size(); ++p) {
    const Junction* j = prog.junction(static_cast<int>(p));
    if (j && j->may_end) stop.push_back(pc == static_cast<int>(p));
    if (!j && IsIdleWaitStep(prog[p].step))
      stop.push_back(pc == static_cast<int>(p) && !Inst(insn_[t][p].guard, f));
  }
  return z3::mk_or(stop);
}

z3::expr Z3Encoding::WeakWait(const Frame& f, int t) const {
  const ThreadProgram& prog = progs_[t];
  z3::expr_vector weak(ctx_);
  weak.push_back(ctx_.bool_val(false));
  for (size_t p = 0; p < prog.size(); ++p)
    if (!prog.junction(static_cast<int>(p)) &&
        IsConditionWaitStep(prog[p].step))
      weak.push_back(f.v[pc_field_[t]] == static_cast<int>(p));
  return z3::mk_or(weak);
}

z3::expr Z3Encoding::SameState(const Frame& f, const Frame& g) const {
  const FieldSet dead = DeadFields();
  z3::expr_vector eq(ctx_);
  eq.push_back(ctx_.bool_val(true));
  for (int i : var_)
    if (!dead.test(i)) eq.push_back(f.v[i] == g.v[i]);
  return z3::mk_and(eq);
}

Z3Encoding::OneStep Z3Encoding::Step(const std::vector<z3::expr>& pre, int t,
                                     int p, int at) const {
  const Insn1& in = insn_[t][p];
  OneStep s{pre[pc_field_[t]] == (at >= 0 ? at : p) && Inst(in.guard, pre),
            pre};
  for (size_t w = 0; w < in.writes.size(); ++w)
    s.post[in.writes[w]] = Inst(in.post[w], pre);
  // ExecStep's last part, as in StepConstraint.
  const z3::expr ve = s.post[violation_];
  s.post[violation_] = z3::ite(ve != 0, ve, Inst(always_viol_, s.post));
  return s;
}

z3::expr Z3Encoding::Distinct(const Frame& a, const Frame& b) const {
  z3::expr_vector d(ctx_);
  for (int i : var_)
    if (i != violation_ && (!opts_.cone || in_cone_[i]))
      d.push_back(a.v[i] != b.v[i]);
  return z3::mk_or(d);
}

}  // namespace lifecheck
