// libFuzzer / AFL++ entry point of the scheduling fuzzer: bytes ->
// (configuration, per-thread calls, schedule choices) -> the impl under the
// controlled scheduler (harness/findings/fuzz_target.h).
#include <cstddef>
#include <cstdint>

#include "harness/findings/fuzz_target.h"

// As in diff_fuzzer.cc: OSS-Fuzz style builds pin a configuration.
#ifndef LIFECHECK_DEFAULT_CONFIG
#define LIFECHECK_DEFAULT_CONFIG nullptr
#endif

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  lifecheck::FuzzInitialize(*argc, *argv, lifecheck::Harness::kSched,
                            LIFECHECK_DEFAULT_CONFIG);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::SchedFuzzOneInput(data, size);
}
