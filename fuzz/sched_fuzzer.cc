// libFuzzer / AFL++ entry point of the scheduling fuzzer: bytes ->
// (configuration, per-thread calls, schedule choices) -> the impl under the
// controlled scheduler (harness/findings/fuzz_target.h).
#include <cstddef>
#include <cstdint>

#include "harness/findings/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::SchedFuzzOneInput(data, size);
}
