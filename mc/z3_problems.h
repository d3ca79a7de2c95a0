// Hand-built model-checking problems for the Z3 engine's tests and figures.
// `lifecheck check` takes its problems from the named scenarios
// (mc/scenario.*); this header builds the dax-truncate shape of issue 5 so the
// Z3 table does not depend on them (swap in the scenario builder when merged).
#ifndef LIFECHECK_MC_Z3_PROBLEMS_H_
#define LIFECHECK_MC_Z3_PROBLEMS_H_

#include <string>

#include "harness/trace/trace.h"

namespace lifecheck {

// dax-truncate: one DAX file of `pages` blocks and `pinners` pin slots/PTEs.
//   pinner P<k>: fault pte=k file=1 index=k%pages; pin pin=k pte=k; dma pin=k;
//                unpin pin=k
//   T: truncate file=1 size=0
//   M: munmap pte=0 (races pinner 0's mapping)
//   R: alloc file=1 index=0 (reallocates a freed block: the DMA-into-foreign-
//      block shape)
// With spare blocks = pages so the reallocation has somewhere to go.
// Preconditions: 1 <= pages <= 3, 1 <= pinners <= 3 (kMaxThreads = 6).
inline Trace DaxTruncateProblem(DaxTruncatePolicy policy, int pages,
                                int pinners) {
  Trace t;
  Config& c = t.config;
  c.fs = FsKind::kDax;
  c.files = 1;
  c.pages = pages;
  c.spare = pages;
  c.ptes = pinners;
  c.pins = pinners;
  c.policy.dax_truncate = policy;
  auto call = [](Op op, int a = 0, int b = 0, int d = 0) {
    Call x;
    x.op = op;
    x.args = {static_cast<int16_t>(a), static_cast<int16_t>(b),
              static_cast<int16_t>(d)};
    return x;
  };
  for (int k = 0; k < pinners; ++k) {
    t.thread_names.push_back("P" + std::to_string(k));
    t.threads.push_back({call(Op::kFault, k, 1, k % pages),
                         call(Op::kPin, k, k), call(Op::kDma, k),
                         call(Op::kUnpin, k)});
  }
  t.thread_names.push_back("T");
  t.threads.push_back({call(Op::kTruncate, 1, 0)});
  t.thread_names.push_back("M");
  t.threads.push_back({call(Op::kMunmap, 0)});
  t.thread_names.push_back("R");
  t.threads.push_back({call(Op::kAlloc, 1, 0)});
  return t;
}

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_PROBLEMS_H_
