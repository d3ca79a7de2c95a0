// Footprints (mc/footprint.h) against what steps observably do, on every
// reachable state of the scenarios: the fields a concrete step changes are
// among its dynamic writes, and the dynamic footprint is within the static
// one. Either failing means the POR independence relation is unsound.
#include "mc/footprint.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mc/mc_test_util.h"
#include "mc/scenario.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

FieldSet Changed(const CWorld& a, const CWorld& b) {
  std::vector<int> av, bv;
  VisitWorld(a,
             [&](auto, auto, auto, auto, const auto& v) { av.push_back(v); });
  VisitWorld(b,
             [&](auto, auto, auto, auto, const auto& v) { bv.push_back(v); });
  FieldSet s;
  for (size_t i = 0; i < av.size(); ++i)
    if (av[i] != bv[i]) s.set(i);
  return s;
}

void CheckScenario(const std::string& name, int pages, int pinners,
                   const std::vector<PolicySetting>& policy) {
  SCOPED_TRACE(name + " " + PolicyText(policy));
  auto t = BuildScenario(name, pages, pinners, policy);
  ASSERT_TRUE(t.ok()) << t.status();
  test::Problem p(*t);
  const FieldSet inv = InvariantReads(p.cfg);
  const int violation = ViolationFieldId();
  int checked = 0;
  for (const CWorld& w : test::Reachable(p, 1000)) {
    if (w.violation != 0) continue;
    for (int th = 0; th < p.n(); ++th)
      for (const test::Problem::Move& mv : p.Moves(w, th)) {
        const Insn& insn = p.progs[th][mv.pc];
        const Footprint dyn = DynamicFootprint(p.cfg, insn, th, mv.from);
        const Footprint stat = StepFootprint(p.cfg, insn, th);
        const CWorld& s = mv.next;
        FieldSet changed = Changed(mv.from, s);
        // CheckAlways may set violation after the step: not the step's write.
        if (!dyn.writes.test(violation)) changed.reset(violation);
        ASSERT_EQ((changed & ~dyn.writes).none(), true)
            << StepName(insn.step) << " changed a field outside its writes";
        // The premise of StableNotOwner: a thread writes an owner field only
        // with its own id or kNone.
        int fid = 0;
        std::vector<int> after;
        VisitWorld(s, [&](auto, auto, auto, auto, const auto& v) {
          after.push_back(v);
        });
        VisitWorld(mv.from, [&](auto, auto, auto, auto, const auto& v) {
          if (OwnerFields().test(fid) && after[fid] != v) {
            EXPECT_TRUE(after[fid] == th || after[fid] == kNone)
                << StepName(insn.step) << " hands a lock to another thread";
          }
          ++fid;
        });
        ASSERT_EQ((dyn.writes & ~stat.writes).none(), true)
            << StepName(insn.step);
        // What the explicit checker zeroes is read by no step (the
        // dynamic footprint: the static one counts a field's old value in
        // the ite that writes it).
        ASSERT_EQ((dyn.reads & DeadFields()).none(), true)
            << StepName(insn.step) << " reads a dead field";
        ASSERT_EQ((dyn.reads & ~stat.reads).none(), true)
            << StepName(insn.step);
        ++checked;
      }
  }
  EXPECT_GT(checked, 0);
  EXPECT_TRUE(inv.test(violation));
  EXPECT_TRUE((inv & DeadFields()).none()) << "an invariant reads a dead field";
  EXPECT_EQ(DeadFields().count(), size_t{kMaxThreads + kNumWarnSlots});
}

TEST(Footprint, DynamicWithinStaticAndCoversChanges) {
  for (const ScenarioInfo& sc : Scenarios())
    for (const ScenarioVariant& v : sc.variants)
      CheckScenario(sc.name, 1, std::min(2, sc.max_pinners), v.policy);
}

TEST(Footprint, LockStepsAreSmall) {
  // PinLockPtl only takes the page-table lock and moves the pc: a POR
  // candidate whenever nobody else can touch the PTL.
  auto t = BuildScenario("dax-truncate", 1, 1, {});
  ASSERT_TRUE(t.ok());
  const ThreadProgram prog = FlattenBody(t->body(0), t->config);
  for (const Insn& insn : prog) {
    if (insn.step != Step::kPinLockPtl) continue;
    const Footprint f = StepFootprint(t->config, insn, 0);
    EXPECT_FALSE((f.writes & InvariantReads(t->config)).any());
  }
}

}  // namespace
}  // namespace lifecheck
