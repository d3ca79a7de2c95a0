// Implementation throughput: the impl's fast paths on real threads, no spec.
// Each benchmark runs a pair of calls that leaves the state as it found it,
// so the loop measures steady state: "ops" counts single calls.
//
//   BM_LookupDput       dget/dput on one dentry (lockref fast path); with 2
//                       threads both hammer the same lockref word
//   BM_PinUnpin         pin_user_pages/unpin_user_page of one DAX block
//                       (page refcount with the pin bias); 2 threads pin the
//                       same block through two PTEs and two pin slots
//   BM_FaultMunmap      read fault then zap of one PTE (page-table lock);
//                       2 threads use two PTEs of the same file page
#include <benchmark/benchmark.h>

#include <memory>
#include <mutex>

#include "config/config.h"
#include "impl/kernel.h"

namespace lifecheck {
namespace {

Config FullDax() {
  Config c;
  c.fs = FsKind::kDax;
  c.files = kMaxFiles;
  c.pages = kMaxIdx;
  c.spare = kMaxSpare;
  c.ptes = kMaxPtes;
  c.pins = kMaxPins;
  return c;
}

// One kernel per benchmark run, shared by its threads; thread 0 builds it
// before the timed loop (benchmark starts the loops together).
std::unique_ptr<impl::Kernel> g_kernel;

impl::Kernel& Setup(benchmark::State& state, bool map) {
  if (state.thread_index() == 0) {
    g_kernel = std::make_unique<impl::Kernel>(FullDax());
    if (map) {
      for (int t = 0; t < state.threads(); ++t)
        g_kernel->handle_mm_fault(t, /*pte=*/t, /*file=*/1, /*index=*/0);
    }
  }
  return *g_kernel;
}

// items_per_second: calls of all threads over the wall time of the loop.
void Rate(benchmark::State& state, long long ops) {
  state.SetItemsProcessed(ops);
}

void BM_LookupDput(benchmark::State& state) {
  impl::Kernel& k = Setup(state, false);
  const int tid = state.thread_index();
  long long ops = 0;
  for (auto _ : state) {
    k.lookup(tid, 1);
    k.dput(tid, 1);
    ops += 2;
  }
  Rate(state, ops);
}
BENCHMARK(BM_LookupDput)->Threads(1)->Threads(2)->UseRealTime();

void BM_PinUnpin(benchmark::State& state) {
  impl::Kernel& k = Setup(state, true);
  const int tid = state.thread_index();
  long long ops = 0;
  for (auto _ : state) {
    k.pin_user_pages(tid, /*pin=*/tid, /*pte=*/tid, /*longterm=*/false);
    k.unpin_user_page(tid, /*pin=*/tid);
    ops += 2;
  }
  Rate(state, ops);
}
BENCHMARK(BM_PinUnpin)->Threads(1)->Threads(2)->UseRealTime();

void BM_FaultMunmap(benchmark::State& state) {
  impl::Kernel& k = Setup(state, false);
  const int tid = state.thread_index();
  long long ops = 0;
  for (auto _ : state) {
    k.handle_mm_fault(tid, /*pte=*/tid, /*file=*/1, /*index=*/0);
    k.munmap(tid, /*pte=*/tid);
    ops += 2;
  }
  Rate(state, ops);
}
BENCHMARK(BM_FaultMunmap)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace lifecheck

BENCHMARK_MAIN();
