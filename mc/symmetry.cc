#include "mc/symmetry.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "spec/check.h"

namespace lifecheck {
namespace {

// Calls f(call) for every call of every alternative of `body`, in order.
template <class F>
void ForEachCall(const ThreadBody& body, F&& f) {
  for (const BodyItem& it : body) {
    for (const Call& c : it.alts) f(c);
    ForEachCall(it.block, f);
  }
}

// Which threads name each slot of one argument kind.
std::map<int, std::vector<int>> Users(const std::vector<ThreadBody>& threads,
                                      ArgKind kind) {
  std::map<int, std::vector<int>> users;
  for (int t = 0; t < static_cast<int>(threads.size()); ++t)
    ForEachCall(threads[t], [&](const Call& c) {
      const OpInfo& info = GetOpInfo(c.op);
      for (int k = 0; k < info.nargs; ++k)
        if (info.arg_kinds[k] == kind) {
          auto& u = users[c.args[k]];
          if (u.empty() || u.back() != t) u.push_back(t);
        }
    });
  return users;
}

// Markers of the normalised program's structure (ops are >= 0).
constexpr int kChoiceMark = -1, kRepeatMark = -2, kEndMark = -3;

}  // namespace

Symmetry::Symmetry(const Config& cfg, const std::vector<ThreadBody>& threads)
    : cfg_(cfg) {
  const auto pte_users = Users(threads, ArgKind::kPte);
  const auto pin_users = Users(threads, ArgKind::kPin);
  auto is_private = [](const std::map<int, std::vector<int>>& users, int slot) {
    auto it = users.find(slot);
    return it != users.end() && it->second.size() == 1;
  };
  // Normalised program: its structure with private slots renumbered by first
  // use and shared slots kept absolute (offset so the two never collide).
  struct Norm {
    std::vector<int> code;
    std::vector<int> ptes, pins;
  };
  std::vector<Norm> norms(threads.size());
  for (size_t t = 0; t < threads.size(); ++t) {
    Norm& n = norms[t];
    auto call = [&](const Call& c) {
      const OpInfo& info = GetOpInfo(c.op);
      n.code.push_back(static_cast<int>(c.op));
      for (int k = 0; k < info.nargs; ++k) {
        int a = c.args[k];
        const ArgKind kind = info.arg_kinds[k];
        if (kind == ArgKind::kPte || kind == ArgKind::kPin) {
          auto& users = kind == ArgKind::kPte ? pte_users : pin_users;
          auto& mine = kind == ArgKind::kPte ? n.ptes : n.pins;
          if (is_private(users, a)) {
            auto it = std::find(mine.begin(), mine.end(), a);
            if (it == mine.end()) it = mine.insert(mine.end(), a);
            a = static_cast<int>(it - mine.begin());
          } else {
            a += 1000;
          }
        }
        n.code.push_back(a);
      }
    };
    std::function<void(const ThreadBody&)> walk = [&](const ThreadBody& b) {
      for (const BodyItem& it : b) {
        if (it.is_call()) {
          n.code.insert(n.code.end(),
                        {kChoiceMark, static_cast<int>(it.alts.size())});
          for (const Call& c : it.alts) call(c);
        } else {
          n.code.insert(n.code.end(), {kRepeatMark, it.lo, it.hi});
          walk(it.block);
          n.code.push_back(kEndMark);
        }
      }
    };
    walk(threads[t]);
  }
  std::vector<bool> taken(threads.size(), false);
  for (size_t t = 0; t < threads.size(); ++t) {
    if (taken[t]) continue;
    Group g;
    for (size_t u = t; u < threads.size(); ++u) {
      if (taken[u] || norms[u].code != norms[t].code) continue;
      taken[u] = true;
      g.threads.push_back(static_cast<int>(u));
      g.ptes.push_back(norms[u].ptes);
      g.pins.push_back(norms[u].pins);
    }
    if (g.threads.size() > 1) groups_.push_back(std::move(g));
  }
  for (const Group& g : groups_) {
    const int len = 6 + cfg_.dentries() + 3 * cfg_.inodes() +
                    cfg_.phys_pages() + 1 +
                    6 * static_cast<int>(g.ptes[0].size()) +
                    16 * static_cast<int>(g.pins[0].size());
    key_len_ = std::max(key_len_, len);
  }
}

std::string Symmetry::Describe() const {
  std::vector<std::string> parts;
  for (const Group& g : groups_)
    parts.push_back(absl::StrCat("{", absl::StrJoin(g.threads, ","), "}"));
  return parts.empty() ? "none" : absl::StrJoin(parts, " ");
}

void Symmetry::Key(const CWorld& w, const Group& g, int i, int16_t* key) const {
  const int t = g.threads[i];
  int16_t* k = key;
  auto put = [&k](int v) { *k++ = static_cast<int16_t>(v); };
  const auto& th = w.th[t];
  put(th.pc);
  put(th.ret);
  for (auto r : th.r) put(r);
  for (int d = 0; d < cfg_.dentries(); ++d) put(w.d[d].h_thr[t]);
  for (int n = 0; n < cfg_.inodes(); ++n) {
    put(w.ino[n].h_thr[t]);
    put(w.ino[n].rwsem == t);
    put(w.ino[n].mmaplock == t);
  }
  for (int p = 0; p < cfg_.phys_pages(); ++p) put(w.pg[p].lock_owner == t);
  put(w.ptl_owner == t);
  for (int e : g.ptes[i]) {
    const auto& p = w.pte[e];
    for (int v : {int{p.present}, int{p.page}, int{p.writable}, int{p.dirty},
                  int{p.file}, int{p.index}})
      put(v);
  }
  for (int s : g.pins[i]) {
    const auto& p = w.pin[s];
    for (int v : {int{p.held}, int{p.page}, int{p.longterm}, int{p.file},
                  int{p.index}, int{p.gen}})
      put(v);
    const auto& l = w.lease[s];
    for (int v : {int{l.on_list}, int{l.dl_count}, int{l.pages_set},
                  int{l.breaking}, int{l.allocated}, int{l.freed}, int{l.file},
                  int{l.h_list}, int{l.h_reap}, int{l.h_break}})
      put(v);
  }
  while (k < key + key_len_) put(0);
}

void Symmetry::Apply(CWorld& w, const Group& g,
                     const std::vector<int>& from) const {
  const CWorld old = w;
  const int n = static_cast<int>(g.threads.size());
  // old thread id -> new thread id, for the owner fields
  std::vector<int> new_of(kMaxThreads);
  std::iota(new_of.begin(), new_of.end(), 0);
  for (int j = 0; j < n; ++j) new_of[g.threads[from[j]]] = g.threads[j];
  auto map_owner = [&](int16_t& owner) {
    if (owner >= 0 && owner < kMaxThreads)
      owner = static_cast<int16_t>(new_of[owner]);
  };
  for (int j = 0; j < n; ++j) {
    const int dst = g.threads[j], src = g.threads[from[j]];
    w.th[dst] = old.th[src];
    for (int d = 0; d < cfg_.dentries(); ++d)
      w.d[d].h_thr[dst] = old.d[d].h_thr[src];
    for (int i = 0; i < cfg_.inodes(); ++i)
      w.ino[i].h_thr[dst] = old.ino[i].h_thr[src];
    for (size_t k = 0; k < g.ptes[j].size(); ++k)
      w.pte[g.ptes[j][k]] = old.pte[g.ptes[from[j]][k]];
    for (size_t k = 0; k < g.pins[j].size(); ++k) {
      w.pin[g.pins[j][k]] = old.pin[g.pins[from[j]][k]];
      w.lease[g.pins[j][k]] = old.lease[g.pins[from[j]][k]];
    }
  }
  for (int i = 0; i < cfg_.inodes(); ++i) {
    map_owner(w.ino[i].rwsem);
    map_owner(w.ino[i].mmaplock);
  }
  for (int p = 0; p < cfg_.phys_pages(); ++p) map_owner(w.pg[p].lock_owner);
  map_owner(w.ptl_owner);
}

bool Symmetry::Canonicalize(CWorld& w) const {
  bool changed = false;
  // Keys on the stack: this runs for every successor, on every worker.
  constexpr int kMaxKey = 256;
  LC_CHECK(key_len_ <= kMaxKey);
  int16_t keys[kMaxThreads][kMaxKey];
  for (const Group& g : groups_) {
    const int n = static_cast<int>(g.threads.size());
    for (int i = 0; i < n; ++i) Key(w, g, i, keys[i]);
    auto less = [&](int a, int b) {
      return std::lexicographical_compare(keys[a], keys[a] + key_len_, keys[b],
                                          keys[b] + key_len_);
    };
    int from[kMaxThreads];
    bool identity = true;
    // Insertion sort: stable, and groups are small.
    for (int i = 0; i < n; ++i) {
      int j = i;
      while (j > 0 && less(i, from[j - 1])) {
        from[j] = from[j - 1];
        --j;
      }
      from[j] = i;
      identity = identity && j == i;
    }
    if (!identity) {
      Apply(w, g, std::vector<int>(from, from + n));
      changed = true;
    }
  }
  return changed;
}

void Symmetry::Permute(CWorld& w, int g, const std::vector<int>& perm) const {
  // perm[i] = destination of member i; Apply wants the source of each slot.
  std::vector<int> from(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) from[perm[i]] = static_cast<int>(i);
  Apply(w, groups_[g], from);
}

}  // namespace lifecheck
