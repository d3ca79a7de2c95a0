#include "mc/z3_houdini.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <deque>
#include <map>
#include <string>

#include "mc/z3_invariant.h"

namespace lifecheck {
namespace {

using Clock = std::chrono::steady_clock;
using Bits = std::vector<uint64_t>;

// A wall-clock budget for a sequence of solver calls (0: none).
class Deadline {
 public:
  explicit Deadline(double budget_s) {
    if (budget_s > 0)
      end_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(budget_s));
  }
  bool passed() const { return Clock::now() >= end_; }
  // Milliseconds left, for a solver's "timeout" (0 = none), at least 1.
  unsigned ms() const {
    if (end_ == Clock::time_point::max()) return 0;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          end_ - Clock::now())
                          .count();
    return static_cast<unsigned>(std::max<int64_t>(1, left));
  }

 private:
  Clock::time_point end_ = Clock::time_point::max();
};

int Count(const Bits& b) {
  int n = 0;
  for (uint64_t w : b) n += std::popcount(w);
  return n;
}

void AndInto(Bits& a, const Bits& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] &= b[i];
}

bool Meets(const Bits& a, const Bits& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] & b[i]) return true;
  return false;
}

}  // namespace

class Houdini::Impl {
 public:
  Impl(const Z3Encoding& enc, const Terms& terms, const StateSample& sample,
       const ClauseSymmetry* sym)
      : enc_(enc),
        terms_(terms),
        sym_(sym),
        ctx_(SymCtx()),
        cols_(sample.Columns()),
        ids_(sample.terms()),
        words_((static_cast<size_t>(sample.states()) + 63) / 64),
        sampled_(enc.num_fields(), true) {
    BuildPre();
  }

  HoudiniResult Run(const std::vector<InvClause>& candidates, double budget) {
    const Deadline deadline(budget);
    HoudiniResult r;
    std::vector<int> fresh;
    for (const InvClause& c : candidates) Add(c, &fresh);
    std::deque<int> queue;
    for (;;) {
      // One batch per step over the clauses added since its last one.
      for (int s = 0; s < static_cast<int>(steps_.size()); ++s) {
        std::vector<int> mine;
        for (int i : fresh)
          if (live_[i] && StepMayChange(enc_, terms_, clauses_[i],
                                        step_at_[s].first, step_at_[s].second))
            mine.push_back(i);
        if (!mine.empty()) queue.push_back(MakeBatch(s, mine));
      }
      fresh.clear();
      if (queue.empty()) break;
      ++r.generations;
      while (!queue.empty()) {
        if (deadline.passed() || r.learned > kMaxLearned) return r;
        const Batch& b = batches_[queue.front()];
        z3::solver& solver = SolverFor(b.step);
        z3::params p(ctx_);
        p.set("timeout", deadline.ms());
        solver.set(p);
        ++r.queries;
        z3::expr_vector assume(ctx_);
        assume.push_back(b.q);
        const z3::check_result res = solver.check(assume);
        if (res == z3::unknown) return r;
        if (res == z3::unsat) {
          queue.pop_front();
          continue;
        }
        const z3::model m = solver.get_model();
        const std::vector<int> pre = PreValues(m);
        const std::vector<int> cube = UnreachedCube(pre);
        if (!cube.empty()) {
          r.learned += Add(Block(pre, cube), &fresh);
          continue;  // the same batch again, with the CTI excluded
        }
        // A sampled world's successor breaks these: the sample is
        // incomplete. Drop them with their images, and start over.
        for (size_t k = 0; k < b.clauses.size(); ++k)
          if (live_[b.clauses[k]] && m.eval(b.broken[k], true).is_true())
            for (int i : OrbitOf(b.clauses[k]))
              if (live_[i]) live_[i] = false, ++r.dropped;
        Restart();
        queue.clear();
        for (size_t i = 0; i < clauses_.size(); ++i)
          if (live_[i]) fresh.push_back(static_cast<int>(i));
        break;
      }
    }
    r.done = true;
    for (size_t i = 0; i < clauses_.size(); ++i)
      if (live_[i]) r.kept.push_back(clauses_[i]);
    return r;
  }

 private:
  // Far more than any proof here needs: a run that learns this many
  // clauses is not converging.
  static constexpr int kMaxLearned = 20000;

  // "Does step `step`, enabled, break one of `clauses`?"
  struct Batch {
    int step;
    z3::expr q;
    std::vector<int> clauses;
    std::vector<z3::expr> broken;  // [k]: enabled && !clauses[k](post)
  };

  // Adds c and its symmetric images that are not there yet; their ids go
  // to *fresh. Returns how many were new.
  int Add(const InvClause& c, std::vector<int>* fresh) {
    int added = 0;
    for (InvClause& k :
         sym_ ? sym_->Orbit(terms_, c) : std::vector<InvClause>{c}) {
      std::sort(k.when.begin(), k.when.end());
      const int i = static_cast<int>(clauses_.size());
      if (!known_.emplace(PrintClause(k, terms_), i).second) continue;
      clauses_.push_back(std::move(k));
      live_.push_back(true);
      const z3::expr e = ClauseExpr(enc_, terms_, clauses_[i], pre_);
      for (auto& sv : solvers_)
        if (sv) sv->add(e);
      fresh->push_back(i);
      ++added;
    }
    return added;
  }

  // Clause i and its symmetric images (indices of those present).
  std::vector<int> OrbitOf(int i) const {
    if (!sym_) return {i};
    std::vector<int> out;
    for (InvClause& k : sym_->Orbit(terms_, clauses_[i])) {
      std::sort(k.when.begin(), k.when.end());
      auto it = known_.find(PrintClause(k, terms_));
      if (it != known_.end()) out.push_back(it->second);
    }
    return out;
  }

  // The pre-world and the steps from it. A sampled field whose value set
  // is still a clause is an index into it (IndexedField): queries got
  // several times faster than over free 16-bit fields.
  void BuildPre() {
    const std::string g = "h" + std::to_string(builds_++) + ".";
    pre_ = enc_.MakeFrame(g, 0).v;
    for (size_t k = 0; k < cols_.size(); ++k)
      if (!terms_.is_count(ids_[k]) && sampled_[ids_[k]])
        pre_[ids_[k]] = IndexedField(enc_, ids_[k], cols_[k].values,
                                     g + "!" + terms_.name(ids_[k]));
    steps_.clear();
    step_at_.clear();
    for (int t = 0; t < enc_.num_threads(); ++t)
      for (int p = 0; p < enc_.num_insns(t); ++p) {
        if (const Junction* j = enc_.junction(t, p)) {
          // At a choice the thread takes the first step of a target.
          for (int q : j->targets) {
            steps_.push_back(enc_.Step(pre_, t, q, p));
            step_at_.push_back({t, q});
          }
          continue;
        }
        steps_.push_back(enc_.Step(pre_, t, p));
        step_at_.push_back({t, p});
      }
  }

  // Step s's solver: one per step, so that a query carries only that
  // step's circuits (several times faster than one solver for all steps).
  // Created with the symmetry breaking and every live clause.
  z3::solver& SolverFor(int s) {
    if (solvers_.empty()) solvers_.resize(steps_.size());
    if (!solvers_[s]) {
      solvers_[s] = std::make_unique<z3::solver>(ctx_, "QF_BV");
      z3::solver& sv = *solvers_[s];
      SortGroupPcs(sv);
      for (size_t i = 0; i < clauses_.size(); ++i)
        if (live_[i]) sv.add(ClauseExpr(enc_, terms_, clauses_[i], pre_));
    }
    return *solvers_[s];
  }

  // Symmetry breaking: every clause comes with its images (and is dropped
  // with them), so a CTI has an image in which each group's members have
  // sorted pcs; the images of the broken clause and of the stepping thread
  // are in the batches too. Look for those only.
  void SortGroupPcs(z3::solver& solver) const {
    if (!sym_) return;
    for (const std::vector<int>& orbit : sym_->field_orbits()) {
      bool pcs = false;
      for (int t = 0; t < enc_.num_threads(); ++t)
        pcs = pcs || orbit[0] == enc_.pc_field(t);
      if (!pcs) continue;
      for (size_t i = 0; i + 1 < orbit.size(); ++i)
        solver.add(pre_[orbit[i]] <= pre_[orbit[i + 1]]);
    }
  }

  // Fresh solvers and pre-world after a drop; the batches go too. A field
  // whose value set was dropped is free again.
  void Restart() {
    solvers_.clear();
    batches_.clear();
    for (size_t i = 0; i < clauses_.size(); ++i) {
      const InvClause& c = clauses_[i];
      if (!live_[i] && c.when.empty() && !c.is_property() &&
          !terms_.is_count(c.field))
        sampled_[c.field] = false;
    }
    BuildPre();
  }

  int MakeBatch(int s, const std::vector<int>& clauses) {
    Batch b{s,
            ctx_.bool_const(("q!" + std::to_string(batches_.size())).c_str()),
            clauses,
            {}};
    z3::expr_vector any(ctx_);
    for (int i : clauses) {
      b.broken.push_back(
          steps_[s].enabled &&
          !ClauseExpr(enc_, terms_, clauses_[i], steps_[s].post));
      any.push_back(b.broken.back());
    }
    SolverFor(s).add(z3::implies(b.q, z3::mk_or(any)));
    batches_.push_back(std::move(b));
    return static_cast<int>(batches_.size()) - 1;
  }

  // The CTI's pre-world, every field (those outside the cone as the model
  // has them: no clause reads them).
  std::vector<int> PreValues(const z3::model& m) const {
    std::vector<int> v;
    for (const z3::expr& e : pre_) v.push_back(SymValue(m.eval(e, true)));
    return v;
  }

  // Sample column k's worlds where its term has value x (none if unseen).
  Bits Where(size_t k, int x) const {
    const auto& c = cols_[k];
    auto it = std::lower_bound(c.values.begin(), c.values.end(), x);
    if (it == c.values.end() || *it != x) return Bits(words_);
    return c.where[it - c.values.begin()];
  }

  // Columns whose values in the CTI's pre-world no sampled world has
  // together, or none if the pre-world is a sampled world. Greedy: add the
  // literal that leaves the fewest sampled worlds, then drop any literal
  // the rest does not need.
  std::vector<int> UnreachedCube(const std::vector<int>& pre) const {
    std::vector<Bits> lit(cols_.size());
    for (size_t k = 0; k < cols_.size(); ++k)
      lit[k] = Where(k, terms_.Value(ids_[k], pre));
    std::vector<int> cube;
    Bits cur(words_, ~uint64_t{0});
    for (int left = Count(cur); left > 0;) {
      int best = -1;
      for (size_t k = 0; k < cols_.size(); ++k) {
        Bits c = cur;
        AndInto(c, lit[k]);
        const int n = Count(c);
        if (n < left) best = static_cast<int>(k), left = n;
      }
      if (best < 0) return {};  // no literal cuts: a sampled world
      cube.push_back(best);
      AndInto(cur, lit[best]);
    }
    for (size_t j = 0; j < cube.size() && cube.size() > 1;) {
      Bits c(words_, ~uint64_t{0});
      for (size_t o = 0; o < cube.size(); ++o)
        if (o != j) AndInto(c, lit[cube[o]]);
      if (Count(c) == 0)
        cube.erase(cube.begin() + static_cast<long>(j));
      else
        ++j;
    }
    return cube;
  }

  // The clause that blocks the cube, widened: each literal in turn (the
  // conclusion's last) becomes the set of its term's values that keep the
  // cube empty in the sample, given the other literals as they are by then.
  // A pc literal widens to "pc in {3, 4, 5}", a stretch of the program, so
  // one clause blocks the CTI's neighbours too. The conclusion takes the
  // values the sampled worlds that meet the conditions give it: the clause
  // is true on the sample and false on the CTI.
  InvClause Block(const std::vector<int>& pre,
                  const std::vector<int>& cube) const {
    const size_t n = cube.size();
    std::vector<std::vector<size_t>> sets(n);  // value indices per literal
    for (size_t j = 0; j < n; ++j) {
      const auto& vals = cols_[cube[j]].values;
      const int x = terms_.Value(ids_[cube[j]], pre);
      sets[j] = {static_cast<size_t>(
          std::lower_bound(vals.begin(), vals.end(), x) - vals.begin())};
    }
    InvClause c;
    for (size_t j = 0; j < n; ++j) {
      Bits others(words_, ~uint64_t{0});  // worlds meeting the others
      for (size_t o = 0; o < n; ++o) {
        if (o == j) continue;
        Bits any(words_, 0);
        for (size_t v : sets[o])
          for (size_t i = 0; i < words_; ++i)
            any[i] |= cols_[cube[o]].where[v][i];
        AndInto(others, any);
      }
      const auto& col = cols_[cube[j]];
      std::vector<size_t> widened;
      std::vector<int> met;  // the values the sample has with the others
      for (size_t v = 0; v < col.values.size(); ++v) {
        if (Meets(others, col.where[v]))
          met.push_back(col.values[v]);
        else
          widened.push_back(v);
      }
      sets[j] = widened;
      if (j + 1 == n) {
        c.field = ids_[cube[j]];
        c.values = std::move(met);
        break;
      }
      Cond k{ids_[cube[j]], {}};
      for (size_t v : widened) k.values.push_back(col.values[v]);
      c.when.push_back(std::move(k));
    }
    return c;
  }

  const Z3Encoding& enc_;
  const Terms& terms_;
  const ClauseSymmetry* sym_;
  z3::context& ctx_;
  const std::vector<StateSample::Column> cols_;
  const std::vector<int> ids_;  // term id of each column
  const size_t words_;
  std::vector<bool> sampled_;  // [field]: the pre-world keeps its value set
  std::vector<z3::expr> pre_;
  std::vector<Z3Encoding::OneStep> steps_;
  std::vector<std::pair<int, int>> step_at_;          // [step]: (thread, pc)
  std::vector<std::unique_ptr<z3::solver>> solvers_;  // [step], made lazily
  std::vector<InvClause> clauses_;
  std::vector<bool> live_;
  std::map<std::string, int> known_;  // printed clause -> its index
  std::vector<Batch> batches_;
  int builds_ = 0;
};

Houdini::Houdini(const Z3Encoding& enc, const Terms& terms,
                 const StateSample& sample, const ClauseSymmetry* sym)
    : impl_(std::make_unique<Impl>(enc, terms, sample, sym)) {}
Houdini::~Houdini() = default;

HoudiniResult Houdini::Run(const std::vector<InvClause>& candidates,
                           double budget_s) {
  return impl_->Run(candidates, budget_s);
}

}  // namespace lifecheck
