// Format properties (DESIGN principle 3: one trace format, two forms):
//   text    ParseTrace(PrintTrace(t)) == t for every trace the format holds,
//           and printing is a fixed point;
//   binary  DecodeTrace is total: any bytes give a trace whose config passes
//           ValidateConfig and whose calls pass ValidateCall, and that the
//           spec replays (its schedule is runnable); DecodeTrace(
//           EncodeTrace(t)) == t for every decoded trace; EncodeCalls /
//           DecodeCalls round-trip every valid call list.
// A failure prints the trace's text and where it was written.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/run/call_order.h"
#include "harness/run/spec_run.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "props/props_gen.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace lifecheck {
namespace {

RC_GTEST_PROP(FormatProps, TextParsePrintRoundTrips, ()) {
  const Trace t = *GenTextTrace();
  const std::string text = PrintTrace(t);
  absl::StatusOr<Trace> back = ParseTrace(text, "<generated>");
  if (!back.ok() || !(*back == t)) {
    RC_LOG() << (back.ok() ? "parsed trace differs"
                           : std::string(back.status().message()))
             << "\n"
             << DumpFailure(t, "text", "lifecheck print");
  }
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == t);
  RC_ASSERT(PrintTrace(*back) == text);
}

RC_GTEST_PROP(FormatProps, BinaryDecodingIsTotalAndValid, ()) {
  const std::vector<uint8_t> bytes =
      *rc::gen::container<std::vector<uint8_t>>(rc::gen::arbitrary<uint8_t>());
  const Trace t = DecodeTrace(bytes.data(), bytes.size(), {});
  const bool config_ok = ValidateConfig(t.config).empty();
  bool calls_ok = t.threads.size() == t.thread_names.size() &&
                  static_cast<int>(t.threads.size()) <= kMaxThreads;
  for (const auto& calls : t.threads)
    for (const Call& c : calls)
      calls_ok = calls_ok && ValidateCall(c, t.config).empty();
  absl::StatusOr<RunResult> r;
  if (config_ok && calls_ok) r = RunTrace(t, "<decoded>");
  if (!config_ok || !calls_ok || !r.ok())
    RC_LOG() << (r.ok() ? "" : std::string(r.status().message())) << "\n"
             << DumpFailure(t, "decode", "lifecheck run");
  RC_ASSERT(config_ok);
  RC_ASSERT(calls_ok);
  RC_ASSERT(r.ok());
  // The text form holds it too.
  absl::StatusOr<Trace> back = ParseTrace(PrintTrace(t), "<decoded>");
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == t);
}

RC_GTEST_PROP(FormatProps, BinaryEncodeDecodeRoundTrips, ()) {
  const std::vector<uint8_t> bytes =
      *rc::gen::container<std::vector<uint8_t>>(rc::gen::arbitrary<uint8_t>());
  const Trace t = DecodeTrace(bytes.data(), bytes.size(), {});
  const std::string enc = EncodeTrace(t);
  const Trace back =
      DecodeTrace(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), {});
  if (!(back == t))
    RC_LOG() << DumpFailure(t, "encode", "lifecheck encode -o t.bin")
             << "then: lifecheck decode t.bin (compare with the trace)\n";
  RC_ASSERT(back == t);
}

// Call lists built by the generators (not by the decoder): thread indices
// dense in order of first appearance, any valid config, at most
// kMaxDecodedCalls calls.
RC_GTEST_PROP(FormatProps, EncodeCallsDecodeCallsRoundTrips, ()) {
  CallList l;
  l.config = *GenConfig(Knobs::kAny);
  l.config.ignore = 0;  // the binary form has no ignore set
  const int n = *rc::gen::inRange(0, 40);
  int threads = 0;
  for (int i = 0; i < n; ++i) {
    const int t = *rc::gen::inRange(0, std::min(threads + 1, kMaxThreads));
    threads = std::max(threads, t + 1);
    l.calls.push_back(ThreadCall{t, *GenCall(l.config)});
  }
  const std::string enc = EncodeCalls(l);
  const CallList back =
      DecodeCalls(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), {});
  RC_ASSERT(back == l);
}

}  // namespace
}  // namespace lifecheck
