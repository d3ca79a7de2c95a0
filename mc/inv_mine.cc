#include "mc/inv_mine.h"

#include <algorithm>
#include <numeric>

#include "mc/explicit.h"
#include "mc/symmetry.h"

namespace lifecheck {
namespace {

// Calls f(world) for every member of w's orbit under the symmetry groups
// (w itself included; duplicates are harmless to value sets).
template <class F>
void ForEachPermutation(const Symmetry& sym, const CWorld& w, int g, F& f) {
  if (g == sym.num_groups()) {
    f(w);
    return;
  }
  std::vector<int> perm(sym.group(g).size());
  std::iota(perm.begin(), perm.end(), 0);
  do {
    CWorld p = w;
    sym.Permute(p, g, perm);
    ForEachPermutation(sym, p, g + 1, f);
  } while (std::next_permutation(perm.begin(), perm.end()));
}

}  // namespace

StateSample::StateSample(const Terms& terms, std::vector<int> fields)
    : terms_(terms), ids_(std::move(fields)), cols_(ids_.size()) {}

void StateSample::Add(const CWorld& w) {
  const std::vector<int> v = Terms::FieldValues(w);
  for (size_t k = 0; k < ids_.size(); ++k)
    cols_[k].push_back(static_cast<int16_t>(terms_.Value(ids_[k], v)));
  ++states_;
}

void StateSample::AddCount(int id) {
  const CountTerm& c = terms_.count(id);
  std::vector<int16_t> col(states_, 0);
  for (int f : c.fields) {
    const size_t k = std::find(ids_.begin(), ids_.end(), f) - ids_.begin();
    LC_CHECK(k < ids_.size());
    for (int s = 0; s < states_; ++s)
      col[s] += cols_[k][s] >= c.lo && cols_[k][s] <= c.hi;
  }
  ids_.push_back(id);
  cols_.push_back(std::move(col));
}

std::vector<StateSample::Column> StateSample::Columns() const {
  std::vector<Column> out(ids_.size());
  const size_t words = (static_cast<size_t>(states_) + 63) / 64;
  for (size_t k = 0; k < ids_.size(); ++k) {
    Column& c = out[k];
    c.values.assign(cols_[k].begin(), cols_[k].end());
    std::sort(c.values.begin(), c.values.end());
    c.values.erase(std::unique(c.values.begin(), c.values.end()),
                   c.values.end());
    c.where.assign(c.values.size(), std::vector<uint64_t>(words));
    for (int s = 0; s < states_; ++s) {
      const size_t j =
          std::lower_bound(c.values.begin(), c.values.end(), cols_[k][s]) -
          c.values.begin();
      c.where[j][s / 64] |= uint64_t{1} << (s % 64);
    }
  }
  return out;
}

McResult SampleReachable(const Trace& problem, double timeout_s,
                         StateSample* sample) {
  McOptions o;
  o.bfs = true;
  o.symmetry = true;
  o.timeout_s = timeout_s;
  std::vector<ThreadBody> bodies;
  for (size_t t = 0; t < problem.threads.size(); ++t)
    bodies.push_back(problem.body(static_cast<int>(t)));
  const Symmetry sym(problem.config, bodies);
  auto add = [&](const CWorld& w) { sample->Add(w); };
  return CheckExplicit(
      problem, o, [&](const CWorld& w) { ForEachPermutation(sym, w, 0, add); });
}

void AddCountTerms(const ClauseSymmetry& sym, const std::vector<int>& pcs,
                   Terms* terms, StateSample* sample) {
  const auto cols = sample->Columns();
  const std::vector<int> sampled = sample->terms();
  auto column = [&](int f) -> const StateSample::Column* {
    auto it = std::find(sampled.begin(), sampled.end(), f);
    return it == sampled.end() ? nullptr : &cols[it - sampled.begin()];
  };
  for (const std::vector<int>& orbit : sym.field_orbits()) {
    std::vector<int> values;
    bool all = true;
    for (int f : orbit) {
      const StateSample::Column* c = column(f);
      if (!c) {
        all = false;
        break;
      }
      values.insert(values.end(), c->values.begin(), c->values.end());
    }
    if (!all) continue;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (values.size() < 2) continue;
    const bool pc = std::find(pcs.begin(), pcs.end(), orbit[0]) != pcs.end();
    // A pc by ranges: "how many members are inside this stretch of their
    // program" (a window between a lock and its release, a fault and its
    // munmap); anything else by value.
    for (size_t a = 0; a < values.size(); ++a)
      for (size_t b = a; b < (pc ? values.size() : a + 1); ++b) {
        if (pc && a == 0 && b + 1 == values.size()) continue;  // everyone
        sample->AddCount(terms->AddCount({orbit, values[a], values[b]}));
      }
  }
}

std::vector<InvClause> MineCandidates(const StateSample& s) {
  std::vector<InvClause> out;
  const auto cols = s.Columns();
  for (size_t k = 0; k < cols.size(); ++k)
    out.push_back({{}, s.terms()[k], cols[k].values});
  out.push_back({{}, InvClause::kNoDeadlock, {}});
  out.push_back({{}, InvClause::kAlways, {}});
  return out;
}

}  // namespace lifecheck
