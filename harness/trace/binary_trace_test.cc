#include "harness/trace/binary_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "harness/run/call_order.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"
#include "spec/exec.h"

namespace lifecheck {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(len(rng), '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

const uint8_t* U(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

void ExpectValid(const CallList& l) {
  ASSERT_EQ(ValidateConfig(l.config), "");
  int max_thread = -1;
  for (const ThreadCall& tc : l.calls) {
    EXPECT_EQ(ValidateCall(tc.call, l.config), "");
    // Dense: a new thread is the next index.
    EXPECT_LE(tc.thread, max_thread + 1);
    max_thread = std::max(max_thread, tc.thread);
  }
}

TEST(BinaryTrace, EmptyInputIsTheDefaultConfigWithNoCalls) {
  CallList l = DecodeCalls(nullptr, 0, {});
  EXPECT_EQ(l.config, Config{});
  EXPECT_TRUE(l.calls.empty());
}

TEST(BinaryTrace, EveryByteStringDecodesToAValidTrace) {
  std::mt19937 rng(1);
  for (int i = 0; i < 3000; ++i) {
    const std::string s = RandomBytes(rng, 200);
    CallList l = DecodeCalls(U(s), s.size(), {});
    ExpectValid(l);
    ASSERT_LE(l.calls.size(), static_cast<size_t>(kMaxDecodedCalls));
    // The schedule replays on the spec: every entry names an enabled thread.
    Trace t = TraceOfCalls(l);
    absl::StatusOr<RunResult> r = RunTrace(t, "decoded");
    ASSERT_TRUE(r.ok()) << r.status();
    // And the text form parses back to the same trace.
    absl::StatusOr<Trace> back = ParseTrace(PrintTrace(t), "printed");
    if (!l.calls.empty()) {
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, t);
    }
  }
}

// The fuzz harness pulls calls one at a time (CallDecoder) and stops early;
// what it pulls is DecodeCalls's list, also with two configurations' op
// tables alive at once.
TEST(BinaryTrace, CallDecoderYieldsDecodeCallsOneAtATime) {
  std::mt19937 rng(5);
  DecodeOptions pinned;
  pinned.pinned_config = NamedConfig("mainline-disk");
  for (int i = 0; i < 2000; ++i) {
    const std::string a = RandomBytes(rng, 300), b = RandomBytes(rng, 300);
    const DecodeOptions& opts = i % 2 ? pinned : DecodeOptions{};
    const CallList la = DecodeCalls(U(a), a.size(), opts);
    const CallList lb = DecodeCalls(U(b), b.size(), {});
    CallDecoder da(U(a), a.size(), opts), db(U(b), b.size(), {});
    ASSERT_EQ(da.config(), la.config);
    ASSERT_EQ(db.config(), lb.config);
    ThreadCall ta, tb;
    // Interleaved: each decoder keeps its own configuration's table.
    for (size_t k = 0; k < std::max(la.calls.size(), lb.calls.size()); ++k) {
      ASSERT_EQ(da.Next(&ta), k < la.calls.size());
      if (k < la.calls.size()) EXPECT_EQ(ta, la.calls[k]);
      ASSERT_EQ(db.Next(&tb), k < lb.calls.size());
      if (k < lb.calls.size()) EXPECT_EQ(tb, lb.calls[k]);
    }
    EXPECT_FALSE(da.Next(&ta));
    EXPECT_FALSE(db.Next(&tb));
  }
}

TEST(BinaryTrace, EncodeThenDecodeIsIdentity) {
  std::mt19937 rng(2);
  for (int i = 0; i < 3000; ++i) {
    const std::string s = RandomBytes(rng, 200);
    CallList l = DecodeCalls(U(s), s.size(), {});
    const std::string e = EncodeCalls(l);
    EXPECT_EQ(DecodeCalls(U(e), e.size(), {}), l);
    // Canonical bytes are a fixed point.
    EXPECT_EQ(EncodeCalls(DecodeCalls(U(e), e.size(), {})), e);
  }
}

TEST(BinaryTrace, EncodeTraceRoundTripsDecodedTraces) {
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const std::string s = RandomBytes(rng, 120);
    Trace t = DecodeTrace(U(s), s.size(), {});
    const std::string e = EncodeTrace(t);
    EXPECT_EQ(DecodeTrace(U(e), e.size(), {}), t) << PrintTrace(t);
  }
}

TEST(BinaryTrace, PinnedConfigOverridesTheHeader) {
  DecodeOptions opts;
  opts.pinned_config = NamedConfig("mainline-dax");
  std::mt19937 rng(4);
  for (int i = 0; i < 500; ++i) {
    const std::string s = RandomBytes(rng, 100);
    CallList l = DecodeCalls(U(s), s.size(), opts);
    EXPECT_EQ(l.config, *opts.pinned_config);
    ExpectValid(l);
  }
  // The header is consumed either way: a header alone has no calls.
  const std::string header(BinaryHeaderSize(), '\x07');
  EXPECT_TRUE(DecodeCalls(U(header), header.size(), opts).calls.empty());
  {}
}

TEST(BinaryTrace, ConfigPins) {
  EXPECT_FALSE(ParseConfigPin("").value().pinned_config.has_value());
  EXPECT_FALSE(ParseConfigPin("free").value().pinned_config.has_value());
  for (const char* n :
       {"mainline", "mainline-dax", "mainline-disk", "mainline-libfs"}) {
    absl::StatusOr<DecodeOptions> o = ParseConfigPin(n);
    ASSERT_TRUE(o.ok()) << n;
    ASSERT_TRUE(o->pinned_config.has_value());
    EXPECT_EQ(ValidateConfig(*o->pinned_config), "") << n;
    EXPECT_EQ(o->pinned_config->policy, Policies{}) << n;
  }
  EXPECT_FALSE(ParseConfigPin("/nonexistent/x.trace").ok());
}

// The decoding finds what it is for: a hand-built input reaches the
// truncate-with-a-pin race of seed 003 (R-003a) under dax_truncate=none.
TEST(BinaryTrace, HandEncodedSeedRaceReplays) {
  CallList l;
  l.config.fs = FsKind::kDax;
  l.config.pins = 1;
  l.config.spare = 1;
  l.config.policy.dax_truncate = DaxTruncatePolicy::kNone;
  Call fault{Op::kFault, {0, 1, 0}};
  Call pin{Op::kPin, {0, 0, 0}};
  Call trunc{Op::kTruncate, {1, 0, 0}};
  l.calls = {{0, fault}, {0, pin}, {1, trunc}};
  const std::string e = EncodeCalls(l);
  Trace t = DecodeTrace(U(e), e.size(), {});
  absl::StatusOr<RunResult> r = RunTrace(t, "x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "I-DAX-1") << PrintTrace(t);
}

TEST(CallOrder, CallsOfTraceInvertsTraceOfCalls) {
  std::mt19937 rng(5);
  int checked = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string s = RandomBytes(rng, 120);
    const CallList l = DecodeCalls(U(s), s.size(), {});
    Trace t = TraceOfCalls(l);
    const CallList back = CallsOfTrace(t);
    ExpectValid(back);
    EXPECT_LE(back.calls.size(), l.calls.size());
    EXPECT_EQ(TraceOfCalls(back), t) << PrintTrace(t);
    // Exactly the calls the run makes (l without its skipped calls, up to
    // the call that ends the run; call_contract_test checks that rule).
    SpecExec exec(l.config);
    const CallOrderEnd end = RunCallOrder(exec, l, nullptr);
    EXPECT_EQ(back.calls, end.run.calls);
    EXPECT_LE(back.calls.size() + end.skipped, l.calls.size());
    checked += end.skipped > 0;
  }
  EXPECT_GT(checked, 100);  // ill-formed calls are common
}

}  // namespace
}  // namespace lifecheck
