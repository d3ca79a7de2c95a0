#include "spec/thread_body.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "spec/check.h"

namespace lifecheck {

ThreadBody BodyOfCalls(const std::vector<Call>& calls) {
  ThreadBody b;
  for (const Call& c : calls) b.push_back(CallItem(c));
  return b;
}

BodyItem CallItem(const Call& c) { return BodyItem{{c}, 0, 0, {}}; }

BodyItem ChoiceItem(std::vector<Call> alts) {
  LC_CHECK(!alts.empty());
  return BodyItem{std::move(alts), 0, 0, {}};
}

BodyItem RepeatItem(int lo, int hi, std::vector<BodyItem> block) {
  LC_CHECK(0 <= lo && (lo <= hi || hi == kForever));
  return BodyItem{{}, lo, hi, std::move(block)};
}

bool HasForever(const ThreadBody& body) {
  return !body.empty() && !body.back().is_call() && body.back().hi == kForever;
}

bool IsConcrete(const ThreadBody& body) {
  for (const BodyItem& it : body)
    if (it.alts.size() != 1) return false;
  return true;
}

std::vector<Call> CallsOfBody(const ThreadBody& body) {
  LC_CHECK(IsConcrete(body));
  std::vector<Call> calls;
  for (const BodyItem& it : body) calls.push_back(it.alts[0]);
  return calls;
}

namespace {

// The body as a graph: points (positions between calls), calls from one
// point to the next, and empty moves (leaving an optional repeat).
struct Graph {
  struct Node {
    Call call;
    int from, to;
  };
  std::vector<Node> nodes;
  std::vector<std::vector<int>> empty_moves;  // point -> points

  int NewPoint() {
    empty_moves.emplace_back();
    return static_cast<int>(empty_moves.size()) - 1;
  }

  void Build(const std::vector<BodyItem>& items, int in, int out) {
    if (items.empty()) {
      empty_moves[in].push_back(out);
      return;
    }
    int cur = in;
    for (size_t i = 0; i < items.size(); ++i) {
      const int next = i + 1 == items.size() ? out : NewPoint();
      const BodyItem& it = items[i];
      if (it.is_call()) {
        for (const Call& c : it.alts) nodes.push_back({c, cur, next});
      } else if (it.hi == 0) {
        empty_moves[cur].push_back(next);
      } else if (it.hi == kForever) {
        // lo copies, then a loop point: leave, or run the block back to it.
        int p = cur;
        for (int r = 0; r < it.lo; ++r) {
          const int q = NewPoint();
          Build(it.block, p, q);
          p = q;
        }
        const int loop = NewPoint();
        empty_moves[p].push_back(loop);
        empty_moves[loop].push_back(next);
        Build(it.block, loop, loop);
      } else {
        int p = cur;
        for (int r = 0; r < it.hi; ++r) {
          const int q = r + 1 == it.hi ? next : NewPoint();
          if (r >= it.lo) empty_moves[p].push_back(next);
          Build(it.block, p, q);
          p = q;
        }
      }
      cur = next;
    }
  }

  // The points in an order where every call and empty move goes forward
  // (Kahn's algorithm; ties by creation, so the layout is deterministic),
  // but for an unbounded repeat's back edges: when none is ready, the
  // first point left in creation order goes next.
  std::vector<int> Order() const {
    const int n = static_cast<int>(empty_moves.size());
    std::vector<std::vector<int>> succ(n);
    std::vector<int> indeg(n, 0);
    auto edge = [&](int a, int b) {
      succ[a].push_back(b);
      ++indeg[b];
    };
    for (int p = 0; p < n; ++p)
      for (int q : empty_moves[p]) edge(p, q);
    for (const Node& nd : nodes) edge(nd.from, nd.to);
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int p = 0; p < n; ++p)
      if (indeg[p] == 0) ready.push(p);
    std::vector<int> order;
    std::vector<bool> placed(n, false);
    for (int next_free = 0;;) {
      while (!ready.empty()) {
        const int p = ready.top();
        ready.pop();
        if (placed[p]) continue;
        placed[p] = true;
        order.push_back(p);
        for (int q : succ[p])
          if (--indeg[q] == 0) ready.push(q);
      }
      while (next_free < n && placed[next_free]) ++next_free;
      if (next_free == n) break;
      ready.push(next_free);  // on a cycle: break it here
    }
    return order;
  }

  // The calls a thread at point p may start next, and whether it may stop
  // (reach `end` by empty moves).
  void Closure(int p, int end, std::vector<int>* calls, bool* may_end) const {
    std::vector<bool> seen(empty_moves.size(), false);
    std::vector<int> todo{p};
    seen[p] = true;
    *may_end = false;
    while (!todo.empty()) {
      const int q = todo.back();
      todo.pop_back();
      if (q == end) *may_end = true;
      for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].from == q) calls->push_back(static_cast<int>(i));
      for (int r : empty_moves[q])
        if (!seen[r]) {
          seen[r] = true;
          todo.push_back(r);
        }
    }
    std::sort(calls->begin(), calls->end());
  }
};

}  // namespace

ThreadProgram FlattenBody(const ThreadBody& body, const Config& cfg) {
  Graph g;
  const int start = g.NewPoint(), end = g.NewPoint();
  g.Build(body, start, end);
  // A point a thread can wait at: the start, and where a call returns.
  std::vector<bool> waits(g.empty_moves.size(), false);
  waits[start] = true;
  for (const Graph::Node& nd : g.nodes) waits[nd.to] = true;

  ThreadProgram prog;
  std::vector<int> base(g.nodes.size(), -1);
  // Waiting points that need a junction: their pc and what it offers.
  std::vector<int> junction_pc(g.empty_moves.size(), -1);
  std::vector<std::vector<int>> offers(g.empty_moves.size());
  std::vector<bool> may_end(g.empty_moves.size(), false);
  int16_t call_index = 0;
  for (int p : g.Order()) {
    if (waits[p]) {
      bool e = false;
      g.Closure(p, end, &offers[p], &e);
      may_end[p] = e;
      if (offers[p].size() + (e ? 1 : 0) > 1) {
        junction_pc[p] = static_cast<int>(prog.size());
        Insn j{};
        j.op = Op::kCount;
        j.step = Step::kCount;
        j.len = 1;
        j.base = static_cast<int16_t>(prog.size());
        j.call = -1;
        j.args[0] = static_cast<int16_t>(prog.junctions.size());
        prog.insns.push_back(j);
        prog.junctions.emplace_back();
      }
    }
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (g.nodes[i].from != p) continue;
      base[i] = static_cast<int>(prog.size());
      AppendCall(prog, g.nodes[i].call, cfg);
      // AppendCall numbers calls after the last instruction's; junctions
      // are not calls.
      for (size_t pc = base[i]; pc < prog.size(); ++pc)
        prog.insns[pc].call = call_index;
      ++call_index;
    }
  }
  const int stop = static_cast<int>(prog.size());
  // The pc of each waiting point: its junction, its one call, or the end.
  auto pc_of = [&](int p) {
    if (junction_pc[p] >= 0) return junction_pc[p];
    if (!offers[p].empty()) return base[offers[p][0]];
    LC_CHECK(may_end[p]);
    return stop;
  };
  for (int p = 0; p < static_cast<int>(g.empty_moves.size()); ++p) {
    if (junction_pc[p] < 0) continue;
    Junction& j = prog.junctions[prog.insns[junction_pc[p]].args[0]];
    for (int n : offers[p]) j.targets.push_back(static_cast<int16_t>(base[n]));
    j.may_end = may_end[p];
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const int target = pc_of(g.nodes[i].to);
    for (int pc = base[i]; pc < base[i] + prog[base[i]].len; ++pc) {
      Insn& in = prog.insns[pc];
      if (target != in.base + in.len) in.ret_to = static_cast<int16_t>(target);
    }
  }
  // The thread starts where its start point says.
  const int first = pc_of(start);
  LC_CHECK(first == 0 || first == stop);  // laid out first
  return prog;
}

bool MayStop(const ThreadProgram& prog, int pc) {
  if (pc >= static_cast<int>(prog.size())) return true;
  const Junction* j = prog.junction(pc);
  return j && j->may_end;
}

std::vector<Call> ResolveCalls(const ThreadProgram& prog,
                               const std::vector<int>& executed) {
  std::vector<Call> calls;
  int last = -1;
  auto enter = [&](const Insn& in) {
    if (in.call == last) return;
    last = in.call;
    Call c;
    c.op = in.op;
    c.args = in.args;
    calls.push_back(c);
  };
  int pc = 0;
  for (int e : executed) {
    enter(prog[e]);
    pc = e;
  }
  // From the last executed instruction's call (or the start), on to where
  // the thread may stop: the rest of that call, then the first alternative
  // at each junction.
  if (!executed.empty()) pc = prog[pc].return_pc();
  while (!MayStop(prog, pc)) {
    if (const Junction* j = prog.junction(pc)) {
      pc = j->targets[0];
      continue;
    }
    enter(prog[pc]);
    pc = prog[pc].return_pc();
  }
  return calls;
}

bool IsProgramOf(const std::vector<Call>& calls, const ThreadProgram& prog) {
  // The points the thread may be at (pcs where it waits), call by call.
  std::vector<int> at{0};
  for (const Call& c : calls) {
    std::vector<int> next;
    for (int pc : at) {
      if (pc >= static_cast<int>(prog.size())) continue;
      std::vector<int> starts{pc};
      if (const Junction* j = prog.junction(pc))
        starts.assign(j->targets.begin(), j->targets.end());
      for (int s : starts) {
        const Insn& in = prog[s];
        if (in.op == c.op && in.args == c.args) next.push_back(in.return_pc());
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    at = std::move(next);
  }
  for (int pc : at)
    if (MayStop(prog, pc)) return true;
  return false;
}

}  // namespace lifecheck
