// DESIGN principle 2, demonstrated: the spec's step functions instantiated
// over z3::expr compute the same guard and the same next state as the
// concrete oracle. For each scenario below (at least one per subsystem) we
// walk a concrete run; at every state, for every thread with work left, the
// symbolic step of its next instruction is run once on a world of fresh
// constants, and Z3 must prove that, under "world == this concrete state",
// the symbolic guard equals the concrete enabledness and every field of the
// symbolic post-state equals the concrete post-state.
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mc/sym_domain.h"
#include "spec/exec.h"
#include "spec/spec_test_util.h"
#include "spec/step_table.h"

namespace lifecheck {
namespace {

using test::C;

struct Scenario {
  std::string name;
  Config cfg;
  std::vector<std::vector<Call>> threads;
  std::vector<int> schedule;  // prefix; then the sequential schedule
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

// The symbolic step of (thread t, instruction at pc), computed once.
struct SymStep {
  SWorld pre, post;
  z3::expr guard;
};

class SymStepTest : public ::testing::TestWithParam<Scenario> {};

// Concrete post-state of stepping t from `ex` (a copy, so `ex` is kept).
CWorld ConcretePost(const SpecExec& ex, int t) {
  SpecExec copy = ex;
  copy.step(t);
  return copy.world();
}

TEST_P(SymStepTest, GuardAndEffectMatchConcrete) {
  const Scenario& sc = GetParam();
  z3::context ctx;
  ScopedSymContext scope(ctx);
  z3::solver solver(ctx);
  std::map<std::pair<int, int>, SymStep> cache;
  SpecExec ex(sc.cfg, sc.threads);

  int checks = 0;
  size_t next = 0;
  while (!ex.finished()) {
    for (int t = 0; t < ex.num_threads(); ++t) {
      if (ex.done(t)) continue;
      const int pc = ex.world().th[t].pc;
      auto it = cache.find({t, pc});
      if (it == cache.end()) {
        SWorld pre = FreshWorld("s.");
        SWorld post = pre;
        const Insn insn = ex.next_insn(t);
        Machine<Sym> m(post, sc.cfg, insn, t);
        ExecStep(m);
        it =
            cache
                .emplace(std::make_pair(t, pc), SymStep{pre, post, m.guard().e})
                .first;
      }
      const SymStep& sym = it->second;
      const bool enabled = ex.enabled(t);
      solver.push();
      solver.add(EqualsConcrete(sym.pre, ex.world()));
      if (enabled) {
        // Not (guard && post == concrete post) must be unsatisfiable.
        solver.add(
            !(sym.guard && EqualsConcrete(sym.post, ConcretePost(ex, t))));
      } else {
        solver.add(sym.guard);
      }
      EXPECT_EQ(solver.check(), z3::unsat)
          << sc.name << ": thread " << t << " pc " << pc << " step "
          << StepName(ex.next_insn(t).step)
          << (enabled ? " (enabled)" : " (disabled)");
      solver.pop();
      ++checks;
    }
    int t = next < sc.schedule.size() ? sc.schedule[next++]
                                      : ex.sequential_choice();
    if (t < 0 || !ex.enabled(t)) break;
    ex.step(t);
  }
  EXPECT_GT(checks, 3) << sc.name;
}

Config Dax(DaxTruncatePolicy p) {
  Config c;
  c.fs = FsKind::kDax;
  c.files = 2;
  c.pages = 1;
  c.spare = 1;
  c.ptes = 1;
  c.pins = 1;
  c.policy.dax_truncate = p;
  return c;
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> out;
  // DAX: pin + DMA vs truncate, with the busy-scan WAIT policy and NONE.
  const std::vector<std::vector<Call>> dax = {
      {C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0), C(Op::kDma, 0),
       C(Op::kUnpin, 0)},
      {C(Op::kTruncate, 1, 0), C(Op::kAlloc, 2, 0)}};
  out.push_back(
      {"dax_wait", Dax(DaxTruncatePolicy::kWait), dax, {0, 0, 0, 1, 1}});
  out.push_back({"dax_none", Dax(DaxTruncatePolicy::kNone), dax, {0, 0, 0, 1}});
  out.push_back({"dax_sequester",
                 Dax(DaxTruncatePolicy::kSequester),
                 dax,
                 {0, 0, 0, 1, 1}});
  // GUP-fast vs zap without the PTL.
  Config nz = Dax(DaxTruncatePolicy::kWait);
  nz.policy.ptl_on_zap = false;
  out.push_back(
      {"gup_fast",
       nz,
       {{C(Op::kFault, 0, 1, 0), C(Op::kPinFast, 0, 0), C(Op::kDma, 0)},
        {C(Op::kMunmap, 0)}},
       {0, 0, 1}});
  // The FL_ALLOCATED lease as posted: gup, reap_work, break_work, truncate.
  Config ls = Dax(DaxTruncatePolicy::kWait);
  ls.policy.dax_truncate_mechanism = DaxTruncateMechanism::kFlAllocatedLease;
  ls.policy.dax_ref_base = DaxRefBase::kOneBased;
  out.push_back({"lease",
                 ls,
                 {{C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0), C(Op::kUnpin, 0)},
                  {C(Op::kReap, 0)},
                  {C(Op::kBreakWork, 0)},
                  {C(Op::kTruncate, 1, 0)}},
                 {0, 0, 0, 0, 1, 1, 2, 3}});
  // ... and a GUP that fails after A1 racing break_work, with the
  // put-before-unlink mutation.
  ls.pages = 2;
  ls.policy.lease_break_refs = LeaseBreakRefs::kPutBeforeUnlink;
  out.push_back({"lease_failed_gup",
                 ls,
                 {{C(Op::kFault, 0, 1, 1)},
                  {C(Op::kTruncate, 1, 1), C(Op::kTruncate, 1, 0)},
                  {C(Op::kPin, 0, 0)},
                  {C(Op::kBreakWork, 0)}},
                 {0, 1, 1, 2, 2, 1}});
  // Page cache: write fault vs writeback, both protocols.
  Config pc;
  pc.fs = FsKind::kDisk;
  pc.files = 1;
  pc.ptes = 1;
  const std::vector<std::vector<Call>> mk = {
      {C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0), C(Op::kStore, 0)},
      {C(Op::kWriteback, 1, 0), C(Op::kTruncate, 1, 0)}};
  out.push_back({"mkwrite_fixed", pc, mk, {0, 0, 0, 1}});
  pc.policy.mkwrite = MkwriteProtocol::kOldRacy;
  out.push_back({"mkwrite_old", pc, mk, {0, 0, 0, 1, 1, 1}});
  // ->page_mkwrite without the truncate re-check (R-001b), and on a full
  // fs (VM_FAULT_SIGBUS); the VM's re-lock after an unlocked return.
  Config tr = pc;
  tr.pages = 2;
  tr.policy.mkwrite = MkwriteProtocol::kFixed2009;
  tr.policy.mkwrite_check_truncate = false;
  const std::vector<std::vector<Call>> mt = {
      {C(Op::kFault, 0, 1, 1), C(Op::kWriteFault, 0)},
      {C(Op::kTruncate, 1, 1)}};
  out.push_back({"mkwrite_no_truncate_check", tr, mt, {0, 0, 1, 0}});
  tr.policy.mkwrite_check_truncate = true;
  tr.policy.fs_mkwrite_returns_locked = false;
  out.push_back({"mkwrite_unlocked_truncate", tr, mt, {0, 0, 0, 1, 0}});
  tr.policy.fs_mkwrite_returns_locked = true;
  tr.policy.fs_enospc = true;
  out.push_back({"mkwrite_enospc", tr, mt, {0, 0, 0}});
  // WB_SYNC_ALL waits out the IO of a page redirtied under writeback.
  Config ws = pc;
  ws.ptes = 2;
  ws.policy.mkwrite = MkwriteProtocol::kFixed2009;
  out.push_back({"writeback_sync",
                 ws,
                 {{C(Op::kFault, 0, 1, 0), C(Op::kWriteFault, 0)},
                  {C(Op::kWriteback, 1, 0)},
                  {C(Op::kFault, 1, 1, 0), C(Op::kWriteFault, 1)},
                  {C(Op::kWritebackSync, 1, 0)}},
                 {0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 3}});
  // dcache: lookup, discard, unlink, umount (both pin schemes).
  Config lf;
  lf.fs = FsKind::kLibfs;
  lf.files = 2;
  lf.ptes = 0;
  const std::vector<std::vector<Call>> dc = {
      {C(Op::kLookup, 1), C(Op::kDiscard, 1), C(Op::kDput, 1),
       C(Op::kUnlink, 2)},
      {C(Op::kUmount)}};
  out.push_back({"dcache_persistent", lf, dc, {}});
  lf.policy.dentry_pin = DentryPinScheme::kLegacyDget;
  lf.policy.kill_sb = KillSb::kLitter;
  out.push_back({"dcache_legacy", lf, dc, {}});
  // eventfs: open racing removal.
  Config ev;
  ev.fs = FsKind::kLibfs;
  ev.files = 0;
  ev.events = 1;
  ev.ptes = 0;
  ev.policy.eventfs_revalidate = EventfsRevalidate::kOff;
  out.push_back({"eventfs",
                 ev,
                 {{C(Op::kEvLookup, 0), C(Op::kEvOpen, 0), C(Op::kEvClose, 0)},
                  {C(Op::kEvRemove, 0)}},
                 {0, 0, 0, 1}});
  // Inode eviction with the DAX barrier.
  Config iv = Dax(DaxTruncatePolicy::kWait);
  out.push_back({"evict_barrier",
                 iv,
                 {{C(Op::kFault, 0, 1, 0), C(Op::kPin, 0, 0), C(Op::kMunmap, 0),
                   C(Op::kUnpin, 0)},
                  {C(Op::kUnlink, 1)}},
                 {0, 0, 0, 0, 0, 1}});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Subsystems, SymStepTest,
                         ::testing::ValuesIn(Scenarios()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lifecheck
