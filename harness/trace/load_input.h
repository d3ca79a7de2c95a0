// Reading the inputs of `lifecheck minimize` and `lifecheck triage`: a text
// trace, or a binary trace / libFuzzer / AFL++ crash file.
//
// A file is a text trace when its first line that is neither blank nor a
// comment starts with the `lifecheck-trace` header; parse errors are then
// reported as FILE:LINE:COL. Anything else is a binary trace (a diff_fuzzer
// input or crash file), decoded with harness/trace/binary_trace.h; that
// decoding is total, so any bytes give a trace (usually a clean one).
#ifndef LIFECHECK_HARNESS_TRACE_LOAD_INPUT_H_
#define LIFECHECK_HARNESS_TRACE_LOAD_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"

namespace lifecheck {

// True if `bytes` look like a text trace (see above).
bool LooksLikeTextTrace(const std::string& bytes);

// Whether binary traces / crash files can be decoded by this build.
bool BinaryDecodingAvailable();

// Reads `path` and returns its trace. Errors: NotFound (cannot read),
// InvalidArgument ("FILE:LINE:COL: ..." for a malformed text trace).
// Binary input decodes with the configuration pin of LIFECHECK_CONFIG, as
// the fuzzer that wrote the crash file did (an invalid pin is an error).
absl::StatusOr<Trace> LoadTraceInput(const std::string& path);
absl::StatusOr<Trace> LoadTraceInput(const std::string& path,
                                     const DecodeOptions& opts);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_TRACE_LOAD_INPUT_H_
