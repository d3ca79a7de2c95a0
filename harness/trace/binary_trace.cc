#include "harness/trace/binary_trace.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "config/no_coverage.h"
#include "harness/trace/byte_mod.h"

namespace lifecheck {
namespace {

LC_NO_COVERAGE bool Callable(Op op, const Config& cfg) {
  const OpInfo& info = GetOpInfo(op);
  for (int k = 0; k < info.nargs; ++k)
    if (ArgRangeOf(info.arg_kinds[k], cfg).size() <= 0) return false;
  return true;
}

constexpr int kNumOps = static_cast<int>(Op::kCount);

}  // namespace

// What a call's bytes decode to under one configuration, per op byte: the
// op (moved on cyclically to the next one the configuration can call) and
// its argument ranges. Built once per configuration (a fuzzer pins one or
// changes it rarely), not once per call.
struct CallDecoder::OpTable {
  struct Entry {
    Op op;
    int nargs;
    ArgRange args[kMaxArgs];
    ByteMod mod[kMaxArgs];  // % args[k].size()
  };
  Config cfg;
  Entry entry[kNumOps];

  LC_NO_COVERAGE explicit OpTable(const Config& c) : cfg(c) {
    for (int b = 0; b < kNumOps; ++b) {
      int op = b;
      // Terminates: umount takes no argument, so some op is always callable.
      while (!Callable(static_cast<Op>(op), c)) op = (op + 1) % kNumOps;
      Entry& e = entry[b];
      e.op = static_cast<Op>(op);
      const OpInfo& info = GetOpInfo(e.op);
      e.nargs = info.nargs;
      for (int k = 0; k < info.nargs; ++k) {
        e.args[k] = ArgRangeOf(info.arg_kinds[k], c);
        e.mod[k] = ByteMod(e.args[k].size());
      }
    }
  }
  // The table of the last configuration asked for on this thread (shared:
  // a decoder keeps its own even if another configuration replaces it).
  LC_NO_COVERAGE static std::shared_ptr<const OpTable> For(const Config& c) {
    thread_local std::shared_ptr<const OpTable> last;
    if (!last || !(last->cfg == c)) last = std::make_shared<OpTable>(c);
    return last;
  }
};

namespace {

// Reads bytes; past the end every byte reads as 0.
LC_NO_COVERAGE Config DecodeConfig(ByteReader& in) {
  Config cfg;
  in.Next();  // version: every value is v1 today
  for (const ConfigField& f : ConfigFields()) {
    if (in.empty()) break;  // missing fields keep their default
    const int b = in.Next();
    if (!f.values.empty())
      f.set(cfg, b % static_cast<int>(f.values.size()));
    else
      f.set(cfg, f.min + b % (f.max - f.min + 1));
  }
  if (!cfg.is_dax() && cfg.fs != FsKind::kDisk) cfg.pins = 0;
  return cfg;
}

Config MainlineConfig(FsKind fs) {
  Config c;
  c.fs = fs;
  c.files = kMaxFiles;
  c.pages = kMaxIdx;
  c.spare = kMaxSpare;
  c.ptes = kMaxPtes;
  c.pins = fs == FsKind::kLibfs ? 0 : kMaxPins;
  c.events = kMaxEvents;
  return c;
}

}  // namespace

size_t BinaryHeaderSize() {
  static const size_t kSize = 1 + ConfigFields().size();
  return kSize;
}

LC_NO_COVERAGE CallDecoder::CallDecoder(const uint8_t* data, size_t size,
                                        const DecodeOptions& opts)
    : in_(data, size) {
  if (opts.pinned_config) {
    // The header's bytes are consumed and their values ignored.
    for (size_t i = 0; i < BinaryHeaderSize() && !in_.empty(); ++i) in_.Next();
    config_ = *opts.pinned_config;
  } else {
    config_ = DecodeConfig(in_);
  }
  dense_.fill(-1);
  ops_ = OpTable::For(config_);
}

LC_NO_COVERAGE bool CallDecoder::Next(ThreadCall* out) {
  if (in_.empty() || decoded_ >= kMaxDecodedCalls) return false;
  const int raw_thread = in_.Next() % kMaxThreads;
  const OpTable::Entry& e = ops_->entry[in_.Next() % kNumOps];
  Call c;
  c.op = e.op;
  for (int k = 0; k < e.nargs; ++k)
    c.args[k] = static_cast<int16_t>(e.args[k].lo + e.mod[k](in_.Next()));
  if (dense_[raw_thread] < 0) dense_[raw_thread] = num_threads_++;
  *out = {dense_[raw_thread], c};
  ++decoded_;
  return true;
}

CallList DecodeCalls(const uint8_t* data, size_t size,
                     const DecodeOptions& opts) {
  CallDecoder dec(data, size, opts);
  CallList l;
  l.config = dec.config();
  ThreadCall tc;
  while (dec.Next(&tc)) l.calls.push_back(tc);
  return l;
}

std::string EncodeCalls(const CallList& l) {
  std::string out;
  out.push_back(static_cast<char>(kBinaryTraceVersion));
  for (const ConfigField& f : ConfigFields()) {
    const int v = f.get(l.config);
    out.push_back(static_cast<char>(f.values.empty() ? v - f.min : v));
  }
  for (const ThreadCall& tc : l.calls) {
    out.push_back(static_cast<char>(tc.thread));
    out.push_back(static_cast<char>(tc.call.op));
    const OpInfo& info = GetOpInfo(tc.call.op);
    for (int k = 0; k < info.nargs; ++k) {
      const ArgRange r = ArgRangeOf(info.arg_kinds[k], l.config);
      out.push_back(static_cast<char>(tc.call.args[k] - r.lo));
    }
  }
  return out;
}

std::optional<Config> NamedConfig(const std::string& name) {
  if (name == "mainline-libfs") return MainlineConfig(FsKind::kLibfs);
  if (name == "mainline-disk") return MainlineConfig(FsKind::kDisk);
  if (name == "mainline-dax" || name == "mainline")
    return MainlineConfig(FsKind::kDax);
  return std::nullopt;
}

absl::StatusOr<DecodeOptions> ParseConfigPin(const std::string& spec) {
  DecodeOptions opts;
  if (spec.empty() || spec == "free") return opts;
  opts.pin_name = spec;
  if (std::optional<Config> c = NamedConfig(spec)) {
    opts.pinned_config = *c;
    return opts;
  }
  absl::StatusOr<Trace> t = ReadTraceFile(spec);
  if (!t.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "configuration '", spec,
        "' is neither free, mainline, mainline-libfs, mainline-disk, "
        "mainline-dax nor a readable trace: ",
        t.status().message()));
  }
  opts.pinned_config = t->config;
  return opts;
}

}  // namespace lifecheck
