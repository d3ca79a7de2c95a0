// Thread bodies with choices and repeats: how they flatten (junctions, where
// alternatives meet again), and how a run's pcs resolve to concrete calls.
#include "spec/thread_body.h"

#include <vector>

#include "gtest/gtest.h"

namespace lifecheck {
namespace {

Config Dax() {
  Config c;
  c.fs = FsKind::kDax;
  c.files = 1;
  c.pages = 3;
  c.ptes = 2;
  c.pins = 2;
  return c;
}

Call C(Op op, int a = 0, int b = 0, int d = 0) {
  Call x;
  x.op = op;
  x.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
            static_cast<int16_t>(d)};
  return x;
}

bool SameInsns(const ThreadProgram& a, const ThreadProgram& b) {
  if (a.size() != b.size() || a.junctions != b.junctions) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const Insn &x = a[i], &y = b[i];
    if (x.op != y.op || x.step != y.step || x.k != y.k || x.len != y.len ||
        x.base != y.base || x.call != y.call || x.args != y.args ||
        x.ret_to != y.ret_to)
      return false;
  }
  return true;
}

TEST(ThreadBody, ConcreteBodyFlattensLikeItsCalls) {
  const std::vector<Call> calls = {C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0),
                                   C(Op::kDma, 0), C(Op::kUnpin, 0)};
  const ThreadBody body = BodyOfCalls(calls);
  EXPECT_TRUE(IsConcrete(body));
  EXPECT_EQ(CallsOfBody(body), calls);
  EXPECT_TRUE(SameInsns(FlattenBody(body, Dax()), Flatten(calls, Dax())));
  EXPECT_TRUE(SameInsns(FlattenBody({}, Dax()), Flatten({}, Dax())));
}

TEST(ThreadBody, ChoiceWaitsAtAJunctionAndMeetsAgain) {
  // fault pte=0 file=1 index=0..2 ; dma pin=0
  const ThreadBody body = {
      ChoiceItem({C(Op::kFault, 0, 1, 0), C(Op::kFault, 0, 1, 1),
                  C(Op::kFault, 0, 1, 2)}),
      CallItem(C(Op::kDma, 0))};
  EXPECT_FALSE(IsConcrete(body));
  const ThreadProgram p = FlattenBody(body, Dax());
  ASSERT_TRUE(p.has_junctions());
  const Junction* j = p.junction(0);
  ASSERT_NE(j, nullptr);
  EXPECT_FALSE(j->may_end);
  ASSERT_EQ(j->targets.size(), 3u);
  // Every alternative returns to the one dma call.
  int dma = -1;
  for (size_t pc = 0; pc < p.size(); ++pc)
    if (p[pc].op == Op::kDma) dma = static_cast<int>(pc);
  ASSERT_GE(dma, 0);
  for (int t : j->targets) {
    EXPECT_EQ(p[t].op, Op::kFault);
    EXPECT_EQ(p[t].return_pc(), dma);
    EXPECT_GT(t, 0);  // laid out after the junction: control goes forward
  }
  EXPECT_FALSE(MayStop(p, 0));
  EXPECT_TRUE(MayStop(p, static_cast<int>(p.size())));
  // A run that took the second alternative and is inside dma.
  const std::vector<Call> run = ResolveCalls(p, {j->targets[1], dma});
  EXPECT_EQ(run, (std::vector<Call>{C(Op::kFault, 0, 1, 1), C(Op::kDma, 0)}));
  EXPECT_TRUE(IsProgramOf(run, p));
  // Nothing run yet: the first alternative, then on to the end.
  EXPECT_EQ(ResolveCalls(p, {}),
            (std::vector<Call>{C(Op::kFault, 0, 1, 0), C(Op::kDma, 0)}));
  EXPECT_FALSE(IsProgramOf({C(Op::kFault, 0, 1, 1)}, p));  // stops early
  EXPECT_FALSE(IsProgramOf({C(Op::kDma, 0)}, p));
}

TEST(ThreadBody, OptionalRepeatsMayStop) {
  // repeat 1..2 { pin pin=0 pte=0 ; unpin pin=0 }
  const ThreadBody body = {RepeatItem(
      1, 2, {CallItem(C(Op::kPin, 0, 0)), CallItem(C(Op::kUnpin, 0))})};
  const ThreadProgram p = FlattenBody(body, Dax());
  // The first copy is not optional: the thread starts at a pin.
  EXPECT_EQ(p.junction(0), nullptr);
  EXPECT_EQ(p[0].op, Op::kPin);
  const std::vector<Call> once = {C(Op::kPin, 0, 0), C(Op::kUnpin, 0)};
  std::vector<Call> twice = once;
  twice.insert(twice.end(), once.begin(), once.end());
  EXPECT_TRUE(IsProgramOf(once, p));
  EXPECT_TRUE(IsProgramOf(twice, p));
  EXPECT_FALSE(IsProgramOf({}, p));
  std::vector<Call> thrice = twice;
  thrice.insert(thrice.end(), once.begin(), once.end());
  EXPECT_FALSE(IsProgramOf(thrice, p));
  // After the first unpin the thread waits where it may stop or go on.
  int unpin = -1;
  for (size_t pc = 0; pc < p.size() && unpin < 0; ++pc)
    if (p[pc].op == Op::kUnpin) unpin = static_cast<int>(pc);
  const int after = p[unpin].return_pc();
  const Junction* j = p.junction(after);
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(j->may_end);
  EXPECT_EQ(j->targets.size(), 1u);
  EXPECT_TRUE(MayStop(p, after));
  // A run that stopped there resolves to one round.
  EXPECT_EQ(ResolveCalls(p, {0, unpin}), once);

  // repeat 0..1 { dma } then nothing: the thread may not run at all.
  const ThreadProgram q =
      FlattenBody({RepeatItem(0, 1, {CallItem(C(Op::kDma, 0))})}, Dax());
  EXPECT_TRUE(MayStop(q, 0));
  EXPECT_TRUE(IsProgramOf({}, q));
  EXPECT_TRUE(IsProgramOf({C(Op::kDma, 0)}, q));
  EXPECT_EQ(ResolveCalls(q, {}), std::vector<Call>{});
}

TEST(ThreadBody, CallsAreNumberedInLayoutOrder) {
  const ThreadBody body = {ChoiceItem({C(Op::kDma, 0), C(Op::kUnpin, 0)}),
                           CallItem(C(Op::kDma, 1))};
  const ThreadProgram p = FlattenBody(body, Dax());
  int last = -1;
  for (const Insn& in : p) {
    if (in.step == Step::kCount) continue;  // the junction
    EXPECT_GE(in.call, last);
    last = in.call;
  }
  EXPECT_EQ(last, 2);
}

}  // namespace
}  // namespace lifecheck
