#include "mc/lasso.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/run/spec_run.h"
#include "spec/check.h"
#include "spec/exec.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

Call CallOf(const Insn& in) {
  Call c;
  c.op = in.op;
  c.args = in.args;
  return c;
}

}  // namespace

Trace LassoTrace(const Trace& problem, const std::vector<ThreadProgram>& progs,
                 const std::vector<LassoMove>& prefix,
                 const std::vector<LassoMove>& cycle) {
  const int n = static_cast<int>(progs.size());
  const Config& cfg = problem.config;
  Trace cex = problem;
  cex.schedule.clear();
  cex.schedule_pos.clear();
  cex.cycle.clear();
  cex.cycle_pos.clear();
  std::vector<std::vector<Call>> pre(n), round(n);
  // in_call[t]: t's last step did not return (its pc is inside that call).
  std::vector<bool> in_call(n, false);
  CWorld w = InitWorld(cfg);
  auto play = [&](const std::vector<LassoMove>& moves, bool on_cycle) {
    for (const LassoMove& m : moves) {
      const Insn& in = progs[m.thread][m.pc];
      if (!in_call[m.thread])
        (on_cycle ? round : pre)[m.thread].push_back(CallOf(in));
      w.th[m.thread].pc = static_cast<int16_t>(m.pc);
      StepWorld(cfg, progs[m.thread], w, m.thread);
      const int npc = w.th[m.thread].pc;
      in_call[m.thread] = npc >= in.base && npc < in.base + in.len;
      (on_cycle ? cex.cycle : cex.schedule).push_back(m.thread);
    }
  };
  play(prefix, false);
  const std::vector<bool> mid = in_call;
  play(cycle, true);
  cex.loops.assign(n, {});
  auto same = [](const Call& a, const Call& b) {
    return a.op == b.op && a.args == b.args;
  };
  for (int t = 0; t < n; ++t) {
    std::vector<Call> calls = pre[t];
    const std::vector<Call>& d = round[t];
    if (d.empty()) {
      const ThreadProgram& p = progs[t];
      int pc = w.th[t].pc;
      if (in_call[t]) pc = p[pc].return_pc();
      while (!MayStop(p, pc)) {
        if (const Junction* j = p.junction(pc)) {
          pc = j->targets[0];
          continue;
        }
        calls.push_back(CallOf(p[pc]));
        pc = p[pc].return_pc();
      }
    } else if (mid[t]) {
      LC_CHECK(!calls.empty() && same(calls.back(), d.back()));
      cex.loops[t].push_back(calls.back());
      calls.pop_back();
      cex.loops[t].insert(cex.loops[t].end(), d.begin(), d.end() - 1);
    } else {
      cex.loops[t] = d;
    }
    cex.threads[t] = std::move(calls);
  }
  cex.bodies.clear();
  cex.call_pos.clear();
  cex.expect = std::string(InvId(Inv::kStarvation));
  return cex;
}

std::string CheckLasso(const Trace& lasso, int starved) {
  absl::StatusOr<RunResult> run = RunTrace(lasso, "<lasso>");
  if (!run.ok()) return std::string(run.status().message());
  if (Finding(*run) != Inv::kStarvation)
    return absl::StrCat("the lasso replays to ", Verdict(*run));
  if (std::none_of(run->blocked.begin(), run->blocked.end(),
                   [&](const BlockedAt& b) { return b.thread == starved; }))
    return absl::StrCat("thread ", starved, " is not starved on replay");
  return "";
}

}  // namespace lifecheck
