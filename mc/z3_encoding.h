// The transition system of a problem (config + each thread's calls) as Z3
// formulas, built by running the spec's own step functions over the symbolic
// domain (DESIGN principle 2): no guard or effect is restated here.
//
// Construction (once per problem):
//   1. Every (thread t, pc p) of the flattened programs is executed under
//      Machine<Sym> on a template world: ExecStep's first two parts
//      (DispatchStep, then the fall-through finish()); its guard and its
//      post-state are kept as templates over the template's constants.
//      ExecStep's last part, CheckAlways, is run once over the template world
//      too and applied once to each post-frame (Trans): the same formula as
//      per step, without repeating it in every step's template.
//   2. Fields that no step can change are constants (their InitWorld value):
//      the template is rebuilt with them as literals until that set is stable
//      (a fixpoint, sound because a field is only called constant when every
//      step's simplified post-value is its own literal).
//   3. Footprints: each (t,p)'s read and write sets of fields, computed from
//      the constants its guard and post-values mention (so without the
//      always-invariants; the POR argument in z3_encoding.cc says why).
//   4. Symmetric threads: identical programs up to a renaming of their own
//      pin and PTE slots (slots are identical at InitWorld).
//
// A frame is the world at one time plus the scheduler choice taken from it.
// Frames are instantiated from the templates by substitution.
//
// Reductions (both keep at least one shortest counterexample; the argument is
// in docs/performance.md ("Model checking (Z3)") and in z3_encoding.cc):
//   - symmetry: within a group of symmetric threads i < j, j takes its first
//     step only after i has taken one (ghost "started" bits per frame);
//   - partial order: two adjacent steps of threads t1 > t2 whose footprints
//     are independent may not run in the order t1, t2 (one representative,
//     the lexicographically least, per commutation class of adjacent swaps).
#ifndef LIFECHECK_MC_Z3_ENCODING_H_
#define LIFECHECK_MC_Z3_ENCODING_H_

#include <z3++.h>

#include <string>
#include <vector>

#include "harness/trace/trace.h"
#include "mc/sym_domain.h"
#include "spec/exec.h"
#include "spec/program.h"

namespace lifecheck {

struct EncodingOptions {
  bool por = true;       // forbid out-of-order adjacent independent steps
  bool symmetry = true;  // order the first steps of symmetric threads
  // Trans/Next constrain only the fields in the cone of influence (cone()):
  // the others are free in every frame after the first. No verdict reads
  // them, so BMC's answers are unchanged and its frames are smaller.
  bool cone = true;
};

// The world at time k (variable fields only; constants are literals) and the
// choice made there.
struct Frame {
  int k = 0;
  std::vector<z3::expr> v;  // every world field, in VisitWorld order
  z3::expr sched;           // thread that steps from this frame
  // If that thread waits at a junction (a choice, spec/thread_body.h): the
  // pc of the instruction it runs, one of the junction's targets.
  z3::expr choice;
  std::vector<z3::expr> started;           // ghost: thread t has taken a step
  std::vector<std::vector<z3::expr>> act;  // [t][p]: sched == t && pc_t == p
};

class Z3Encoding {
 public:
  // Requires ScopedSymContext(ctx) installed on this thread for the
  // encoding's whole lifetime.
  Z3Encoding(z3::context& ctx, const Trace& problem, EncodingOptions opts);

  // A frame with fresh constants named "<prefix><k>.<field>".
  Frame MakeFrame(const std::string& prefix, int k) const;

  z3::expr Init(const Frame& f) const;  // f is the initial world
  // Structural facts of every reachable frame: pcs in [0, len], the frame's
  // violation is 0 and the spec's always-invariants (CheckAlways run over the
  // frame's world) hold. The k-induction step case assumes them of its
  // arbitrary first frame.
  z3::expr Invariants(const Frame& f) const;
  // One step from a to b: the scheduled thread's next step is enabled in a
  // and b is its post-state; symmetry ghosts advance.
  z3::expr Trans(const Frame& a, const Frame& b) const;
  // Functional unrolling: the frame after a's step, its fields given as
  // expressions over a's (no new field constants); *constraint gets the
  // step's enabledness and scheduling constraints.
  Frame Next(const Frame& a, const std::string& prefix,
             z3::expr* constraint) const;
  // The partial-order constraint on the two steps taken from a and from b
  // (b follows a). Empty conjunction (true) when POR is off.
  z3::expr Por(const Frame& a, const Frame& b) const;
  z3::expr Violation(const Frame& f) const;  // f.violation != 0
  z3::expr Deadlock(const Frame& f) const;   // work left, nothing enabled
  z3::expr Bad(const Frame& f) const { return Violation(f) || Deadlock(f); }
  z3::expr Distinct(const Frame& a, const Frame& b) const;

  // One step without a scheduler (the proof machinery's one-step queries):
  // thread t's instruction p taken from the world `pre` (every field, in
  // VisitWorld order; the variable ones free). `enabled` is pc_t == p and
  // the step's guard; `post` is the world after it, each field an
  // expression over `pre` (ExecStep: the step, then CheckAlways into the
  // violation field unless the step recorded one).
  struct OneStep {
    z3::expr enabled;
    std::vector<z3::expr> post;
  };
  // `at`: the pc the thread is at, if not p: a junction of which p is a
  // target (the step resolves the choice, as in StepConstraint).
  OneStep Step(const std::vector<z3::expr>& pre, int t, int p,
               int at = -1) const;
  // The junction at thread t's pc p (a choice), or nullptr for a step.
  const Junction* junction(int t, int p) const { return progs_[t].junction(p); }
  // Deadlock over a world given as fields.
  z3::expr DeadlockOf(const std::vector<z3::expr>& v) const;
  // Liveness (docs/liveness.md), per thread t in frame f: it can move; it
  // has no work (at its end, at a junction that allows stopping, idle at a
  // work item's wait); it waits at a condition wait (weak fairness).
  z3::expr Enabled(const Frame& f, int t) const;
  z3::expr NoWork(const Frame& f, int t) const;
  z3::expr WeakWait(const Frame& f, int t) const;
  // f and g are one state of a lasso: every field but the dead ones
  // (mc/footprint.h DeadFields) equal, as the explicit checker stores them.
  z3::expr SameState(const Frame& f, const Frame& g) const;
  // The spec's always-invariants (CheckAlways) hold in the world `v`.
  z3::expr AlwaysHold(const std::vector<z3::expr>& v) const {
    return Inst(always_viol_, v) == 0;
  }
  // Variable fields step (t, p) may write (the violation field included).
  const std::vector<int>& Writes(int t, int p) const {
    return insn_[t][p].writes;
  }
  int num_insns(int t) const { return static_cast<int>(progs_[t].size()); }
  const std::vector<int>& variable_fields() const { return var_; }
  // The cone of influence of the properties (violation, always-invariants,
  // deadlock): the variable fields that a guard, the always-invariants or
  // an event check reads, closed under "a step computes a field of the
  // cone from it". A field outside it (a call's return value, a PTE's
  // dirty bit on DAX) never changes a verdict: the one-step proofs and the
  // sample ignore it. Sorted.
  const std::vector<int>& cone() const { return cone_; }
  const std::string& field_name(int i) const { return names_[i]; }
  bool field_is_bool(int i) const { return is_bool_[i]; }
  int initial_value(int i) const { return init_[i]; }
  int pc_field(int t) const { return pc_field_[t]; }
  const Trace& problem() const { return problem_; }

  int num_threads() const { return static_cast<int>(progs_.size()); }
  const ThreadProgram& program(int t) const { return progs_[t]; }
  // The pc of the instruction thread `sched` runs from frame f in `model`
  // (its pc, or the chosen target of its junction).
  int ExecutedPc(const Frame& f, const z3::model& model) const;
  int num_variable_fields() const { return static_cast<int>(var_.size()); }
  int num_fields() const { return static_cast<int>(init_.size()); }
  int num_insns() const;
  int64_t independent_pairs() const { return indep_pairs_; }
  int symmetric_threads() const;  // threads ordered by symmetry constraints
  int violation_field() const { return violation_; }
  const Config& config() const { return problem_.config; }

 private:
  struct Insn1 {
    z3::expr guard;                      // template
    std::vector<int> writes;             // variable fields written
    std::vector<z3::expr> post;          // template post-value per write
    std::vector<int> fp_read, fp_write;  // footprint (sorted, no violation)
  };

  void BuildTemplates();
  // Sets b's fields and ghosts to a's successor; returns the constraints.
  z3::expr StepConstraint(const Frame& a, Frame* b) const;
  void ComputeFootprints();
  void ComputeSymmetry();
  void ComputeCone();
  z3::expr Inst(const z3::expr& tmpl, const Frame& f) const {
    return Inst(tmpl, f.v);
  }
  z3::expr Inst(const z3::expr& tmpl, const std::vector<z3::expr>& v) const;

  z3::context& ctx_;
  Trace problem_;
  EncodingOptions opts_;
  std::vector<ThreadProgram> progs_;
  std::vector<int> init_;           // InitWorld, flattened
  std::vector<bool> is_bool_;       // field sort
  std::vector<std::string> names_;  // field names
  std::vector<int> var_;            // indices of variable fields
  std::vector<int> pc_field_;       // field index of th[t].pc
  int violation_ = -1;
  z3::expr_vector tmpl_vars_;             // template constants of var_ fields
  std::vector<std::vector<Insn1>> insn_;  // [t][p]
  z3::expr always_viol_;                  // CheckAlways over the template world
  // [t1][p1][t2]: the pcs p2 of t2 (< t1) independent of (t1, p1).
  std::vector<std::vector<std::vector<std::vector<int>>>> indep_;
  int64_t indep_pairs_ = 0;
  std::vector<std::pair<int, int>> sym_order_;  // (i, j): j starts after i
  std::vector<int> cone_;
  std::vector<bool> in_cone_;  // [field]
};

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_ENCODING_H_
