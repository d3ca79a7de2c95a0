// The binary form of a trace: the fuzzers' input format (DESIGN principle 3).
//
// The decoding is total: every byte string, including the empty one, decodes
// to a valid call-ordered trace (harness/trace/call_list.h) whose configuration
// passes ValidateConfig and whose calls pass ValidateCall. Values are taken
// modulo their range, so no input is rejected and every byte a mutator
// changes changes one field. Layout (v1, docs/trace-format.md "Binary form"):
//
//   byte 0          format version; EncodeCalls writes 1, and v1 decodes
//                   every value (a later version will claim values >= 0x80)
//   bytes 1..N      one byte per row of ConfigFields(), in table order
//                   (N = 22 today): sizes min + b % (max - min + 1), enums and
//                   bools b % (number of spellings). A short input keeps the
//                   Config{} default for the missing fields. pins is forced
//                   to 0 on fs=libfs (ValidateConfig).
//   then per call   [thread] [op] [arg]...   thread = b % kMaxThreads,
//                   renumbered densely in order of first appearance;
//                   op = b % Op::kCount, moved on cyclically to the next op
//                   the configuration can call (every argument has a
//                   non-empty range; `umount` always can); one byte per
//                   argument of the op, lo + b % (hi - lo + 1). Missing
//                   bytes of the last call read as 0. At most
//                   kMaxDecodedCalls calls; bytes after them are ignored.
//
// When DecodeOptions pins a configuration, the config bytes are still
// consumed (so one corpus serves pinned and free runs) but their values are
// ignored.
#ifndef LIFECHECK_HARNESS_TRACE_BINARY_TRACE_H_
#define LIFECHECK_HARNESS_TRACE_BINARY_TRACE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "harness/trace/call_list.h"
#include "harness/trace/trace.h"

namespace lifecheck {

inline constexpr uint8_t kBinaryTraceVersion = 1;
inline constexpr int kMaxDecodedCalls = 128;

struct DecodeOptions {
  // If set, every input decodes with this configuration.
  std::optional<Config> pinned_config;
  // The name the pin was given ("mainline-dax", a trace path), for messages.
  std::string pin_name;
};

// Bytes of the header (version + one per ConfigFields() row).
size_t BinaryHeaderSize();

// Reads the bytes front to back.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  // Past the end every byte reads as 0.
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : (pos_++, 0); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// The decoding one call at a time, so that a run that ends early (at a
// finding, or blocked) decodes no more than it reaches. Total like
// DecodeCalls; the bytes must outlive the decoder.
class CallDecoder {
 public:
  CallDecoder(const uint8_t* data, size_t size, const DecodeOptions& opts);
  const Config& config() const { return config_; }
  // The next call, or false after the last one.
  bool Next(ThreadCall* out);

 private:
  struct OpTable;
  ByteReader in_;
  std::shared_ptr<const OpTable> ops_;
  Config config_;
  std::array<int, kMaxThreads> dense_;
  int num_threads_ = 0;
  int decoded_ = 0;
};

// Total: never fails, never crashes, for any (data, size). Every call of a
// CallDecoder.
CallList DecodeCalls(const uint8_t* data, size_t size,
                     const DecodeOptions& opts);

// The bytes of a valid call list: DecodeCalls(EncodeCalls(l), {}) == l when
// l has at most kMaxDecodedCalls calls (with a pinned config: the calls
// decode the same and the config is the pinned one).
std::string EncodeCalls(const CallList& l);

// The named configurations a run can be pinned to: "mainline-libfs",
// "mainline-disk", "mainline-dax" (mainline policies, every size at its
// maximum except pins=0 on libfs) and "mainline" (= mainline-dax).
std::optional<Config> NamedConfig(const std::string& name);
// "" or "free": the fuzzer chooses; a NamedConfig name; otherwise the path
// of a text trace whose configuration is used. Errors: unreadable or
// malformed trace file.
absl::StatusOr<DecodeOptions> ParseConfigPin(const std::string& spec);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_TRACE_BINARY_TRACE_H_
