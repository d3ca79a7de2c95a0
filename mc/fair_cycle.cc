#include "mc/fair_cycle.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "spec/check.h"

namespace lifecheck {
namespace {

bool Bit(uint32_t mask, int t) { return (mask >> t & 1u) != 0; }

class Search {
 public:
  explicit Search(const LiveGraph& g) : g_(g), n_(g.states()) {
    begin_.assign(n_ + 1, 0);
    for (const LiveGraph::Edge& e : g.edges) ++begin_[e.from + 1];
    for (uint32_t s = 0; s < n_; ++s) begin_[s + 1] += begin_[s];
    out_.resize(g.edges.size());
    std::vector<uint32_t> fill(begin_.begin(), begin_.end() - 1);
    for (uint32_t e = 0; e < g.edges.size(); ++e)
      out_[fill[g.edges[e].from]++] = e;
    member_.assign(n_, 0);
  }

  std::optional<FairCycle> Run() {
    for (int t = 0; t < g_.threads; ++t) {
      t_ = t;
      std::vector<uint32_t> work;  // states where t has work left
      for (uint32_t s = 0; s < n_; ++s)
        if (!Bit(g_.stop[s], t)) work.push_back(s);
      std::optional<FairCycle> c = Within(work);
      if (c) return c;
    }
    return std::nullopt;
  }

 private:
  // An edge of the graph the search walks: a move of a thread other than
  // t_ between two states of the current set.
  bool Inside(uint32_t e) const {
    const LiveGraph::Edge& ed = g_.edges[e];
    return ed.thread != t_ && member_[ed.from] == stamp_ &&
           member_[ed.to] == stamp_;
  }

  // The fair cycles within `nodes`: its components, each checked.
  std::optional<FairCycle> Within(const std::vector<uint32_t>& nodes) {
    for (std::vector<uint32_t>& c : Components(nodes)) {
      std::optional<FairCycle> f = Check(c);
      if (f) return f;
    }
    return std::nullopt;
  }

  // Tarjan's algorithm, iterative, over `nodes`.
  std::vector<std::vector<uint32_t>> Components(
      const std::vector<uint32_t>& nodes) {
    ++stamp_;
    for (uint32_t s : nodes) member_[s] = stamp_;
    std::vector<int64_t> index(n_, -1), low(n_, 0);
    std::vector<char> on(n_, 0);
    std::vector<uint32_t> stack;
    std::vector<std::vector<uint32_t>> out;
    int64_t next = 0;
    struct Frame {
      uint32_t v;
      uint32_t i;  // next out-edge position
    };
    for (uint32_t root : nodes) {
      if (index[root] >= 0) continue;
      std::vector<Frame> dfs{{root, begin_[root]}};
      index[root] = low[root] = next++;
      stack.push_back(root);
      on[root] = 1;
      while (!dfs.empty()) {
        Frame& f = dfs.back();
        if (f.i < begin_[f.v + 1]) {
          const uint32_t e = out_[f.i++];
          if (!Inside(e)) continue;
          const uint32_t w = g_.edges[e].to;
          if (index[w] < 0) {
            index[w] = low[w] = next++;
            stack.push_back(w);
            on[w] = 1;
            dfs.push_back({w, begin_[w]});
          } else if (on[w]) {
            low[f.v] = std::min(low[f.v], index[w]);
          }
          continue;
        }
        const uint32_t v = f.v;
        dfs.pop_back();
        if (!dfs.empty())
          low[dfs.back().v] = std::min(low[dfs.back().v], low[v]);
        if (low[v] != index[v]) continue;
        std::vector<uint32_t> c;
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on[w] = 0;
          c.push_back(w);
        } while (w != v);
        std::sort(c.begin(), c.end());
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  // Whether component c holds a cycle fair to every thread on which t_
  // never steps; the cycle if so.
  std::optional<FairCycle> Check(const std::vector<uint32_t>& c) {
    ++stamp_;
    for (uint32_t s : c) member_[s] = stamp_;
    std::vector<int64_t> move(g_.threads, -1);  // an inside edge per thread
    for (uint32_t s : c)
      for (uint32_t i = begin_[s]; i < begin_[s + 1]; ++i)
        if (Inside(out_[i]) && move[g_.edges[out_[i]].thread] < 0)
          move[g_.edges[out_[i]].thread] = out_[i];
    if (std::all_of(move.begin(), move.end(), [](int64_t e) { return e < 0; }))
      return std::nullopt;        // a single state: no cycle
    std::vector<uint32_t> visit;  // a state each weakly owed thread needs
    for (int u = 0; u < g_.threads; ++u) {
      if (move[u] >= 0) continue;
      // It may stop (or has nothing to do) wherever it stands in c: no
      // fairness is owed to it.
      if (u != t_ && std::all_of(c.begin(), c.end(), [&](uint32_t s) {
            return Bit(g_.stop[s], u);
          }))
        continue;
      const bool weak = Bit(g_.weak[c[0]], u);
      std::vector<uint32_t> disabled;
      for (uint32_t s : c)
        if (!Bit(g_.enabled[s], u)) disabled.push_back(s);
      if (weak) {
        if (disabled.empty()) return std::nullopt;  // continuously enabled
        visit.push_back(disabled[0]);
      } else if (disabled.size() < c.size()) {
        // Owed strong fairness: a fair cycle avoids where it is enabled.
        return Within(disabled);
      }
    }
    // Thread the cycle: from c[0] through each move and each state, back.
    FairCycle f;
    f.starved = t_;
    uint32_t at = c[0];
    for (int u = 0; u < g_.threads; ++u) {
      if (move[u] < 0) continue;
      const LiveGraph::Edge& e = g_.edges[move[u]];
      Route(at, e.from, &f.edges);
      f.edges.push_back(static_cast<uint32_t>(move[u]));
      at = e.to;
    }
    for (uint32_t s : visit) {
      Route(at, s, &f.edges);
      at = s;
    }
    Route(at, c[0], &f.edges);
    LC_CHECK(!f.edges.empty());
    return f;
  }

  // Appends a shortest path of inside edges from a to b (members of one
  // component: there is one).
  void Route(uint32_t a, uint32_t b, std::vector<uint32_t>* path) const {
    if (a == b) return;
    std::vector<int64_t> via(n_, -1);  // the edge that reached a state
    std::deque<uint32_t> q{a};
    std::vector<char> seen(n_, 0);
    seen[a] = 1;
    while (!q.empty() && !seen[b]) {
      const uint32_t s = q.front();
      q.pop_front();
      for (uint32_t i = begin_[s]; i < begin_[s + 1]; ++i) {
        const uint32_t e = out_[i];
        const uint32_t w = g_.edges[e].to;
        if (!Inside(e) || seen[w]) continue;
        seen[w] = 1;
        via[w] = e;
        q.push_back(w);
      }
    }
    LC_CHECK(seen[b]);
    std::vector<uint32_t> rev;
    for (uint32_t s = b; s != a; s = g_.edges[via[s]].from)
      rev.push_back(static_cast<uint32_t>(via[s]));
    path->insert(path->end(), rev.rbegin(), rev.rend());
  }

  const LiveGraph& g_;
  const uint32_t n_;
  std::vector<uint32_t> begin_, out_;  // out-edges, grouped by state
  std::vector<int> member_;            // == stamp_: in the current set
  int stamp_ = 0;
  int t_ = 0;  // the thread being starved
};

}  // namespace

std::optional<FairCycle> FindFairCycle(const LiveGraph& g) {
  LC_CHECK(g.stop.size() == g.enabled.size() &&
           g.weak.size() == g.enabled.size() && g.threads <= 32);
  return Search(g).Run();
}

}  // namespace lifecheck
