// libFuzzer / AFL++ entry point of the text trace parser fuzzer: any bytes
// parse or fail with FILE:LINE:COL; what parses prints and re-parses equal.
#include <cstddef>
#include <cstdint>

#include "harness/findings/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lifecheck::ParserFuzzOneInput(data, size);
}
