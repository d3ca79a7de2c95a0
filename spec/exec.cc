#include "spec/exec.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/no_coverage.h"
#include "spec/step_table.h"

namespace lifecheck {

void CheckFailed(const char* file, int line, const char* cond) {
  std::fprintf(stderr, "%s:%d: internal error: CHECK(%s) failed\n", file, line,
               cond);
  std::abort();
}

LC_NO_COVERAGE CWorld InitWorld(const Config& cfg) {
  CWorld w{};
  const bool dax = cfg.is_dax();
  const bool one_based =
      dax && cfg.policy.dax_ref_base == DaxRefBase::kOneBased;
  for (auto& d : w.d) d.count = 0;
  for (auto& in : w.ino) {
    in.map.fill(kNone);
    in.rwsem = in.mmaplock = kNone;
  }
  for (auto& pg : w.pg) {
    pg.owner = kNone;
    pg.lock_owner = kNone;
  }
  for (auto& pte : w.pte) {
    pte.page = kNone;
    pte.file = kNone;
  }
  for (auto& pin : w.pin) {
    pin.page = kNone;
    pin.file = kNone;
  }
  for (auto& l : w.lease) l.file = kNone;
  w.sb_active = true;
  w.ptl_owner = kNone;

  // The root directory: pinned by sb->s_root, one alias on inode 0.
  auto& root = w.d[0];
  root.hashed = root.positive = true;
  root.count = root.h_root = 1;
  w.ino[0].i_count = w.ino[0].h_alias = 1;
  w.ino[0].i_nlink = 2;

  // Files: one hashed positive dentry each, child of the root. A libfs pins
  // it by the dentry pin scheme; a disk fs keeps it cached at count 0.
  for (int f = 1; f <= cfg.files; ++f) {
    auto& d = w.d[f];
    d.hashed = d.positive = true;
    root.count++;
    root.h_child++;
    if (cfg.fs == FsKind::kLibfs) {
      d.count = 1;
      if (cfg.policy.dentry_pin == DentryPinScheme::kPersistentFlag) {
        d.persistent = true;
        d.h_persist = 1;
      } else {
        d.h_pin = 1;
      }
    }
    auto& in = w.ino[f];
    in.i_count = in.h_alias = 1;
    in.i_nlink = 1;
    in.size = static_cast<int16_t>(cfg.pages);
    for (int x = 0; x < cfg.pages; ++x) {
      const int p = (f - 1) * cfg.pages + x;
      auto& pg = w.pg[p];
      pg.st = kBlkOwned;
      pg.owner = static_cast<int16_t>(f);
      pg.index = static_cast<int16_t>(x);
      pg.gen = 1;
      in.map[x] = static_cast<int16_t>(p);
      // Page cache: the cache's reference. ONE_BASED DAX: the idle 1.
      if (!dax || one_based) pg.refcount = pg.g_base = 1;
    }
  }
  for (int p = cfg.files * cfg.pages; p < cfg.phys_pages(); ++p)
    if (one_based) w.pg[p].refcount = w.pg[p].g_base = 1;

  // eventfs: each event dir holds its creation kref; its event file holds
  // the creation ref; the "enable" dentry is not instantiated yet.
  // With the release callback the ei holds one more (event_create_dir's
  // event_file_get, b63db58e2fa5).
  const int ei_ref = EiHoldsEventFile(cfg) ? 1 : 0;
  for (int e = 0; e < cfg.events; ++e) {
    w.ev[e].kref = 1;
    w.ev[e].ef_ref = static_cast<int16_t>(1 + ei_ref);
    w.ev[e].h_ei = static_cast<int16_t>(ei_ref);
  }
  w.rm_work = kNone;
  return w;
}

SpecExec::SpecExec(const Config& cfg, std::vector<std::vector<Call>> threads)
    : cfg_(cfg),
      step_lists_(StepLists(cfg)),
      n_(static_cast<int>(threads.size())),
      w_(InitWorld(cfg)) {
  LC_CHECK(n_ <= kMaxThreads);
  for (const auto& calls : threads) {
    progs_.push_back(Flatten(calls, cfg_));
    size_.push_back(static_cast<int>(progs_.back().size()));
    calls_.push_back(static_cast<int16_t>(calls.size()));
  }
  pending_.resize(threads.size());
  results_.resize(threads.size());
}

void SpecExec::Reset(const Config& cfg, const CWorld& init, bool init_checked) {
  cfg_ = cfg;
  step_lists_ = StepLists(cfg);
  for (int t = 0; t < n_; ++t) {
    progs_[t].clear();
    pending_[t].clear();
    results_[t].clear();
    spare_results_.push_back(std::move(results_[t]));
  }
  results_.clear();
  size_.clear();
  calls_.clear();
  n_ = 0;
  w_ = init;
  last_ = -1;
  checked_ = init_checked;
}

void SpecExec::add_call(int t, const Call& c) {
  LC_CHECK(t >= 0 && t <= num_threads() && t < kMaxThreads);
  if (t == n_) {
    if (static_cast<int>(progs_.size()) == n_) {
      progs_.emplace_back();
      pending_.emplace_back();
    }
    size_.push_back(0);
    calls_.push_back(0);
    if (spare_results_.empty()) {
      results_.emplace_back();
    } else {
      results_.push_back(std::move(spare_results_.back()));
      spare_results_.pop_back();
    }
    ++n_;
  }
  // Not appended to the program yet: see Pending.
  LC_CHECK(static_cast<int>(c.op) < static_cast<int>(Op::kCount));
  const std::vector<Step>& steps = step_lists_[static_cast<int>(c.op)];
  const auto len = static_cast<int16_t>(steps.size());
  LC_CHECK(len > 0 && size_[t] + len < 32767);  // pcs are int16
  pending_[t].push_back(Pending{c, static_cast<int16_t>(size_[t]), len,
                                calls_[t]++, steps.data()});
  size_[t] += len;
}

void SpecExec::Materialize(int t) const {
  for (const Pending& p : pending_[t]) AppendCall(progs_[t], p.call, cfg_);
  pending_[t].clear();
  LC_CHECK(static_cast<int>(progs_[t].size()) == size_[t]);
}

const ThreadProgram& SpecExec::program(int t) const {
  if (!pending_[t].empty()) Materialize(t);
  return progs_[t];
}

bool SpecExec::done(int t) const { return w_.th[t].pc >= size_[t]; }

const Insn& SpecExec::next_insn(int t) const {
  LC_CHECK(!done(t));
  return program(t)[w_.th[t].pc];
}

bool StepEnabled(const Config& cfg, const ThreadProgram& prog, const CWorld& w,
                 int t) {
  // Probing runs the guard only: effects are dropped (spec/machine.h), so
  // the const_cast never writes.
  CWorld& mw = const_cast<CWorld&>(w);
  Machine<Concrete> m(mw, cfg, prog[w.th[t].pc], t, /*probing=*/true);
  DispatchStep(m);
  return !m.blocked();
}

bool ThreadIdle(const Config& cfg, const ThreadProgram& prog, const CWorld& w,
                int t) {
  return IsIdleWaitStep(prog[w.th[t].pc].step) && !StepEnabled(cfg, prog, w, t);
}

void StepWorld(const Config& cfg, const ThreadProgram& prog, CWorld& w, int t) {
  const Insn& insn = prog[w.th[t].pc];
  Machine<Concrete> m(w, cfg, insn, t);
  ExecStep(m);
  LC_CHECK(!m.blocked());
}

bool SpecExec::enabled(int t) const {
  if (done(t)) return false;
  return StepEnabled(cfg_, program(t), w_, t);
}

std::vector<int> SpecExec::enabled_threads() const {
  std::vector<int> out;
  for (int t = 0; t < num_threads(); ++t)
    if (enabled(t)) out.push_back(t);
  return out;
}

StepRecord SpecExec::step(int t) {
  LC_CHECK(enabled(t));
  const Insn insn = next_insn(t);
  StepWorld(cfg_, program(t), w_, t);
  last_ = t;
  StepRecord rec{t, insn.call, insn.op, insn.step, false, 0};
  const int pc = w_.th[t].pc;
  if (pc >= insn.base + insn.len) {
    rec.call_returned = true;
    rec.ret = w_.th[t].ret;
    results_[t].push_back(rec.ret);
  }
  return rec;
}

namespace {

// The full check after a step (the first step of a run, or a caller that
// tracks no footprint): out of line, so that the footprint path, which the
// differential runner takes on every other step, inlines.
[[gnu::noinline]] LC_NO_COVERAGE void FullStep(Machine<Concrete>& m,
                                               Touched* written) {
  ExecStep(m);
  if (written != nullptr) *written = Touched::All();
}

}  // namespace

// One step of t's instruction `insn` on the world: the body of TryStep and
// of RunCall's loop (inlined into both: RunCall is the differential
// runner's per-step path).
LC_NO_COVERAGE inline bool SpecExec::StepInsn(int t, const Insn& insn,
                                              Touched* written) {
  Machine<Concrete> m(w_, cfg_, insn, t);
  if (written != nullptr && checked_) {
    ExecStepTouched(m, written);
  } else {
    FullStep(m, written);
  }
  if (m.blocked()) return false;
  checked_ = true;
  last_ = t;
  return true;
}

LC_NO_COVERAGE bool SpecExec::TryStep(int t, StepRecord* rec,
                                      Touched* written) {
  const Insn& insn = program(t)[w_.th[t].pc];
  if (!StepInsn(t, insn, written)) return false;
  *rec = StepRecord{t, insn.call, insn.op, insn.step, false, 0};
  if (w_.th[t].pc >= insn.base + insn.len) {
    rec->call_returned = true;
    rec->ret = w_.th[t].ret;
    results_[t].push_back(rec->ret);
  }
  return true;
}

// RunCall's loop, over the instructions `insn_at(pc)` gives (nullptr: the
// thread is done).
template <class InsnAt>
LC_NO_COVERAGE CallEnd SpecExec::RunSteps(int t, InsnAt insn_at,
                                          Touched* written,
                                          std::vector<int>* schedule) {
  // Every op is a short program: a call this long is a spec loop.
  constexpr int kMaxStepsPerCall = 10000;
  CallEnd end;
  for (;;) {
    const Insn* insn = insn_at(w_.th[t].pc);
    if (insn == nullptr) return end;
    LC_CHECK(end.steps < kMaxStepsPerCall);
    if (!StepInsn(t, *insn, written)) {
      end.blocked = true;
      end.step = insn->step;
      return end;
    }
    ++end.steps;
    if (schedule != nullptr) schedule->push_back(t);
    if (w_.th[t].pc >= insn->base + insn->len) {  // the call returned
      end.ret = w_.th[t].ret;
      results_[t].push_back(end.ret);
      return end;
    }
    if (w_.violation != 0) return end;
  }
}

LC_NO_COVERAGE CallEnd SpecExec::RunCall(int t, Touched* written,
                                         std::vector<int>* schedule) {
  if (pending_[t].empty() || w_.th[t].pc != pending_[t].back().base) {
    // Inside a call, or not at the last one added: from the program.
    const ThreadProgram& prog = program(t);
    return RunSteps(
        t,
        [&](int pc) -> const Insn* {
          return pc < static_cast<int>(prog.size()) ? &prog[pc] : nullptr;
        },
        written, schedule);
  }
  // At the first step of the call add_call added last (the call-order
  // view's every call): its instructions are the op's steps with this
  // call's base and arguments, so one Insn on the stack stands for them.
  const Pending& p = pending_[t].back();
  Insn insn{p.call.op, p.steps[0], 0, p.len, p.base, p.index, p.call.args};
  return RunSteps(
      t,
      [&](int pc) -> const Insn* {
        const int k = pc - p.base;
        LC_CHECK(k >= 0 && k < p.len);
        insn.step = p.steps[k];
        insn.k = static_cast<int16_t>(k);
        return &insn;
      },
      written, schedule);
}

bool SpecExec::idle(int t) const {
  return !done(t) && ThreadIdle(cfg_, program(t), w_, t);
}

bool SpecExec::all_done() const {
  for (int t = 0; t < num_threads(); ++t)
    if (!done(t) && !idle(t)) return false;
  return true;
}

bool SpecExec::deadlocked() const {
  if (all_done()) return false;
  for (int t = 0; t < num_threads(); ++t)
    if (enabled(t)) return false;
  return true;
}

int SpecExec::sequential_choice() const {
  if (last_ >= 0 && enabled(last_)) {
    const Insn& insn = next_insn(last_);
    if (insn.k > 0) return last_;  // inside a call: run it to completion
  }
  for (int t = 0; t < num_threads(); ++t)
    if (enabled(t)) return t;
  return -1;
}

Inv CheckAlwaysInvariants(const Config& cfg, const CWorld& w) {
  CWorld copy = w;
  copy.violation = 0;
  Insn none{};
  Machine<Concrete> m(copy, cfg, none, 0);
  CheckAlways(m);
  return static_cast<Inv>(copy.violation);
}

std::vector<std::string> DiffWorlds(const CWorld& a, const CWorld& b) {
  std::vector<std::string> names;
  std::vector<std::string> out;
  std::vector<int> av, bv;
  auto collect = [](std::vector<int>& vals, std::vector<std::string>* nm) {
    return [&vals, nm](const char* kind, int oi, const char* field, int ei,
                       const auto& v) {
      vals.push_back(static_cast<int>(v));
      if (nm) nm->push_back(WorldFieldName(kind, oi, field, ei));
    };
  };
  VisitWorld(a, collect(av, &names));
  VisitWorld(b, collect(bv, nullptr));
  for (size_t i = 0; i < av.size(); ++i) {
    if (av[i] == bv[i]) continue;
    if (names[i].rfind("th[", 0) == 0) continue;  // pcs and registers
    out.push_back(names[i] + ": " + std::to_string(av[i]) + " -> " +
                  std::to_string(bv[i]));
  }
  return out;
}

}  // namespace lifecheck
