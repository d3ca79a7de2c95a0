// The fair-cycle search on hand-made graphs (mc/fair_cycle.h): which
// fairness each thread is owed decides whether a cycle starves another.
#include "mc/fair_cycle.h"

#include "gtest/gtest.h"

namespace lifecheck {
namespace {

// Thread 0 waits; thread 1 cycles through states 0 -> 1 -> 0. Thread 0 is
// enabled in state 0 only (`enabled0`), owed weak or strong fairness.
LiveGraph TwoStates(bool weak, bool enabled_everywhere = false) {
  LiveGraph g;
  g.threads = 2;
  g.edges = {{0, 1, 1}, {1, 0, 1}, {0, 2, 0}};  // thread 0 leaves to 2
  if (enabled_everywhere) g.edges.push_back({1, 2, 0});
  g.enabled = {0b11, enabled_everywhere ? 0b11u : 0b10u, 0};
  g.stop = {0, 0, 0b11};
  g.weak = {weak ? 1u : 0u, weak ? 1u : 0u, 0};
  return g;
}

TEST(FairCycle, AConditionWaitEnabledNowAndThenStarves) {
  const auto c = FindFairCycle(TwoStates(/*weak=*/true));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->starved, 0);
  ASSERT_EQ(c->edges.size(), 2u);
  const LiveGraph g = TwoStates(true);
  // A cycle: each edge starts where the last ended, and it closes.
  for (size_t i = 0; i < c->edges.size(); ++i)
    EXPECT_EQ(g.edges[c->edges[i]].to,
              g.edges[c->edges[(i + 1) % c->edges.size()]].from);
  for (uint32_t e : c->edges) EXPECT_EQ(g.edges[e].thread, 1);
}

TEST(FairCycle, ALockEnabledNowAndThenIsTakenUnderStrongFairness) {
  EXPECT_FALSE(FindFairCycle(TwoStates(/*weak=*/false)).has_value());
}

TEST(FairCycle, AThreadEnabledThroughoutIsNotStarvedUnderWeakFairness) {
  EXPECT_FALSE(
      FindFairCycle(TwoStates(true, /*enabled_everywhere=*/true)).has_value());
}

TEST(FairCycle, ACycleUnfairToAThirdThreadDoesNotCount) {
  LiveGraph g = TwoStates(true);
  g.threads = 3;
  // Thread 2 is enabled everywhere, never moves, may not stop, weak.
  for (auto& m : g.enabled) m |= 0b100;
  for (auto& m : g.weak) m |= 0b100;
  g.edges.push_back({0, 2, 2});
  g.edges.push_back({1, 2, 2});
  g.enabled[2] = 0;
  EXPECT_FALSE(FindFairCycle(g).has_value());
  // Once it may stop where it stands, the cycle is fair again.
  for (auto& m : g.stop) m |= 0b100;
  const auto c = FindFairCycle(g);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->starved, 0);
}

TEST(FairCycle, NoCycleNoStarvation) {
  LiveGraph g;
  g.threads = 2;
  g.edges = {{0, 1, 1}};
  g.enabled = {0b10, 0};
  g.stop = {0, 0b10};
  g.weak = {1, 1};
  EXPECT_FALSE(FindFairCycle(g).has_value());
}

}  // namespace
}  // namespace lifecheck
