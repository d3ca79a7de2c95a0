// libFuzzer / AFL++ entry point of the differential fuzzer: bytes -> call
// list (harness/trace/binary_trace.h) -> spec vs impl
// (harness/findings/fuzz_target.h).
#include <cstddef>
#include <cstdint>

#include "harness/findings/fuzz_target.h"

// OSS-Fuzz style builds pin a configuration by default (fuzz/CMakeLists.txt):
// a fuzzing service runs the binary without our environment, and the free
// decoder would rediscover the seed races (known findings) within seconds.
#ifndef LIFECHECK_DEFAULT_CONFIG
#define LIFECHECK_DEFAULT_CONFIG nullptr
#endif

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  lifecheck::FuzzInitialize(*argc, *argv, lifecheck::Harness::kDiff,
                            LIFECHECK_DEFAULT_CONFIG);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::DiffFuzzOneInput(data, size);
}
