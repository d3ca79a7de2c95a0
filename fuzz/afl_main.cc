// AFL++ persistent-mode driver for an LLVMFuzzerTestOneInput (built with
// afl-clang-fast++). Shared-memory test cases, 100000 inputs per fork: the
// harness keeps no state across inputs, so stability stays at 100%.
// Outside afl-fuzz (plain compiler or run by hand) it runs each FILE
// argument, or stdin once, so a crash file reproduces with `./afl_x FILE`.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Defined by the harnesses that have one (libFuzzer's optional hook).
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc,
                                                          char*** argv);

namespace {

int RunFile(std::istream& in) {
  const std::string s((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()),
                                s.size());
}

int RunArgs(int argc, char** argv) {
  if (argc < 2) return RunFile(std::cin);
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "%s: cannot read\n", argv[i]);
      return 2;
    }
    RunFile(f);
  }
  return 0;
}

}  // namespace

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
int main(int argc, char** argv) {
  // Under afl-fuzz (__AFL_SHM_ID set) run the persistent loop; by hand, run
  // the files like any other binary.
  if (!getenv("__AFL_SHM_ID")) return RunArgs(argc, argv);
  // Under afl-fuzz only: the harness writes its manifest into AFL++'s -o
  // directory (by hand there is no artefact directory to describe).
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  // Warm up before the fork server starts: one-time initialisation (the
  // environment, the runner's buffers) happens here, once, and every forked
  // child inherits it, so no input's coverage includes it (stability).
  static const uint8_t kWarmup[1] = {0};
  LLVMFuzzerTestOneInput(kWarmup, sizeof kWarmup);
#ifdef __AFL_HAVE_MANUAL_CONTROL
  __AFL_INIT();
#endif
  unsigned char* buf = __AFL_FUZZ_TESTCASE_BUF;  // after __AFL_INIT
  while (__AFL_LOOP(100000)) {
    LLVMFuzzerTestOneInput(buf, __AFL_FUZZ_TESTCASE_LEN);
  }
  return 0;
}
#else
int main(int argc, char** argv) { return RunArgs(argc, argv); }
#endif
