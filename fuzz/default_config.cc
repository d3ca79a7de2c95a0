// Linked into the OSS-Fuzz style fuzz targets (LIFECHECK_LIB_FUZZING_ENGINE):
// a fuzzing service runs the binary without our environment, and the
// unpinned decoder lets the input's header choose buggy policies, i.e.
// rediscover the seed races (known, expected findings) within seconds.
// So the configuration defaults to LIFECHECK_DEFAULT_CONFIG (CMake cache
// LIFECHECK_FUZZ_DEFAULT_CONFIG, "mainline" by default) unless the caller set
// LIFECHECK_CONFIG. libFuzzer and AFL++'s libAFLDriver both call
// LLVMFuzzerInitialize before the first input.
#include <cstdlib>

#ifndef LIFECHECK_DEFAULT_CONFIG
#define LIFECHECK_DEFAULT_CONFIG "mainline"
#endif

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (LIFECHECK_DEFAULT_CONFIG[0] != '\0')
    setenv("LIFECHECK_CONFIG", LIFECHECK_DEFAULT_CONFIG, /*overwrite=*/0);
  return 0;
}
