// Real-thread stress (issue 3 item 5): N threads run random operations on
// one impl::Kernel; at every quiescent point (a barrier all threads reach)
// the impl's own CheckQuiescent() and the spec's always-invariants on
// Abstract(kernel) must hold. Built and run under the `tsan` preset too
// (ctest -L tsan): the impl must be free of data races.
//
// Nothing may block forever, by construction of each thread's op mix:
//  - thread t uses PTE slot t and pin slot t only, and releases every pin,
//    dentry, inode and event-file reference it took before the barrier;
//  - a truncating thread first drops its pin and its mapping: a DAX
//    truncate sleeps until the range is idle (no pin, no mapping), and it
//    may sleep on i_rwsem behind another truncate that waits for idle.
//    Other threads may refault the range meanwhile (the fault lock is
//    dropped while waiting), but they unmap and unpin by the barrier, and
//    none of their ops waits for the truncater;
//  - no unlink, umount, ev_remove or discard: no eviction and no barrier
//    waits; every other wait (page lock, writeback, i_rwsem, PTL) is held
//    for a bounded stretch by a thread that does not wait on us.
#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "harness/run/abstraction.h"
#include "impl/kernel.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

constexpr int kThreads = 4;

struct Local {  // what thread t holds between its ops
  int dentry_refs[kMaxDentries] = {};
  int inode_refs[kMaxInodes] = {};
  int opens = 0;
  bool pinned = false;
  int vma_file = -1, vma_index = 0;
};

// One random op of thread t that keeps the rules above.
void RandomOp(impl::Kernel& k, const Config& cfg, int t, std::mt19937& rng,
              Local& me) {
  const int f = 1 + rng() % cfg.files;
  const int x = rng() % cfg.pages;
  switch (rng() % 16) {
    case 0: {
      const int d = rng() % (1 + cfg.files);
      if (k.lookup(t, d) == 0) ++me.dentry_refs[d];
      break;
    }
    case 1:
      for (int d = 0; d <= cfg.files; ++d)
        if (me.dentry_refs[d] > 0) {
          k.dput(t, d);
          --me.dentry_refs[d];
          break;
        }
      break;
    case 2:
      if (k.igrab(t, f) == 0) ++me.inode_refs[f];
      break;
    case 3:
      if (me.inode_refs[f] > 0) {
        k.iput(t, f);
        --me.inode_refs[f];
      }
      break;
    case 4:
    case 5: {
      // Slot t maps one (file, index) until munmap.
      const int vf = me.vma_file >= 0 ? me.vma_file : f;
      const int vx = me.vma_file >= 0 ? me.vma_index : x;
      const int r = k.handle_mm_fault(t, t, vf, vx);
      if (r == 0) {
        me.vma_file = vf;
        me.vma_index = vx;
      }
      break;
    }
    case 6:
      k.do_wp_page(t, t);
      break;
    case 7:
      k.user_store(t, t);
      break;
    case 8:
      k.writeback(t, f, x, (x & 1) != 0);  // both sync modes
      break;
    case 9:
      if (me.pinned) {
        k.unpin_user_page(t, t);
        me.pinned = false;
      }
      if (me.vma_file >= 0) {
        k.munmap(t, t);
        me.vma_file = -1;
      }
      k.truncate(t, f, rng() % (cfg.pages + 1));
      break;
    case 10:
      k.alloc_block(t, f, x);
      break;
    case 11:
      if (cfg.pins > 0 && !me.pinned)
        me.pinned = (rng() % 2 ? k.pin_user_pages(t, t, t, false)
                               : k.pin_user_pages_fast(t, t, t)) == 1;
      break;
    case 12:
      if (cfg.pins > 0) k.dma_write(t, t);
      break;
    case 13:
      if (me.pinned) {
        k.unpin_user_page(t, t);
        me.pinned = false;
      }
      break;
    case 14:
      if (me.vma_file >= 0 && rng() % 2) {
        k.munmap(t, t);
        me.vma_file = -1;
      }
      break;
    case 15:
      if (cfg.events == 0) break;
      if (rng() % 3 == 0) {
        k.eventfs_lookup(t, 0);
      } else if (me.opens > 0 && rng() % 2) {
        k.eventfs_release(t, 0);
        --me.opens;
      } else if (k.eventfs_open(t, 0) == 0) {
        ++me.opens;
      }
      break;
  }
}

// Drops everything thread t holds (the end of its round).
void ReleaseAll(impl::Kernel& k, int t, Local& me) {
  if (me.pinned) k.unpin_user_page(t, t);
  me.pinned = false;
  if (me.vma_file >= 0) k.munmap(t, t);
  me.vma_file = -1;
  for (int d = 0; d < kMaxDentries; ++d)
    for (; me.dentry_refs[d] > 0; --me.dentry_refs[d]) k.dput(t, d);
  for (int i = 0; i < kMaxInodes; ++i)
    for (; me.inode_refs[i] > 0; --me.inode_refs[i]) k.iput(t, i);
  for (; me.opens > 0; --me.opens) k.eventfs_release(t, 0);
}

std::string Failures(const impl::Kernel& k) {
  std::string out;
  for (const auto& f : k.CheckQuiescent())
    out += "  " + f.check + ": " + f.detail + "\n";
  const Inv inv = CheckAlwaysInvariants(k.config(), Abstract(k));
  if (inv != Inv::kNone)
    out += "  spec invariant " + std::string(InvId(inv)) + " on Abstract()\n";
  return out;
}

// Returns the first failing quiescent point's failures ("" if none).
std::string Stress(const Config& cfg, int rounds, int ops_per_round,
                   Faults faults = {}) {
  impl::Kernel k(cfg);
  k.set_faults(faults);
  std::string failure;
  int checks = 0;
  // Runs once per round, by one thread, while the others wait: a
  // quiescent point.
  auto at_barrier = [&]() noexcept {
    ++checks;
    if (failure.empty()) failure = Failures(k);
  };
  std::barrier sync_point(kThreads, at_barrier);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      Local me;
      for (int r = 0; r < rounds; ++r) {
        for (int i = 0; i < ops_per_round; ++i) {
          RandomOp(k, cfg, t, rng, me);
          // Give the other threads the CPU now and then: on a loaded
          // 2-core box a whole round otherwise fits in one time slice.
          if (rng() % 8 == 0) std::this_thread::yield();
        }
        ReleaseAll(k, t, me);
        sync_point.arrive_and_wait();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(checks, rounds);
  std::printf("stress fs=%d: %d rounds x %d ops x %d threads, %llu sleeps\n",
              static_cast<int>(cfg.fs), rounds, ops_per_round, kThreads,
              static_cast<unsigned long long>(k.sleeps()));
  return failure;
}

Config Base(FsKind fs) {
  Config c;
  c.fs = fs;
  c.files = 2;
  c.pages = 2;
  c.spare = 2;
  c.ptes = kThreads;
  c.pins = fs == FsKind::kLibfs ? 0 : kThreads;
  c.events = 1;
  return c;
}

int Rounds() {
  const char* env = std::getenv("LIFECHECK_STRESS_ROUNDS");
  return env ? std::atoi(env) : 40;
}
// Long rounds so the threads really overlap (a short round can finish
// before the next thread starts).
constexpr int kOpsPerRound = 1500;

TEST(Stress, Disk) {
  EXPECT_EQ(Stress(Base(FsKind::kDisk), Rounds(), kOpsPerRound), "");
}
TEST(Stress, DaxMainline) {
  EXPECT_EQ(Stress(Base(FsKind::kDax), Rounds(), kOpsPerRound), "");
}
TEST(Stress, Libfs) {
  EXPECT_EQ(Stress(Base(FsKind::kLibfs), Rounds(), kOpsPerRound), "");
}

// The checks can fail: a planted impl bug is caught at a quiescent point.
TEST(Stress, FindsThePlantedUnpinBug) {
  const std::string f = Stress(Base(FsKind::kDisk), 5, kOpsPerRound,
                               Faults{.unpin_drops_one = true});
  EXPECT_NE(f.find("page-refcount-holders"), std::string::npos) << f;
}

}  // namespace
}  // namespace lifecheck
