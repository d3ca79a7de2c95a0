// Reading the inputs of `lifecheck minimize` and `lifecheck triage`: a text
// trace, or a binary trace / libFuzzer / AFL++ crash file.
//
// A file is a text trace when its first line that is neither blank nor a
// comment starts with the `lifecheck-trace` header; parse errors are then
// reported as FILE:LINE:COL. Anything else is decoded as a binary trace
// (harness/binary_trace.h) when that decoder is built in.
#ifndef LIFECHECK_HARNESS_LOAD_INPUT_H_
#define LIFECHECK_HARNESS_LOAD_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "harness/trace.h"

namespace lifecheck {

// True if `bytes` look like a text trace (see above).
bool LooksLikeTextTrace(const std::string& bytes);

// Whether binary traces / crash files can be decoded by this build.
bool BinaryDecodingAvailable();

// Reads `path` and returns its trace. Errors: NotFound (cannot read),
// InvalidArgument ("FILE:LINE:COL: ..." for text, "FILE: ..." for binary).
absl::StatusOr<Trace> LoadTraceInput(const std::string& path);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_LOAD_INPUT_H_
