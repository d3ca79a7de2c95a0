#include "harness/load_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

// Binary decoding comes from harness/binary_trace.h (branch fuzz); until it
// is wired in here, non-text input is reported as bad input.

namespace lifecheck {

bool LooksLikeTextTrace(const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    size_t nl = bytes.find('\n', i);
    if (nl == std::string::npos) nl = bytes.size();
    size_t b = i;
    while (b < nl && (bytes[b] == ' ' || bytes[b] == '\t' || bytes[b] == '\r'))
      ++b;
    if (b < nl && bytes[b] != '#')
      return bytes.compare(b, 15, "lifecheck-trace") == 0;
    i = nl + 1;
  }
  return false;
}

bool BinaryDecodingAvailable() {
  return false;
}

absl::StatusOr<Trace> LoadTraceInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  const std::string bytes = buf.str();
  if (LooksLikeTextTrace(bytes)) return ParseTrace(bytes, path);
  return absl::InvalidArgumentError(absl::StrCat(
      path,
      ": not a text trace (no 'lifecheck-trace v1' header) and binary "
      "decoding is not available in this build (harness/binary_trace.h)"));
}

}  // namespace lifecheck
