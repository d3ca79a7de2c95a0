#include "mc/explicit.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/run/spec_run.h"
#include "mc/fair_cycle.h"
#include "mc/footprint.h"
#include "mc/lasso.h"
#include "mc/state_layout.h"
#include "mc/state_store.h"
#include "mc/symmetry.h"
#include "spec/check.h"
#include "spec/step_table.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

using Clock = std::chrono::steady_clock;

// A move from a state: thread t takes the step at its pc, or, at a junction,
// the first step of its alt-th target. Stored as one 16-bit label.
constexpr uint16_t MoveLabel(int t, int alt) {
  return static_cast<uint16_t>(t << 8 | alt);
}
constexpr int LabelThread(uint16_t l) { return l >> 8; }
constexpr int LabelAlt(uint16_t l) { return l & 0xff; }
constexpr uint16_t kRootLabel = 0xffff;

// The resident set of the process, for --progress.
double ResidentMb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long pages = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? resident * 4096.0 / (1 << 20) : 0;
}

class Explorer {
 public:
  Explorer(const Trace& problem, const McOptions& opts,
           const ExplicitVisitor* visit)
      : problem_(problem),
        visit_(visit),
        opts_(opts),
        cfg_(problem.config),
        n_(static_cast<int>(problem.threads.size())),
        init_(InitWorld(cfg_)),
        start_(Clock::now()) {
    std::vector<ThreadBody> bodies;
    for (int t = 0; t < n_; ++t) {
      bodies.push_back(problem.body(t));
      progs_.push_back(FlattenBody(bodies.back(), cfg_));
      liveness_ = liveness_ || HasForever(bodies.back());
    }
    sym_ = std::make_unique<Symmetry>(cfg_, bodies);
    // Fairness is per thread: the liveness pass keeps threads apart.
    use_sym_ = opts.symmetry && !sym_->trivial() && !liveness_;
    // Only the fields some step can write vary (static footprints over-
    // approximate every state's writes; mc/footprint_test.cc checks that).
    // The violation field is left out: no stored state has one.
    FieldSet variable;
    for (int t = 0; t < n_; ++t)
      for (size_t pc = 0; pc < progs_[t].size(); ++pc)
        if (!progs_[t].junction(static_cast<int>(pc)))
          variable |= StepFootprint(cfg_, progs_[t][pc], t).writes;
    variable.reset(ViolationFieldId());
    variable &= ~DeadFields();
    layout_ = std::make_unique<StateLayout>(cfg_, n_, &variable);
    // Each thread's own record (pc, return value, registers): set_local
    // writes it, the write log does not (PackSuccessor patches it).
    for (int t = 0; t < n_; ++t) {
      thread_offsets_.emplace_back();
      const auto* base = reinterpret_cast<const uint8_t*>(&init_);
      const auto* th = reinterpret_cast<const uint8_t*>(&init_.th[t]);
      for (size_t b = 0; b < sizeof(init_.th[t]); ++b)
        if (layout_->FieldSize(th - base + b) > 0)
          thread_offsets_[t].push_back(static_cast<uint16_t>(th - base + b));
    }
    // ExecStepTouched's premise: the state before a step passed the
    // always-invariants (stored states did, the root may not).
    init_clean_ = CheckAlwaysInvariants(cfg_, init_) == Inv::kNone;
    if (!Bfs_() && opts.por) PrepareFootprints();
  }

  McResult Run() {
    McResult r;
    for (;;) {
      NewStore();
      r = Bfs_() ? Bfs() : Dfs();
      if (widen_ < 0) break;
      // A count outgrew its byte: widen it and start over (the stored
      // states were packed with the old layout).
      layout_->Widen(widen_);
      widen_ = -1;
      ++widened_;
    }
    if (liveness_ && r.verdict == McVerdict::kVerified) {
      McResult l = Liveness();
      if (l.verdict != McVerdict::kVerified) r = std::move(l);
    }
    r.seconds = Seconds();
    const double s = r.seconds > 0 ? r.seconds : 1e-9;
    const uint64_t states = store_->size();
    const bool compact = store_->mode() == StateStore::Mode::kHashCompact;
    r.stats = {
        {"mode",
         Bfs_() ? (liveness_ ? "bfs, then fair cycles" : "bfs") : "dfs"},
        {"por", !Bfs_() && opts_.por ? "on" : "off"},
        {"symmetry", use_sym_         ? sym_->Describe()
                     : liveness_      ? "off (fairness is per thread)"
                     : opts_.symmetry ? "on (no identical threads)"
                                      : "off"},
        {"jobs", absl::StrCat(Bfs_() ? Jobs() : 1)},
        {"storage",
         compact ? "hash compaction (64-bit fingerprints)" : "exact"},
        {"states", absl::StrCat(states)},
        {"transitions", absl::StrCat(transitions_.load())},
        {"states/s", absl::StrFormat("%.0f", states / s)},
        {"bytes/state",
         absl::StrFormat("%.1f (packed %d)",
                         states ? double(MemoryBytes()) / states : 0.0,
                         layout_->bytes())},
        {"depth", absl::StrCat(max_depth_.load())},
    };
    if (compact)
      r.stats.emplace_back("omission probability",
                           absl::StrFormat("<= %.3g (n(n-1)/2^65, n = states)",
                                           store_->OmissionProbability()));
    if (widened_ > 0)
      r.stats.emplace_back("restarts", absl::StrCat(widened_, " (widened)"));
    if (!Bfs_() && opts_.por)
      r.stats.emplace_back("ample states", absl::StrCat(reduced_));
    if (opts_.bound == 0 && r.verdict != McVerdict::kCounterexample)
      r.bound = max_depth_;
    return r;
  }

 private:
  // A thread that may run for ever makes the search a BFS (the liveness
  // pass walks the whole graph it stores).
  bool Bfs_() const { return opts_.bfs || opts_.bound > 0 || liveness_; }
  // A visitor (Z3's sample of reachable worlds) is called from one thread.
  int Jobs() const { return visit_ ? 1 : std::max(1, opts_.jobs); }
  double Seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }
  void NewStore() {
    const bool compact = opts_.hash_compact && Bfs_() && !liveness_;
    store_ = std::make_unique<StateStore>(
        layout_->bytes(),
        compact ? StateStore::Mode::kHashCompact : StateStore::Mode::kExact);
    transitions_ = 0;
    stored_ = 1;  // the root
    reduced_ = 0;
    max_depth_ = 0;
    frontier_bytes_ = 0;
  }
  size_t MemoryBytes() const {
    return store_->MemoryBytes() + frontier_bytes_ +
           on_stack_.capacity() * (sizeof(uint32_t) + 1);
  }

  // ---- stepping ----
  // Every thread may stop: at its end or a junction that allows it, or
  // idle at a work item nobody queued (ThreadIdle).
  bool MayStopAll(const CWorld& w) const {
    for (int t = 0; t < n_; ++t)
      if (!MayStop(progs_[t], w.th[t].pc) && !ThreadIdle(cfg_, progs_[t], w, t))
        return false;
    return true;
  }
  // What a step wrote besides its thread's own fields (the Machine's write
  // log): byte offsets in the world and the values before the step, so that
  // its successor can be packed from the parent's bytes and the world put
  // back without copying it whole. `moved` (set by whoever changed the
  // successor beyond the step, e.g. a symmetry permutation) or `overflow`
  // (the log could not hold every write) make both fall back to the whole.
  struct StepLog {
    int n = 0;
    bool overflow = false;
    bool moved = false;
    std::array<uint16_t, 33> off;
    std::array<int16_t, 33> old;
  };
  // Runs thread t's step `insn` on s; false (s unchanged: a step's guard
  // comes before its effects) if the step is disabled. Stored states passed
  // the always-invariants, so the checks visit only what the step touched.
  bool TryStep(const Insn& insn, CWorld& s, int t,
               StepLog* log = nullptr) const {
    Machine<Concrete> m(s, cfg_, insn, t);
    if (init_clean_) {
      Touched touched;
      ExecStepTouched(m, &touched);
    } else {
      ExecStep(m);
    }
    if (m.blocked()) return false;
    // Dead for every finding (DeadFields, mc/footprint.h): states that
    // differ only there have the same futures.
    s.th[t].ret = 0;
    s.warned = {};
    if (log) {
      log->n = 0;
      log->moved = false;
      const auto* base = reinterpret_cast<const uint8_t*>(&s);
      log->overflow = !m.ForEachWrite([&](const void* addr, int old) {
        log->off[log->n] =
            static_cast<uint16_t>(static_cast<const uint8_t*>(addr) - base);
        log->old[log->n++] = static_cast<int16_t>(old);
      });
    }
    return true;
  }
  // Puts s (a successor of w by thread t's step, described by `log`) back
  // to w: undoes the logged writes in reverse and restores t's own record;
  // the whole world when the log does not describe s.
  void Restore(const CWorld& w, CWorld& s, int t, const StepLog* log) const {
    if (!log || log->overflow || log->moved) {
      s = w;
      return;
    }
    auto* base = reinterpret_cast<uint8_t*>(&s);
    for (int k = log->n - 1; k >= 0; --k) {
      if (layout_->FieldSize(log->off[k]) == 2)
        std::memcpy(base + log->off[k], &log->old[k], 2);
      else
        base[log->off[k]] = static_cast<uint8_t>(log->old[k]);
    }
    s.th[t] = w.th[t];
    s.violation = w.violation;
#ifndef NDEBUG
    LC_CHECK(s == w);  // the log described every write
#endif
  }
  // Calls f(label, s) for every move from w, with s the successor (f may
  // change s, and must then set log->moved). On entry and on return s == w.
  // `log`, if given, describes each successor to f. Returns whether any
  // move.
  template <class F>
  bool Expand(const CWorld& w, CWorld& s, F&& f, StepLog* log = nullptr) const {
    bool any = false;
    for (int t = 0; t < n_; ++t) {
      const ThreadProgram& p = progs_[t];
      const int pc = w.th[t].pc;
      if (pc >= static_cast<int>(p.size())) continue;
      if (const Junction* j = p.junction(pc)) {
        for (size_t a = 0; a < j->targets.size(); ++a) {
          s.th[t].pc = j->targets[a];
          if (TryStep(p[j->targets[a]], s, t, log)) {
            any = true;
            f(MoveLabel(t, static_cast<int>(a)), s);
            Restore(w, s, t, log);
          } else {
            s.th[t].pc = static_cast<int16_t>(pc);
          }
        }
      } else if (TryStep(p[pc], s, t, log)) {
        any = true;
        f(MoveLabel(t, 0), s);
        Restore(w, s, t, log);
      }
    }
    return any;
  }
  // Packs successor s of the state packed as `parent` (s described by
  // `log`, stepped by thread t) into out: the parent's bytes with the
  // logged fields and t's record patched. False (widen_ set) if a field
  // outgrew its byte.
  bool PackSuccessor(const CWorld& s, int t, const uint8_t* parent,
                     const StepLog& log, uint8_t* out) {
    if (log.overflow || log.moved) return PackInto(s, out);
    std::memcpy(out, parent, layout_->bytes());
    int overflow = -1;
    for (int k = 0; k < log.n && overflow < 0; ++k)
      overflow = layout_->PatchField(s, log.off[k], out);
    for (size_t f = 0; f < thread_offsets_[t].size() && overflow < 0; ++f)
      overflow = layout_->PatchField(s, thread_offsets_[t][f], out);
#ifndef NDEBUG
    if (overflow < 0) {  // the same bytes as packing the whole world
      std::vector<uint8_t> full(layout_->bytes());
      LC_CHECK(layout_->Pack(s, full.data()) < 0 &&
               std::memcmp(full.data(), out, full.size()) == 0);
    }
#endif
    if (overflow < 0) return true;
    int expected = -1;
    widen_.compare_exchange_strong(expected, overflow);
    return false;
  }
  // The successor of w by move `label`, or false if it is disabled.
  bool Move(const CWorld& w, uint16_t label, CWorld* s) const {
    const int t = LabelThread(label);
    const ThreadProgram& p = progs_[t];
    const int pc = w.th[t].pc;
    if (t >= n_ || pc >= static_cast<int>(p.size())) return false;
    *s = w;
    int target = pc;
    if (const Junction* j = p.junction(pc)) {
      if (LabelAlt(label) >= static_cast<int>(j->targets.size())) return false;
      target = j->targets[LabelAlt(label)];
      s->th[t].pc = static_cast<int16_t>(target);
    } else if (LabelAlt(label) != 0) {
      return false;
    }
    return TryStep(p[target], *s, t);
  }
  // The pc of the instruction move `label` runs from w.
  int MovePc(const CWorld& w, uint16_t label) const {
    const int t = LabelThread(label), pc = w.th[t].pc;
    const Junction* j = progs_[t].junction(pc);
    return j ? j->targets[LabelAlt(label)] : pc;
  }
  // Returns whether w changed.
  bool Canon(CWorld& w) const { return use_sym_ && sym_->Canonicalize(w); }
  // Packs w into out; false (and widen_ set) if a field outgrew its byte.
  bool PackInto(const CWorld& w, uint8_t* out) {
    const int overflow = layout_->Pack(w, out);
    if (overflow < 0) return true;
    int expected = -1;
    widen_.compare_exchange_strong(expected, overflow);
    return false;
  }
  void Unpack(const uint8_t* bytes, CWorld& w) const {
    layout_->Unpack(bytes, w);
  }

  // ---- budgets and progress ----
  // Every 1024 expansions of a worker: time and state budgets, and (worker
  // 0) the progress line.
  bool OverBudget(uint64_t* ticks, bool reporter) {
    const uint64_t states = stored_.load(std::memory_order_relaxed);
    if (opts_.max_states > 0 && states >= uint64_t(opts_.max_states)) {
      out_of_budget_ = true;
      stop_ = true;
    }
    if ((++*ticks & 1023) != 0) return stop_.load(std::memory_order_relaxed);
    if (stop_.load(std::memory_order_relaxed)) return true;
    const double s = Seconds();
    if (opts_.timeout_s > 0 && s >= opts_.timeout_s) {
      out_of_budget_ = true;
      stop_ = true;
      return true;
    }
    if (reporter && opts_.progress && s >= next_progress_) {
      next_progress_ = s + 1;
      std::fprintf(stderr,
                   "explicit: %llu states, %llu transitions, depth %d, %.0f "
                   "states/s, %.0f MB resident, %.1fs\n",
                   static_cast<unsigned long long>(states),
                   static_cast<unsigned long long>(transitions_.load()),
                   max_depth_.load(), states / s, ResidentMb(), s);
    }
    return false;
  }
  McResult Unknown() const {
    McResult r;
    r.verdict = McVerdict::kUnknown;
    return r;
  }

  // ---- counterexamples ----
  // `labels`: the moves from the canonical root to the last state of the
  // path (plus, for a violation, the violating move). Replays them on
  // canonical worlds and finds, at each step, the real move whose successor
  // canonicalises to the same world: a concrete schedule from InitWorld, and
  // the pcs each thread ran, which resolve its choices (ResolveCalls).
  McResult Counterexample(const std::vector<uint16_t>& labels, Inv inv) {
    CWorld canon = init_, real = init_;
    Canon(canon);
    Trace cex = problem_;
    cex.schedule.clear();
    cex.schedule_pos.clear();
    std::vector<std::vector<int>> executed(n_);
    for (uint16_t label : labels) {
      CWorld next;
      LC_CHECK(Move(canon, label, &next));
      Canon(next);
      bool found = false;
      CWorld s = real;
      Expand(real, s, [&](uint16_t l, CWorld& succ) {
        if (found) return;
        CWorld c = succ;
        Canon(c);
        if (!(c == next)) return;
        found = true;
        const int t = LabelThread(l);
        cex.schedule.push_back(t);
        executed[t].push_back(MovePc(real, l));
        real = succ;
      });
      LC_CHECK(found);  // the path is made of real moves
      canon = next;
    }
    LC_CHECK(real.violation == (inv == Inv::kDeadlock ? 0 : int(inv)));
    for (int t = 0; t < n_; ++t)
      cex.threads[t] = ResolveCalls(progs_[t], executed[t]);
    cex.bodies.clear();
    cex.call_pos.clear();
    cex.expect = std::string(InvId(inv));
    // Witness check (DESIGN principle 2): the concrete replay must reach the
    // same finding.
    absl::StatusOr<RunResult> run = RunTrace(cex, "<explicit>");
    LC_CHECK(run.ok() && Finding(*run) == inv);
    McResult r;
    r.verdict = McVerdict::kCounterexample;
    r.inv = inv;
    r.bound = static_cast<int>(cex.schedule.size());
    r.counterexample = std::move(cex);
    return r;
  }
  std::vector<uint16_t> PathTo(uint32_t id) const {
    std::vector<uint16_t> labels;
    for (uint16_t l; (l = store_->label(id)) != kRootLabel;
         id = store_->parent(id))
      labels.push_back(l);
    return {labels.rbegin(), labels.rend()};
  }

  // ---- BFS, layer by layer on Jobs() workers ----
  // A layer is a list of packed states; workers take chunks of it, expand
  // them and append the new states to their own next-layer buffers. The
  // first state to reach a new state is its parent, so every state's path
  // has its BFS depth: counterexamples are shortest. Within a layer at depth
  // d a deadlock (a path of d steps) beats a violation (d + 1 steps); among
  // several of one kind the first in layer order is taken.
  struct Layer {
    std::vector<uint8_t> bytes;
    std::vector<uint32_t> ids;
  };
  struct Found {
    size_t index = SIZE_MAX;  // position in the layer of the state
    uint32_t id = 0;
    uint16_t label = 0;  // violating move (violations)
    Inv inv = Inv::kNone;
  };

  McResult Bfs() {
    const int width = layout_->bytes();
    Layer layer;
    {
      CWorld root = init_;
      Canon(root);
      layer.bytes.resize(width);
      if (!PackInto(root, layer.bytes.data())) return Unknown();
      const auto [rid, fresh] =
          store_->Insert(layer.bytes.data(),
                         HashBytes(layer.bytes.data(), width), 0, kRootLabel);
      LC_CHECK(fresh);
      layer.ids.push_back(rid);
    }
    const int jobs = Jobs();
    std::vector<Layer> next(jobs);
    std::vector<Found> violation(jobs), deadlock(jobs);
    std::vector<uint64_t> ticks(jobs, 0);
    std::atomic<size_t> cursor{0};
    std::atomic<bool> cut{false};
    int depth = 0;
    bool done = false;
    // One layer's share of worker j.
    auto work = [&](int j) {
      CWorld w = init_, s = init_;
      std::vector<uint8_t> buf(width);
      StepLog log;
      Layer& out = next[j];
      const bool at_bound = opts_.bound > 0 && depth >= opts_.bound;
      constexpr size_t kChunk = 64;
      for (;;) {
        const size_t first = cursor.fetch_add(kChunk);
        if (first >= layer.ids.size()) break;
        const size_t last = std::min(first + kChunk, layer.ids.size());
        for (size_t i = first; i < last; ++i) {
          if (OverBudget(&ticks[j], j == 0) || widen_ >= 0) return;
          const uint8_t* parent = layer.bytes.data() + i * width;
          Unpack(parent, w);
          if (visit_) (*visit_)(w);
          s = w;
          uint64_t moves = 0;
          const uint32_t id = layer.ids[i];
          const bool any = Expand(
              w, s,
              [&](uint16_t label, CWorld& succ) {
                ++moves;
                if (at_bound) {
                  cut = true;
                  return;
                }
                if (succ.violation != 0) {
                  if (i < violation[j].index)
                    violation[j] = {i, id, label,
                                    static_cast<Inv>(succ.violation)};
                  return;
                }
                if (violation[j].index != SIZE_MAX || widen_ >= 0) return;
                log.moved = Canon(succ);  // in place: Expand restores it
                if (!PackSuccessor(succ, LabelThread(label), parent, log,
                                   buf.data()))
                  return;
                const auto [sid, fresh] = store_->Insert(
                    buf.data(), HashBytes(buf.data(), width), id, label);
                if (!fresh) return;
                stored_.fetch_add(1, std::memory_order_relaxed);
                out.bytes.insert(out.bytes.end(), buf.begin(), buf.end());
                out.ids.push_back(sid);
              },
              &log);
          transitions_.fetch_add(moves, std::memory_order_relaxed);
          if (!any && !MayStopAll(w) && i < deadlock[j].index)
            deadlock[j] = {i, id, 0, Inv::kDeadlock};
        }
      }
    };
    // Workers 1.. live for the whole search and meet worker 0 (this thread)
    // at two barriers per layer: start, end.
    std::barrier sync(jobs);
    std::vector<std::thread> pool;
    for (int j = 1; j < jobs; ++j)
      pool.emplace_back([&, j] {
        for (;;) {
          sync.arrive_and_wait();
          if (done) return;
          work(j);
          sync.arrive_and_wait();
        }
      });
    McResult result;
    result.verdict = McVerdict::kVerified;
    for (;;) {
      max_depth_ = depth;
      cursor = 0;
      sync.arrive_and_wait();
      work(0);
      sync.arrive_and_wait();
      if (widen_ >= 0) break;
      if (out_of_budget_) {
        result = Unknown();
        break;
      }
      auto first = [](const std::vector<Found>& v) {
        return *std::min_element(
            v.begin(), v.end(),
            [](const Found& a, const Found& b) { return a.index < b.index; });
      };
      const Found dl = first(deadlock), vi = first(violation);
      if (dl.index != SIZE_MAX) {
        result = Counterexample(PathTo(dl.id), Inv::kDeadlock);
        break;
      }
      if (vi.index != SIZE_MAX) {
        max_depth_ = depth + 1;
        std::vector<uint16_t> path = PathTo(vi.id);
        path.push_back(vi.label);
        result = Counterexample(path, vi.inv);
        break;
      }
      Layer merged;
      size_t total = 0;
      for (const Layer& l : next) total += l.ids.size();
      merged.bytes.reserve(total * width);
      merged.ids.reserve(total);
      for (Layer& l : next) {
        merged.bytes.insert(merged.bytes.end(), l.bytes.begin(), l.bytes.end());
        merged.ids.insert(merged.ids.end(), l.ids.begin(), l.ids.end());
        l = Layer{};
      }
      frontier_bytes_ = std::max(
          frontier_bytes_, layer.bytes.capacity() + merged.bytes.capacity() +
                               sizeof(uint32_t) * (layer.ids.capacity() +
                                                   merged.ids.capacity()));
      layer = std::move(merged);
      if (layer.ids.empty()) {
        if (cut) {
          result.verdict = McVerdict::kVerifiedToBound;
          result.bound = opts_.bound;
        } else {
          result.bound = max_depth_;
        }
        break;
      }
      ++depth;
    }
    done = true;
    sync.arrive_and_wait();
    for (std::thread& t : pool) t.join();
    return result;
  }

  // ---- liveness: starvation on a fair cycle (mc/fair_cycle.h) ----
  // Once the safety search found nothing: the reachable graph, stored
  // again with its edges (states as the BFS packs them, no symmetry), and
  // a fair cycle on which a thread with work left never steps.
  McResult Liveness() {
    const int width = layout_->bytes();
    absl::flat_hash_map<std::string, uint32_t> ids;
    std::vector<std::string> packed;
    std::vector<uint32_t> parent;
    std::vector<uint16_t> via, edge_label;
    LiveGraph g;
    g.threads = n_;
    auto add = [&](const CWorld& w, uint32_t from, uint16_t label) {
      std::string key(width, '\0');
      LC_CHECK(PackInto(w, reinterpret_cast<uint8_t*>(key.data())));
      const auto [it, fresh] =
          ids.try_emplace(key, static_cast<uint32_t>(packed.size()));
      if (fresh) {
        packed.push_back(std::move(key));
        parent.push_back(from);
        via.push_back(label);
      }
      return it->second;
    };
    add(init_, 0, kRootLabel);
    CWorld w = init_, s = init_;
    uint64_t ticks = 0;
    for (uint32_t i = 0; i < packed.size(); ++i) {
      if (OverBudget(&ticks, true)) return Unknown();
      Unpack(reinterpret_cast<const uint8_t*>(packed[i].data()), w);
      uint32_t enabled = 0, stop = 0, weak = 0;
      for (int t = 0; t < n_; ++t) {
        const int pc = w.th[t].pc;
        if (MayStop(progs_[t], pc) || ThreadIdle(cfg_, progs_[t], w, t))
          stop |= 1u << t;
        else if (!progs_[t].junction(pc) &&
                 IsConditionWaitStep(progs_[t][pc].step))
          weak |= 1u << t;
      }
      s = w;
      Expand(w, s, [&](uint16_t label, CWorld& succ) {
        enabled |= 1u << LabelThread(label);
        const uint32_t to = add(succ, i, label);
        g.edges.push_back({i, to, LabelThread(label)});
        edge_label.push_back(label);
      });
      g.enabled.push_back(enabled);
      g.stop.push_back(stop);
      g.weak.push_back(weak);
    }
    transitions_ += g.edges.size();
    const std::optional<FairCycle> fc = FindFairCycle(g);
    McResult r;
    r.verdict = McVerdict::kVerified;
    if (!fc) return r;
    std::vector<uint16_t> prefix, cycle;
    for (uint32_t id = g.edges[fc->edges[0]].from; id != 0; id = parent[id])
      prefix.push_back(via[id]);
    std::reverse(prefix.begin(), prefix.end());
    for (uint32_t e : fc->edges) cycle.push_back(edge_label[e]);
    return Lasso(prefix, cycle, fc->starved);
  }

  // The lasso of `prefix` then `cycle` (moves from InitWorld, no symmetry),
  // written by LassoTrace and replayed before it is reported.
  McResult Lasso(const std::vector<uint16_t>& prefix,
                 const std::vector<uint16_t>& cycle, int starved) {
    std::vector<LassoMove> pre, cyc;
    CWorld w = init_;
    for (const auto* labels : {&prefix, &cycle})
      for (uint16_t l : *labels) {
        (labels == &prefix ? pre : cyc)
            .push_back({LabelThread(l), MovePc(w, l)});
        CWorld next;
        LC_CHECK(Move(w, l, &next));
        w = next;
      }
    Trace cex = LassoTrace(problem_, progs_, pre, cyc);
    const std::string bad = CheckLasso(cex, starved);
    if (!bad.empty())  // what the internal error below is about
      std::fprintf(stderr, "lasso of thread %d: %s\n%s", starved, bad.c_str(),
                   PrintTrace(cex).c_str());
    LC_CHECK(bad.empty());
    McResult r;
    r.verdict = McVerdict::kCounterexample;
    r.inv = Inv::kStarvation;
    r.bound = static_cast<int>(cex.schedule.size() + cex.cycle.size());
    r.counterexample = std::move(cex);
    return r;
  }

  // ---- DFS with partial-order reduction ----
  void PrepareFootprints() {
    inv_reads_ = InvariantReads(cfg_);
    {
      int fid = 0;
      const auto* base = reinterpret_cast<const uint8_t*>(&init_);
      VisitWorld(init_, [&](const char*, int, const char*, int, const auto& v) {
        if (inv_reads_.test(fid++))
          visible_offsets_.emplace_back(
              reinterpret_cast<const uint8_t*>(&v) - base, sizeof(v));
      });
    }
    // Idempotent, write-only ghost flags: no conflict (see explicit.h).
    FieldSet ignore;
    int id = 0;
    VisitWorld(init_,
               [&](const char* kind, int, const char* field, int, const auto&) {
                 if (kind[0] == '\0' && std::strcmp(field, "warned") == 0)
                   ignore.set(id);
                 ++id;
               });
    ignore.set(ViolationFieldId());
    keep_ = ~ignore;
    std::vector<std::pair<size_t, size_t>> offsets;  // of every field
    {
      const auto* base = reinterpret_cast<const uint8_t*>(&init_);
      VisitWorld(init_, [&](const char*, int, const char*, int, const auto& v) {
        offsets.emplace_back(reinterpret_cast<const uint8_t*>(&v) - base,
                             sizeof(v));
      });
    }
    fp_.resize(n_);
    fut_.resize(n_);
    read_offsets_.resize(n_);
    dyn_memo_.resize(n_);
    for (int t = 0; t < n_; ++t) {
      const ThreadProgram& p = progs_[t];
      dyn_memo_[t].resize(p.size());
      for (size_t pc = 0; pc < p.size(); ++pc) {
        Footprint f;
        if (!p.junction(static_cast<int>(pc)))
          f = StepFootprint(cfg_, p[pc], t);
        auto& ro = read_offsets_[t].emplace_back();
        for (size_t i = 0; i < offsets.size(); ++i)
          if (f.reads.test(i)) ro.push_back(offsets[i]);
        f.reads &= keep_;
        fp_[t].push_back(f);
      }
      // fut_[t][pc]: union over [base of pc's call, end). Choices and
      // repeats only jump forward (spec/thread_body.h lays every call out
      // after the points that lead to it), so this covers every step the
      // thread can still take.
      fut_[t].resize(p.size());
      Footprint acc;
      for (int pc = static_cast<int>(p.size()) - 1; pc >= 0; --pc) {
        acc.reads |= fp_[t][pc].reads;
        acc.writes |= fp_[t][pc].writes & keep_;
        if (pc == p[pc].base) {
          for (int q = pc; q < p[pc].base + p[pc].len; ++q) fut_[t][q] = acc;
        }
      }
    }
  }

  // The dynamic footprint is a function of the fields the step can read
  // (its static reads): memoised on their values.
  const Footprint& CachedDynamicFootprint(const CWorld& w, int u) const {
    const int pc = w.th[u].pc;
    const auto& offs = read_offsets_[u][pc];
    std::string key;
    key.reserve(offs.size() * 2);
    const auto* base = reinterpret_cast<const char*>(&w);
    for (const auto& [off, size] : offs) key.append(base + off, size);
    auto& memo = dyn_memo_[u][pc];
    auto it = memo.find(key);
    if (it == memo.end())
      it = memo.emplace(std::move(key),
                        DynamicFootprint(cfg_, progs_[u][pc], u, w))
               .first;
    return it->second;
  }

  // C2 by the concrete step: does it change a field the invariants read (or
  // report a violation)? Cheap, and it rejects most candidates before the
  // dynamic footprint is computed.
  bool ChangesVisible(const CWorld& w, const CWorld& s) const {
    const auto* a = reinterpret_cast<const uint8_t*>(&w);
    const auto* b = reinterpret_cast<const uint8_t*>(&s);
    for (const auto& [off, size] : visible_offsets_)
      if (std::memcmp(a + off, b + off, size) != 0) return true;
    return false;
  }

  // C1 and C2 for thread u's next step in w (see explicit.h).
  bool AmpleCandidate(const CWorld& w, int u) const {
    // The candidate's footprint in this very state (exact; see
    // DynamicFootprint), the others' over everything they can still do.
    const Footprint& a = CachedDynamicFootprint(w, u);
    if ((a.writes & inv_reads_).any()) return false;  // C2: visible
    const FieldSet aw = a.writes & keep_;
    for (int v = 0; v < n_; ++v) {
      if (v == u || w.th[v].pc >= static_cast<int>(progs_[v].size())) continue;
      const Footprint& f = fut_[v][w.th[v].pc];
      if ((aw & (f.reads | f.writes)).any() || (f.writes & a.reads).any())
        return false;  // C1: a step v can still take depends on it
    }
    return true;
  }

  struct Frame {
    uint32_t id;
    CWorld w;
    uint16_t in_label;  // the move that led here
    std::vector<std::pair<uint16_t, CWorld>> todo;
    size_t next = 0;
  };

  // Pushes state `id` (world w): computes its successors to explore.
  // Returns false if w is a deadlock.
  bool Push(std::vector<Frame>& stack, uint32_t id, const CWorld& w,
            uint16_t in_label) {
    Frame f{id, w, in_label, {}, 0};
    CWorld s = w;
    Expand(w, s, [&](uint16_t label, CWorld& succ) {
      f.todo.emplace_back(label, succ);
    });
    if (f.todo.empty() && !MayStopAll(w)) return false;
    if (opts_.por && f.todo.size() > 1) {
      for (const auto& [label, succ] : f.todo) {
        const int u = LabelThread(label);
        // A thread at a junction has other moves that this one disables:
        // never an ample set on its own.
        if (progs_[u].junction(w.th[u].pc)) continue;
        if (ChangesVisible(w, succ) || !AmpleCandidate(w, u)) continue;
        CWorld c = succ;
        Canon(c);
        std::vector<uint8_t> buf(layout_->bytes());
        if (!PackInto(c, buf.data())) return true;  // widen_ ends the search
        const int64_t sid =
            store_->Find(buf.data(), HashBytes(buf.data(), buf.size()));
        if (sid >= 0 && on_stack_.contains(static_cast<uint32_t>(sid)))
          continue;  // C3
        auto keep = std::make_pair(label, succ);
        f.todo = {keep};
        ++reduced_;
        break;
      }
    }
    on_stack_.insert(id);
    stack.push_back(std::move(f));
    max_depth_ =
        std::max(max_depth_.load(), static_cast<int>(stack.size()) - 1);
    return true;
  }

  std::vector<uint16_t> StackPath(const std::vector<Frame>& stack) const {
    std::vector<uint16_t> path;
    for (size_t i = 1; i < stack.size(); ++i) path.push_back(stack[i].in_label);
    return path;
  }

  McResult Dfs() {
    const int width = layout_->bytes();
    std::vector<uint8_t> buf(width);
    CWorld root = init_;
    Canon(root);
    std::vector<Frame> stack;
    if (!PackInto(root, buf.data())) return Unknown();
    const uint32_t rid =
        store_->Insert(buf.data(), HashBytes(buf.data(), width), 0, kRootLabel)
            .first;
    if (!Push(stack, rid, root, kRootLabel))
      return Counterexample({}, Inv::kDeadlock);
    uint64_t ticks = 0;
    while (!stack.empty() && widen_ < 0) {
      Frame& top = stack.back();
      if (top.next == top.todo.size()) {
        on_stack_.erase(top.id);
        stack.pop_back();
        continue;
      }
      if (OverBudget(&ticks, true)) return Unknown();
      auto& [label, s] = top.todo[top.next++];
      ++transitions_;
      if (s.violation != 0) {
        std::vector<uint16_t> path = StackPath(stack);
        path.push_back(label);
        return Counterexample(path, static_cast<Inv>(s.violation));
      }
      CWorld c = s;
      Canon(c);
      if (!PackInto(c, buf.data())) break;
      auto [sid, fresh] = store_->Insert(
          buf.data(), HashBytes(buf.data(), width), top.id, label);
      if (!fresh) continue;
      ++stored_;
      const uint16_t in = label;
      if (!Push(stack, sid, c, in)) {
        std::vector<uint16_t> path = StackPath(stack);
        path.push_back(in);
        return Counterexample(path, Inv::kDeadlock);
      }
    }
    McResult r;
    r.verdict = McVerdict::kVerified;
    return r;
  }

  const Trace& problem_;
  const ExplicitVisitor* visit_;
  const McOptions opts_;
  const Config cfg_;
  const int n_;
  std::vector<ThreadProgram> progs_;
  std::unique_ptr<StateLayout> layout_;
  std::vector<std::vector<uint16_t>> thread_offsets_;  // [t]: th[t]'s fields
  std::unique_ptr<Symmetry> sym_;
  bool use_sym_ = false;
  bool liveness_ = false;  // some thread may run for ever: look for cycles
  std::unique_ptr<StateStore> store_;
  CWorld init_;
  absl::flat_hash_set<uint32_t> on_stack_;  // DFS: ids on the stack
  size_t frontier_bytes_ = 0;
  // POR tables
  FieldSet inv_reads_, keep_;
  std::vector<std::pair<size_t, size_t>> visible_offsets_;  // {offset, size}
  // [thread][pc]: offsets of the step's static reads; memo of its dynamic
  // footprint keyed by their values.
  std::vector<std::vector<std::vector<std::pair<size_t, size_t>>>>
      read_offsets_;
  mutable std::vector<std::vector<absl::flat_hash_map<std::string, Footprint>>>
      dyn_memo_;
  std::vector<std::vector<Footprint>> fp_, fut_;
  std::atomic<uint64_t> transitions_{0};
  std::atomic<uint64_t> stored_{0};  // states stored (budget and progress)
  uint64_t reduced_ = 0;
  std::atomic<int> widen_{-1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> out_of_budget_{false};
  int widened_ = 0;
  std::atomic<int> max_depth_{0};
  bool init_clean_ = true;
  Clock::time_point start_;
  double next_progress_ = 1;
};

}  // namespace

McResult CheckExplicit(const Trace& problem, const McOptions& opts) {
  return CheckExplicit(problem, opts, nullptr);
}

McResult CheckExplicit(const Trace& problem, const McOptions& opts,
                       const ExplicitVisitor& visit) {
  LC_CHECK(!problem.threads.empty() &&
           problem.threads.size() <= static_cast<size_t>(kMaxThreads));
  LC_CHECK(problem.concrete() ||
           problem.bodies.size() == problem.threads.size());
  Explorer e(problem, opts, visit ? &visit : nullptr);
  return e.Run();
}

const RegisterMcEngine kRegisterExplicit("explicit", &CheckExplicit);

}  // namespace lifecheck
