// Starvation as a graph question: is there a reachable cycle, fair to every
// thread, on which one thread with work left never steps? (docs/liveness.md)
//
// The explicit checker hands over the reachable state graph with, per state
// and thread, whether the thread can move (enabled), whether it may stop
// where it stands (done, or at the start of its unbounded loop), and whether
// the wait at its pc is a condition wait (spec/program.h
// IsConditionWaitStep). Fairness, per thread that takes no step on the
// cycle and may not stop:
//   weak    (condition waits) it is disabled in some state of the cycle;
//   strong  (locks) it is disabled in every state of the cycle.
// A thread that steps on the cycle is treated fairly by it.
//
// The search (Emerson and Lei's, for one starving thread T at a time): the
// strongly connected components of the graph of the other threads' moves
// between states where T has work; a component where a thread owed strong
// fairness is enabled somewhere loses those states and is split again; one
// where a thread owed weak fairness is enabled everywhere, and never moves,
// has no fair cycle. What is left holds one, and FindFairCycle threads it:
// from a state of the component through one move of each thread that moves
// in it and one state where each weakly-owed thread is disabled, back.
#ifndef LIFECHECK_MC_FAIR_CYCLE_H_
#define LIFECHECK_MC_FAIR_CYCLE_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace lifecheck {

struct LiveGraph {
  struct Edge {
    uint32_t from, to;
    int thread;
  };
  int threads = 0;
  std::vector<Edge> edges;
  // Per state, bit t for thread t.
  std::vector<uint32_t> enabled;  // it has a move
  // It has no work here: it may stop, or is a kworker with nothing queued.
  std::vector<uint32_t> stop;
  std::vector<uint32_t> weak;  // its wait is a condition wait

  uint32_t states() const { return static_cast<uint32_t>(enabled.size()); }
};

struct FairCycle {
  int starved = -1;             // the thread that never steps
  std::vector<uint32_t> edges;  // indices into LiveGraph::edges, a cycle
};

// The first thread (in index order) that starves on some fair cycle, with
// such a cycle; nullopt if none does.
std::optional<FairCycle> FindFairCycle(const LiveGraph& g);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_FAIR_CYCLE_H_
