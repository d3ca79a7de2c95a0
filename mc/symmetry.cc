#include "mc/symmetry.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lifecheck {
namespace {

// Which threads name each slot of one argument kind.
std::map<int, std::vector<int>> Users(
    const std::vector<std::vector<Call>>& threads, ArgKind kind) {
  std::map<int, std::vector<int>> users;
  for (int t = 0; t < static_cast<int>(threads.size()); ++t)
    for (const Call& c : threads[t]) {
      const OpInfo& info = GetOpInfo(c.op);
      for (int k = 0; k < info.nargs; ++k)
        if (info.arg_kinds[k] == kind) {
          auto& u = users[c.args[k]];
          if (u.empty() || u.back() != t) u.push_back(t);
        }
    }
  return users;
}

}  // namespace

Symmetry::Symmetry(const Config& cfg,
                   const std::vector<std::vector<Call>>& threads)
    : cfg_(cfg) {
  const auto pte_users = Users(threads, ArgKind::kPte);
  const auto pin_users = Users(threads, ArgKind::kPin);
  auto is_private = [](const std::map<int, std::vector<int>>& users, int slot) {
    auto it = users.find(slot);
    return it != users.end() && it->second.size() == 1;
  };
  // Normalised program: private slots renumbered by first use, shared slots
  // kept absolute (offset so the two never collide).
  struct Norm {
    std::vector<std::vector<int>> calls;
    std::vector<int> ptes, pins;
  };
  std::vector<Norm> norms(threads.size());
  for (size_t t = 0; t < threads.size(); ++t) {
    Norm& n = norms[t];
    for (const Call& c : threads[t]) {
      const OpInfo& info = GetOpInfo(c.op);
      std::vector<int> row{static_cast<int>(c.op)};
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
        row.push_back(a);
      }
      n.calls.push_back(row);
    }
  }
  std::vector<bool> taken(threads.size(), false);
  for (size_t t = 0; t < threads.size(); ++t) {
    if (taken[t]) continue;
    Group g;
    for (size_t u = t; u < threads.size(); ++u) {
      if (taken[u] || norms[u].calls != norms[t].calls) continue;
      taken[u] = true;
      g.threads.push_back(static_cast<int>(u));
      g.ptes.push_back(norms[u].ptes);
      g.pins.push_back(norms[u].pins);
    }
    if (g.threads.size() > 1) groups_.push_back(std::move(g));
  }
}

std::string Symmetry::Describe() const {
  std::vector<std::string> parts;
  for (const Group& g : groups_)
    parts.push_back(absl::StrCat("{", absl::StrJoin(g.threads, ","), "}"));
  return parts.empty() ? "none" : absl::StrJoin(parts, " ");
}

std::vector<int> Symmetry::Key(const CWorld& w, const Group& g, int i) const {
  const int t = g.threads[i];
  std::vector<int> k;
  const auto& th = w.th[t];
  k.push_back(th.pc);
  k.push_back(th.ret);
  for (auto r : th.r) k.push_back(r);
  for (int d = 0; d < cfg_.dentries(); ++d) k.push_back(w.d[d].h_thr[t]);
  for (int n = 0; n < cfg_.inodes(); ++n) {
    k.push_back(w.ino[n].h_thr[t]);
    k.push_back(w.ino[n].rwsem == t);
    k.push_back(w.ino[n].mmaplock == t);
  }
  for (int p = 0; p < cfg_.phys_pages(); ++p)
    k.push_back(w.pg[p].lock_owner == t);
  k.push_back(w.ptl_owner == t);
  for (int e : g.ptes[i]) {
    const auto& p = w.pte[e];
    k.insert(k.end(),
             {p.present, p.page, p.writable, p.dirty, p.file, p.index});
  }
  for (int s : g.pins[i]) {
    const auto& p = w.pin[s];
    k.insert(k.end(), {p.held, p.page, p.longterm, p.file, p.index, p.gen});
    const auto& l = w.lease[s];
    k.insert(k.end(),
             {l.on_list, l.dl_count, l.pages_set, l.breaking, l.allocated,
              l.freed, l.file, l.h_list, l.h_reap, l.h_break});
  }
  return k;
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

void Symmetry::Canonicalize(CWorld& w) const {
  for (const Group& g : groups_) {
    const int n = static_cast<int>(g.threads.size());
    std::vector<std::vector<int>> keys(n);
    for (int i = 0; i < n; ++i) keys[i] = Key(w, g, i);
    std::vector<int> from(n);
    std::iota(from.begin(), from.end(), 0);
    std::stable_sort(from.begin(), from.end(),
                     [&](int a, int b) { return keys[a] < keys[b]; });
    bool identity = true;
    for (int j = 0; j < n; ++j) identity = identity && from[j] == j;
    if (!identity) Apply(w, g, from);
  }
}

void Symmetry::Permute(CWorld& w, int g, const std::vector<int>& perm) const {
  // perm[i] = destination of member i; Apply wants the source of each slot.
  std::vector<int> from(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) from[perm[i]] = static_cast<int>(i);
  Apply(w, groups_[g], from);
}

}  // namespace lifecheck
