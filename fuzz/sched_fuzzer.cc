// libFuzzer / AFL++ entry point of the scheduling fuzzer: bytes ->
// (configuration, per-thread calls, schedule choices) -> the impl under the
// controlled scheduler (harness/sched/sched_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "harness/sched/sched_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::sched::SchedFuzzOneInput(data, size);
}
