#include "mc/explicit.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/run/spec_run.h"
#include "mc/footprint.h"
#include "mc/state_layout.h"
#include "mc/symmetry.h"
#include "spec/check.h"

namespace lifecheck {
namespace {

using Clock = std::chrono::steady_clock;

// Visited states: fixed-width packed worlds in one arena, indexed by a hash
// set of state ids that hashes and compares the packed bytes (heterogeneous
// lookup: a candidate is looked up by its bytes before it gets an id).
class StateStore {
 public:
  explicit StateStore(int width)
      : width_(width), set_(0, Hash{this}, Eq{this}) {}

  int width() const { return width_; }
  uint32_t size() const {
    return static_cast<uint32_t>(arena_.size() / width_);
  }
  const uint8_t* at(uint32_t id) const {
    return arena_.data() + size_t{id} * width_;
  }

  // Returns (id, true) for a new state, (existing id, false) otherwise.
  std::pair<uint32_t, bool> Insert(const uint8_t* bytes) {
    const std::string_view key(reinterpret_cast<const char*>(bytes), width_);
    auto it = set_.find(key);
    if (it != set_.end()) return {*it, false};
    const uint32_t id = size();
    arena_.insert(arena_.end(), bytes, bytes + width_);
    set_.insert(id);
    return {id, true};
  }
  // -1 if absent.
  int64_t Find(const uint8_t* bytes) const {
    const std::string_view key(reinterpret_cast<const char*>(bytes), width_);
    auto it = set_.find(key);
    return it == set_.end() ? -1 : int64_t{*it};
  }
  size_t MemoryBytes() const {
    // flat_hash_set: one control byte + one slot per bucket.
    return arena_.capacity() + set_.capacity() * (sizeof(uint32_t) + 1);
  }

 private:
  std::string_view Key(uint32_t id) const {
    return {reinterpret_cast<const char*>(at(id)), static_cast<size_t>(width_)};
  }
  struct Hash {
    using is_transparent = void;
    const StateStore* s;
    size_t operator()(uint32_t id) const { return (*this)(s->Key(id)); }
    size_t operator()(std::string_view k) const {
      return absl::Hash<std::string_view>{}(k);
    }
  };
  struct Eq {
    using is_transparent = void;
    const StateStore* s;
    std::string_view K(uint32_t id) const { return s->Key(id); }
    std::string_view K(std::string_view k) const { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return K(a) == K(b);
    }
  };
  int width_;
  std::vector<uint8_t> arena_;
  absl::flat_hash_set<uint32_t, Hash, Eq> set_;
};

class Explorer {
 public:
  Explorer(const Trace& problem, const McOptions& opts)
      : problem_(problem),
        opts_(opts),
        cfg_(problem.config),
        n_(static_cast<int>(problem.threads.size())),
        layout_(cfg_, n_),
        sym_(cfg_, problem.threads),
        store_(std::make_unique<StateStore>(layout_.bytes())),
        init_(InitWorld(cfg_)),
        start_(Clock::now()) {
    for (const auto& calls : problem.threads)
      progs_.push_back(Flatten(calls, cfg_));
    use_sym_ = opts.symmetry && !sym_.trivial();
    if (!opts.bfs && opts.por) PrepareFootprints();
  }

  McResult Run() {
    McResult r;
    for (;;) {
      try {
        r = opts_.bfs || opts_.bound > 0 ? Bfs() : Dfs();
        break;
      } catch (const WidenField& w) {
        // A count outgrew its byte: widen it and start over (the stored
        // states were packed with the old layout).
        layout_.Widen(w.index);
        store_ = std::make_unique<StateStore>(layout_.bytes());
        parent_.clear();
        on_stack_.clear();
        transitions_ = reduced_ = 0;
        max_depth_ = 0;
        ++widened_;
      }
    }
    r.seconds = Seconds();
    const double s = r.seconds > 0 ? r.seconds : 1e-9;
    const uint32_t states = store_->size();
    r.stats = {
        {"mode", opts_.bfs || opts_.bound > 0 ? "bfs" : "dfs"},
        {"por", !opts_.bfs && opts_.bound == 0 && opts_.por ? "on" : "off"},
        {"symmetry", use_sym_         ? sym_.Describe()
                     : opts_.symmetry ? "on (no identical threads)"
                                      : "off"},
        {"states", absl::StrCat(states)},
        {"transitions", absl::StrCat(transitions_)},
        {"states/s", absl::StrFormat("%.0f", states / s)},
        {"bytes/state",
         absl::StrFormat("%.1f (packed %d)",
                         states ? double(MemoryBytes()) / states : 0.0,
                         layout_.bytes())},
        {"depth", absl::StrCat(max_depth_)},
    };
    if (widened_ > 0)
      r.stats.emplace_back("restarts", absl::StrCat(widened_, " (widened)"));
    if (!opts_.bfs && opts_.bound == 0 && opts_.por)
      r.stats.emplace_back("ample states", absl::StrCat(reduced_));
    if (opts_.bound == 0 && r.verdict != McVerdict::kCounterexample)
      r.bound = max_depth_;
    return r;
  }

 private:
  double Seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }
  size_t MemoryBytes() const {
    return store_->MemoryBytes() + parent_.capacity() * sizeof(uint32_t) +
           on_stack_.capacity();
  }
  bool Done(const CWorld& w, int t) const {
    return w.th[t].pc >= static_cast<int>(progs_[t].size());
  }
  bool Enabled(const CWorld& w, int t) const {
    return !Done(w, t) && StepEnabled(cfg_, progs_[t], w, t);
  }
  // Every thread done, or idle at a work item nobody queued (ThreadIdle).
  bool AllDone(const CWorld& w) const {
    for (int t = 0; t < n_; ++t)
      if (!Done(w, t) && !ThreadIdle(cfg_, progs_[t], w, t)) return false;
    return true;
  }
  CWorld Succ(const CWorld& w, int t) const {
    CWorld s = w;
    StepWorld(cfg_, progs_[t], s, t);
    return s;
  }
  void Canon(CWorld& w) const {
    if (use_sym_) sym_.Canonicalize(w);
  }
  // Thrown by PackInto when a one-byte field overflows; caught by Run.
  struct WidenField {
    int index;
  };
  void PackInto(const CWorld& w, uint8_t* out) const {
    const int overflow = layout_.Pack(w, out);
    if (overflow >= 0) throw WidenField{overflow};
  }
  std::vector<uint8_t> Pack(const CWorld& w) const {
    std::vector<uint8_t> b(layout_.bytes());
    PackInto(w, b.data());
    return b;
  }
  CWorld Unpack(uint32_t id) const {
    CWorld w = init_;
    layout_.Unpack(store_->at(id), w);
    return w;
  }
  // A budget ran out: time, states. Checked every 1024 expansions.
  bool OverBudget() {
    if (opts_.max_states > 0 && store_->size() >= opts_.max_states) return true;
    if ((++ticks_ & 1023) != 0) return false;
    const double s = Seconds();
    if (opts_.timeout_s > 0 && s >= opts_.timeout_s) return true;
    if (opts_.progress && s >= next_progress_) {
      next_progress_ = s + 1;
      std::fprintf(stderr,
                   "explicit: %u states, %llu transitions, depth %d, %.0f "
                   "states/s, %.1fs\n",
                   store_->size(),
                   static_cast<unsigned long long>(transitions_), max_depth_,
                   store_->size() / s, s);
    }
    return false;
  }

  // ---- counterexamples ----
  // The canonical states `path` (root first) and the final canonical world
  // `last` (the violating successor; nullptr for a deadlock at path.back())
  // become a concrete schedule from InitWorld: at each step, the thread whose
  // successor canonicalises to the next state on the path.
  McResult Counterexample(const std::vector<uint32_t>& path, const CWorld* last,
                          Inv inv) {
    std::vector<std::vector<uint8_t>> targets;
    for (size_t i = 1; i < path.size(); ++i)
      targets.emplace_back(store_->at(path[i]),
                           store_->at(path[i]) + layout_.bytes());
    if (last) targets.push_back(Pack(*last));
    CWorld real = init_;
    Trace cex = problem_;
    cex.schedule.clear();
    cex.schedule_pos.clear();
    for (const auto& target : targets) {
      bool found = false;
      for (int t = 0; t < n_ && !found; ++t) {
        if (!Enabled(real, t)) continue;
        CWorld s = Succ(real, t);
        CWorld c = s;
        Canon(c);
        if (Pack(c) == target) {
          cex.schedule.push_back(t);
          real = s;
          found = true;
        }
      }
      LC_CHECK(found);  // the path is made of real transitions
    }
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
  std::vector<uint32_t> ParentPath(uint32_t id) const {
    std::vector<uint32_t> path{id};
    while (parent_[path.back()] != path.back())
      path.push_back(parent_[path.back()]);
    return {path.rbegin(), path.rend()};
  }

  // ---- BFS ----
  McResult Bfs() {
    CWorld root = init_;
    Canon(root);
    store_->Insert(Pack(root).data());
    parent_.push_back(0);
    uint32_t layer_end = 1;
    int depth = 0;
    bool cut = false;
    std::vector<uint8_t> buf(layout_.bytes());
    for (uint32_t id = 0; id < store_->size(); ++id) {
      if (id == layer_end) {
        layer_end = store_->size();
        ++depth;
      }
      max_depth_ = depth;
      if (OverBudget()) return Unknown();
      const CWorld w = Unpack(id);
      bool any = false;
      for (int t = 0; t < n_; ++t) {
        if (!Enabled(w, t)) continue;
        any = true;
        if (opts_.bound > 0 && depth >= opts_.bound) {
          cut = true;
          break;
        }
        CWorld s = Succ(w, t);
        ++transitions_;
        Canon(s);
        if (s.violation != 0) {
          max_depth_ = depth + 1;
          return Counterexample(ParentPath(id), &s,
                                static_cast<Inv>(s.violation));
        }
        PackInto(s, buf.data());
        if (store_->Insert(buf.data()).second) parent_.push_back(id);
      }
      if (!any && !AllDone(w))
        return Counterexample(ParentPath(id), nullptr, Inv::kDeadlock);
    }
    McResult r;
    r.verdict = cut ? McVerdict::kVerifiedToBound : McVerdict::kVerified;
    r.bound = cut ? opts_.bound : max_depth_;
    return r;
  }

  McResult Unknown() {
    McResult r;
    r.verdict = McVerdict::kUnknown;
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
      for (const Insn& insn : p) {
        Footprint f = StepFootprint(cfg_, insn, t);
        auto& ro = read_offsets_[t].emplace_back();
        for (size_t i = 0; i < offsets.size(); ++i)
          if (f.reads.test(i)) ro.push_back(offsets[i]);
        f.reads &= keep_;
        fp_[t].push_back(f);
      }
      // fut_[t][pc]: union over [base of pc's call, end).
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
      if (v == u || Done(w, v)) continue;
      const Footprint& f = fut_[v][w.th[v].pc];
      if ((aw & (f.reads | f.writes)).any() || (f.writes & a.reads).any())
        return false;  // C1: a step v can still take depends on it
    }
    return true;
  }

  struct Frame {
    uint32_t id;
    CWorld w;
    std::vector<int> todo;
    size_t next = 0;
  };

  // Pushes state `id` (world w): computes its successors to explore.
  // Returns a deadlock counterexample if w is one.
  bool Push(std::vector<Frame>& stack, uint32_t id, const CWorld& w) {
    Frame f{id, w, {}, 0};
    std::vector<int> enabled;
    for (int t = 0; t < n_; ++t)
      if (Enabled(w, t)) enabled.push_back(t);
    if (enabled.empty() && !AllDone(w)) return false;
    f.todo = enabled;
    if (opts_.por && enabled.size() > 1) {
      for (int u : enabled) {
        CWorld s = Succ(w, u);
        if (ChangesVisible(w, s) || !AmpleCandidate(w, u)) continue;
        Canon(s);
        const int64_t sid = store_->Find(Pack(s).data());
        if (sid >= 0 && static_cast<size_t>(sid) < on_stack_.size() &&
            on_stack_[sid])
          continue;  // C3
        f.todo = {u};
        ++reduced_;
        break;
      }
    }
    if (on_stack_.size() <= id) on_stack_.resize(size_t{id} + 1);
    on_stack_[id] = 1;
    stack.push_back(std::move(f));
    max_depth_ = std::max(max_depth_, static_cast<int>(stack.size()) - 1);
    return true;
  }

  std::vector<uint32_t> StackPath(const std::vector<Frame>& stack) const {
    std::vector<uint32_t> path;
    for (const Frame& f : stack) path.push_back(f.id);
    return path;
  }

  McResult Dfs() {
    CWorld root = init_;
    Canon(root);
    std::vector<Frame> stack;
    const uint32_t rid = store_->Insert(Pack(root).data()).first;
    if (!Push(stack, rid, root))
      return Counterexample({rid}, nullptr, Inv::kDeadlock);
    std::vector<uint8_t> buf(layout_.bytes());
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.todo.size()) {
        on_stack_[top.id] = 0;
        stack.pop_back();
        continue;
      }
      if (OverBudget()) return Unknown();
      const int t = top.todo[top.next++];
      CWorld s = Succ(top.w, t);
      ++transitions_;
      Canon(s);
      if (s.violation != 0)
        return Counterexample(StackPath(stack), &s,
                              static_cast<Inv>(s.violation));
      PackInto(s, buf.data());
      auto [sid, fresh] = store_->Insert(buf.data());
      if (!fresh) continue;
      if (!Push(stack, sid, s)) {
        std::vector<uint32_t> path = StackPath(stack);
        path.push_back(sid);
        return Counterexample(path, nullptr, Inv::kDeadlock);
      }
    }
    McResult r;
    r.verdict = McVerdict::kVerified;
    return r;
  }

  const Trace& problem_;
  const McOptions opts_;
  const Config cfg_;
  const int n_;
  std::vector<ThreadProgram> progs_;
  StateLayout layout_;
  Symmetry sym_;
  bool use_sym_ = false;
  std::unique_ptr<StateStore> store_;
  CWorld init_;
  std::vector<uint32_t> parent_;
  std::vector<uint8_t> on_stack_;
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
  uint64_t transitions_ = 0, reduced_ = 0, ticks_ = 0;
  int widened_ = 0;
  int max_depth_ = 0;
  Clock::time_point start_;
  double next_progress_ = 1;
};

}  // namespace

McResult CheckExplicit(const Trace& problem, const McOptions& opts) {
  LC_CHECK(!problem.threads.empty() &&
           problem.threads.size() <= static_cast<size_t>(kMaxThreads));
  Explorer e(problem, opts);
  return e.Run();
}

const RegisterMcEngine kRegisterExplicit("explicit", &CheckExplicit);

}  // namespace lifecheck
