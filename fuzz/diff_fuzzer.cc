// libFuzzer / AFL++ entry point of the differential fuzzer: bytes -> call
// list (harness/trace/binary_trace.h) -> spec vs impl
// (harness/findings/fuzz_target.h).
#include <cstddef>
#include <cstdint>

#include "harness/findings/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::DiffFuzzOneInput(data, size);
}
