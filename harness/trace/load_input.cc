#include "harness/trace/load_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harness/trace/binary_trace.h"

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

bool BinaryDecodingAvailable() { return true; }

absl::StatusOr<Trace> LoadTraceInput(const std::string& path) {
  absl::StatusOr<DecodeOptions> opts = DecodeOptionsFromEnv();
  if (!opts.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("LIFECHECK_CONFIG: ", opts.status().message()));
  }
  return LoadTraceInput(path, *opts);
}

absl::StatusOr<Trace> LoadTraceInput(const std::string& path,
                                     const DecodeOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  const std::string bytes = buf.str();
  if (LooksLikeTextTrace(bytes)) return ParseTrace(bytes, path);
  // The binary form decodes every byte string (harness/trace/binary_trace.h).
  return DecodeTrace(reinterpret_cast<const uint8_t*>(bytes.data()),
                     bytes.size(), opts);
}

}  // namespace lifecheck
