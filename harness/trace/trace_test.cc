#include "harness/trace/trace.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "gtest/gtest.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck {
namespace {

constexpr char kExample[] =
    "lifecheck-trace v1\n"
    "# expect: I-DAX-1\n"
    "# any other comment line\n"
    "config fs=dax files=2 pages=1 spare=1 ptes=1 pins=1 events=0\n"
    "policy dax_truncate=none evict_barrier=none\n"
    "thread A: fault pte=0 file=1 index=0   # trailing comment\n"
    "thread A: pin pin=0 pte=0\n"
    "thread T: truncate file=1 size=0\n"
    "schedule: A A T A\n"
    "schedule: T*3 A\n";

Trace MustParse(const std::string& text) {
  absl::StatusOr<Trace> t = ParseTrace(text, "t.trace");
  EXPECT_TRUE(t.ok()) << t.status() << "\n--- input ---\n" << text;
  return t.ok() ? *t : Trace{};
}

// The error must be InvalidArgument and read "t.trace:<where>: ..." with
// `what` somewhere in the message.
void ExpectError(const std::string& text, const std::string& where,
                 const std::string& what) {
  absl::StatusOr<Trace> t = ParseTrace(text, "t.trace");
  ASSERT_FALSE(t.ok()) << "parsed unexpectedly:\n" << text;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(t.status().message());
  EXPECT_EQ(msg.rfind("t.trace:" + where + ": ", 0), 0u)
      << "message: " << msg << "\nexpected position " << where;
  EXPECT_NE(msg.find(what), std::string::npos)
      << "message: " << msg << "\nexpected to contain: " << what;
}

const std::string kHdr = "lifecheck-trace v1\n";

// Round trip and canonical fixed point.
void ExpectRoundTrip(const Trace& t) {
  const std::string printed = PrintTrace(t);
  absl::StatusOr<Trace> back = ParseTrace(printed, "printed");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << printed;
  EXPECT_TRUE(*back == t) << printed;
  EXPECT_EQ(PrintTrace(*back), printed);
}

// A valid argument value for `kind` under `cfg` (the top of the range, so
// multi-digit and non-zero values get exercised when the config allows).
int16_t ArgFor(ArgKind kind, const Config& cfg) {
  return static_cast<int16_t>(ArgRangeOf(kind, cfg).hi);
}

Config BigConfig() {
  Config c;
  c.fs = FsKind::kDax;
  c.files = kMaxFiles;
  c.pages = kMaxIdx;
  c.spare = kMaxSpare;
  c.ptes = kMaxPtes;
  c.pins = kMaxPins;
  c.events = kMaxEvents;
  return c;
}

// ---------------------------------------------------------------- parsing

TEST(TraceParse, Example) {
  Trace t = MustParse(kExample);
  EXPECT_EQ(t.expect, "I-DAX-1");
  EXPECT_EQ(t.config.fs, FsKind::kDax);
  EXPECT_EQ(t.config.files, 2);
  EXPECT_EQ(t.config.pages, 1);
  EXPECT_EQ(t.config.spare, 1);
  EXPECT_EQ(t.config.ptes, 1);
  EXPECT_EQ(t.config.pins, 1);
  EXPECT_EQ(t.config.events, 0);
  EXPECT_EQ(t.config.policy.dax_truncate, DaxTruncatePolicy::kNone);
  EXPECT_EQ(t.config.policy.evict_barrier, EvictDaxBarrier::kNone);
  Config expected_cfg = t.config;
  expected_cfg.policy = Policies{};
  expected_cfg.policy.dax_truncate = DaxTruncatePolicy::kNone;
  expected_cfg.policy.evict_barrier = EvictDaxBarrier::kNone;
  EXPECT_TRUE(t.config == expected_cfg);

  ASSERT_EQ(t.thread_names, (std::vector<std::string>{"A", "T"}));
  ASSERT_EQ(t.threads.size(), 2u);
  ASSERT_EQ(t.threads[0].size(), 2u);
  ASSERT_EQ(t.threads[1].size(), 1u);
  EXPECT_EQ(t.threads[0][0].op, Op::kFault);
  EXPECT_EQ(t.threads[0][0].args, (std::array<int16_t, kMaxArgs>{0, 1, 0}));
  EXPECT_EQ(t.threads[0][1].op, Op::kPin);
  EXPECT_EQ(t.threads[0][1].args, (std::array<int16_t, kMaxArgs>{0, 0, 0}));
  EXPECT_EQ(t.threads[1][0].op, Op::kTruncate);
  EXPECT_EQ(t.threads[1][0].args, (std::array<int16_t, kMaxArgs>{1, 0, 0}));
  EXPECT_EQ(t.schedule, (std::vector<int>{0, 0, 1, 0, 1, 1, 1, 0}));

  // Positions: op column of each call, token column of each schedule entry.
  ASSERT_EQ(t.call_pos.size(), 2u);
  ASSERT_EQ(t.call_pos[0].size(), 2u);
  EXPECT_EQ(t.call_pos[0][0].line, 6);
  EXPECT_EQ(t.call_pos[0][0].col, 11);
  EXPECT_EQ(t.call_pos[0][1].line, 7);
  EXPECT_EQ(t.call_pos[1][0].line, 8);
  EXPECT_EQ(t.call_pos[1][0].col, 11);
  ASSERT_EQ(t.schedule_pos.size(), 8u);
  EXPECT_EQ(t.schedule_pos[0].line, 9);
  EXPECT_EQ(t.schedule_pos[0].col, 11);
  EXPECT_EQ(t.schedule_pos[3].col, 17);
  for (int i = 4; i < 7; ++i) {
    EXPECT_EQ(t.schedule_pos[i].line, 10);
    EXPECT_EQ(t.schedule_pos[i].col, 11);
  }
  EXPECT_EQ(t.schedule_pos[7].col, 15);
}

TEST(TraceParse, DefaultsCommentsCrlfAndBlankLines) {
  Trace t = MustParse(
      "# leading comment\r\n"
      "\r\n"
      "   \t\n"
      "  lifecheck-trace v1   # header comment\r\n"
      "# expect: clean\r\n"
      "thread worker_1: umount\r\n"
      "\tthread worker_1:\tigrab file=1   \r\n");
  EXPECT_EQ(t.expect, "clean");
  EXPECT_TRUE(t.config == Config{});
  ASSERT_EQ(t.thread_names, (std::vector<std::string>{"worker_1"}));
  ASSERT_EQ(t.threads[0].size(), 2u);
  EXPECT_EQ(t.threads[0][1].op, Op::kIgrab);
  EXPECT_EQ(t.threads[0][1].args[0], 1);
  EXPECT_EQ(t.call_pos[0][1].col, 19);
  EXPECT_TRUE(t.schedule.empty());
  EXPECT_TRUE(t.schedule_pos.empty());
}

TEST(TraceParse, MinimalAndNoTrailingNewline) {
  Trace t = MustParse("lifecheck-trace v1");
  EXPECT_TRUE(t == Trace{});
  t = MustParse("lifecheck-trace v1\nthread A: umount");
  EXPECT_EQ(t.threads.size(), 1u);
}

TEST(TraceParse, ExpectAcceptsEveryInvariantAndDeadlock) {
  for (int i = 1; i < static_cast<int>(Inv::kCount); ++i) {
    const std::string id(InvId(static_cast<Inv>(i)));
    Trace t = MustParse("# expect: " + id + "\n" + kHdr);
    EXPECT_EQ(t.expect, id);
  }
  EXPECT_EQ(MustParse(kHdr + "#expect:DEADLOCK  # why\n").expect, "DEADLOCK");
  // Other comments that merely mention expect are plain comments.
  EXPECT_EQ(MustParse(kHdr + "# expected: nothing\n# Expect: x\n").expect, "");
}

TEST(TraceParse, ArgsAnyOrderAndSplitConfigLines) {
  Trace t = MustParse(kHdr +
                      "config fs=dax\n"
                      "policy dax_truncate=sequester\n"
                      "config files=2 ptes=2\n"
                      "policy longterm_pin=allow ptl_on_zap=false\n"
                      "thread B: fault index=0 file=2 pte=1\n"
                      "thread A: umount\n"
                      "schedule: A\n"
                      "thread B: munmap pte=1\n"
                      "schedule: B*2 A*1\n");
  EXPECT_EQ(t.config.fs, FsKind::kDax);
  EXPECT_EQ(t.config.files, 2);
  EXPECT_EQ(t.config.ptes, 2);
  EXPECT_EQ(t.config.pages, 1);  // default kept
  EXPECT_EQ(t.config.policy.dax_truncate, DaxTruncatePolicy::kSequester);
  EXPECT_EQ(t.config.policy.longterm_pin, LongtermPinOnFsdax::kAllow);
  EXPECT_FALSE(t.config.policy.ptl_on_zap);
  ASSERT_EQ(t.thread_names, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(t.threads[0][0].args, (std::array<int16_t, kMaxArgs>{1, 2, 0}));
  EXPECT_EQ(t.threads[0][1].op, Op::kMunmap);
  EXPECT_EQ(t.schedule, (std::vector<int>{1, 0, 0, 1}));
}

// ---------------------------------------------------------------- printing

TEST(TracePrint, CallInArgOrder) {
  Call c;
  c.op = Op::kFault;
  c.args = {3, 2, 1};
  EXPECT_EQ(PrintCall(c), "fault pte=3 file=2 index=1");
  c.op = Op::kUmount;
  c.args = {0, 0, 0};
  EXPECT_EQ(PrintCall(c), "umount");
  c.op = Op::kPin;
  c.args = {1, 0, 0};
  EXPECT_EQ(PrintCall(c), "pin pin=1 pte=0");
}

TEST(TracePrint, CanonicalForm) {
  Trace t = MustParse(kExample);
  EXPECT_EQ(PrintTrace(t),
            "lifecheck-trace v1\n"
            "# expect: I-DAX-1\n"
            "config fs=dax files=2 pages=1 spare=1 ptes=1 pins=1 events=0\n"
            "policy dax_truncate=none evict_barrier=none\n"
            "thread A: fault pte=0 file=1 index=0\n"
            "thread A: pin pin=0 pte=0\n"
            "thread T: truncate file=1 size=0\n"
            "schedule: A*2 T A T*3 A\n");
  // Defaults: full config line, no policy line, no expect line.
  Trace d;
  EXPECT_EQ(PrintTrace(d),
            "lifecheck-trace v1\n"
            "config fs=disk files=1 pages=1 spare=0 ptes=1 pins=0 events=0\n");
}

TEST(TracePrint, ScheduleLinesAndLongRuns) {
  Trace t;
  t.thread_names = {"A", "B"};
  Call u;
  u.op = Op::kUmount;
  t.threads = {{u}, {u}};
  for (int i = 0; i < 20; ++i) t.schedule.push_back(i % 2);
  t.schedule.insert(t.schedule.end(), 250001, 0);
  const std::string p = PrintTrace(t);
  EXPECT_NE(p.find("schedule: A B A B A B A B A B A B A B A B\n"
                   "schedule: A B A B A*100000 A*100000 A*50001\n"),
            std::string::npos)
      << p;
  ExpectRoundTrip(t);
}

TEST(TracePrint, MalformedTracesDoNotCrash) {
  Trace t;
  t.thread_names = {"A"};
  Call bad;
  bad.op = Op::kCount;
  t.threads = {{bad}, {bad}};
  t.schedule = {0, 7, -3};
  t.config.policy.dax_truncate = static_cast<DaxTruncatePolicy>(200);
  const std::string p = PrintTrace(t);
  EXPECT_FALSE(ParseTrace(p, "x").ok());
}

// ---------------------------------------------------------------- round trips

TEST(TraceRoundTrip, Example) {
  Trace t = MustParse(kExample);
  ExpectRoundTrip(t);
}

TEST(TraceRoundTrip, EveryOp) {
  const Config cfg = BigConfig();
  ASSERT_EQ(ValidateConfig(cfg), "");
  Trace t;
  t.config = cfg;
  t.expect = "DEADLOCK";
  const int nthreads = kMaxThreads;
  for (int i = 0; i < nthreads; ++i)
    t.thread_names.push_back("T" + std::to_string(i) + "_x");
  t.threads.resize(nthreads);
  for (int o = 0; o < static_cast<int>(Op::kCount); ++o) {
    Call c;
    c.op = static_cast<Op>(o);
    const OpInfo& info = GetOpInfo(c.op);
    for (int k = 0; k < info.nargs; ++k)
      c.args[k] = ArgFor(info.arg_kinds[k], cfg);
    ASSERT_EQ(ValidateCall(c, cfg), "") << info.name;
    t.threads[o % nthreads].push_back(c);
    // The printed call names the op and every argument.
    const std::string pc = PrintCall(c);
    EXPECT_EQ(pc.rfind(std::string(info.name), 0), 0u);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i)
    t.schedule.push_back(static_cast<int>(rng() % nthreads));
  ExpectRoundTrip(t);

  // And each op alone, also with the smallest configuration that has it.
  for (int o = 0; o < static_cast<int>(Op::kCount); ++o) {
    Trace one;
    one.config = cfg;
    one.thread_names = {"A"};
    Call c;
    c.op = static_cast<Op>(o);
    const OpInfo& info = GetOpInfo(c.op);
    for (int k = 0; k < info.nargs; ++k)
      c.args[k] = ArgFor(info.arg_kinds[k], cfg);
    one.threads = {{c, c}};
    one.schedule = {0, 0};
    ExpectRoundTrip(one);
    // Parse the text form written by hand, args in reverse order.
    std::string line = "thread A: " + std::string(info.name);
    for (int k = info.nargs - 1; k >= 0; --k)
      line += " " + std::string(info.arg_names[k]) + "=" +
              std::to_string(c.args[k]);
    Trace parsed = MustParse(kHdr +
                             "config fs=dax files=3 pages=3 spare=3 ptes=4 "
                             "pins=4 events=2\n" +
                             line + "\n" + line + "\nschedule: A*2\n");
    EXPECT_TRUE(parsed == one) << line;
  }
}

TEST(TraceRoundTrip, EveryKnobValueAndSize) {
  Call u;
  u.op = Op::kUmount;
  int valid = 0, invalid = 0;
  for (const ConfigField& f : ConfigFields()) {
    std::vector<int> values;
    if (f.values.empty()) {
      for (int v = f.min; v <= f.max; ++v) values.push_back(v);
    } else {
      for (size_t v = 0; v < f.values.size(); ++v)
        values.push_back(static_cast<int>(v));
    }
    for (FsKind fs : {FsKind::kLibfs, FsKind::kDisk, FsKind::kDax}) {
      for (int v : values) {
        Trace t;
        t.config.fs = fs;
        f.set(t.config, v);
        t.thread_names = {"A"};
        t.threads = {{u}};
        const std::string printed = PrintTrace(t);
        if (!ValidateConfig(t.config).empty()) {
          ++invalid;
          // The parser reports ValidateConfig's message at the config line.
          ExpectError(printed, "2:1", ValidateConfig(t.config));
          continue;
        }
        ++valid;
        ExpectRoundTrip(t);
        // The printed value is the table's spelling.
        const std::string kv =
            std::string(f.name) + "=" +
            (f.values.empty() ? std::to_string(v)
                              : std::string(f.values[static_cast<size_t>(v)]));
        // Config fields are always printed; a policy knob (and the policy
        // line) only when it differs from the default.
        const bool shown = !f.is_policy || f.get(t.config) != f.get(Config{});
        EXPECT_EQ(printed.find(" " + kv) != std::string::npos, shown)
            << kv << "\n"
            << printed;
        if (f.is_policy) {
          EXPECT_EQ(printed.find("\npolicy ") != std::string::npos, shown)
              << printed;
        }
      }
    }
  }
  EXPECT_GT(valid, 50);
  EXPECT_GT(invalid, 0);  // pins>0 with fs=libfs
}

TEST(TraceRoundTrip, AllPoliciesAtOnce) {
  Trace t;
  t.config = BigConfig();
  for (const ConfigField& f : ConfigFields())
    if (f.is_policy) f.set(t.config, static_cast<int>(f.values.size()) - 1);
  Call u;
  u.op = Op::kUmount;
  t.thread_names = {"A"};
  t.threads = {{u}};
  ExpectRoundTrip(t);
}

TEST(TraceRoundTrip, CanonicalFixedPoint) {
  const std::string messy =
      "# a comment before the header\r\n"
      "\tlifecheck-trace   v1\r\n"
      "# expect: I-GUP-2\r\n"
      "policy longterm_pin=allow\n"
      "config pins=2   fs=dax\n"
      "config ptes=2\n"
      "policy dax_truncate=wait    # the default, so not printed\n"
      "thread Z: pin_longterm pte=1 pin=1\n"
      "thread a: fault index=0 pte=1 file=1\n"
      "schedule: a Z*1 Z\n"
      "thread Z: unpin pin=1\n"
      "schedule: a*2 a*3\n";
  Trace t = MustParse(messy);
  const std::string p1 = PrintTrace(t);
  EXPECT_EQ(p1,
            "lifecheck-trace v1\n"
            "# expect: I-GUP-2\n"
            "config fs=dax files=1 pages=1 spare=0 ptes=2 pins=2 events=0\n"
            "policy longterm_pin=allow\n"
            "thread Z: pin_longterm pin=1 pte=1\n"
            "thread Z: unpin pin=1\n"
            "thread a: fault pte=1 file=1 index=0\n"
            "schedule: a Z*2 a*5\n");
  Trace t2 = MustParse(p1);
  EXPECT_TRUE(t2 == t);
  EXPECT_EQ(PrintTrace(t2), p1);
}

// ---------------------------------------------------------------- errors

TEST(TraceErrors, MissingHeader) {
  ExpectError("", "1:1", "missing header");
  ExpectError("# only a comment\n\n", "1:1", "missing header");
  ExpectError("# c\n\n  config fs=dax\n", "3:3", "missing header");
  ExpectError("lifecheck-trace\n", "1:16", "missing version");
  ExpectError("lifecheck-trace v2\n", "1:17", "unsupported trace version 'v2'");
  ExpectError("lifecheck-trace v1 v1\n", "1:20", "unexpected 'v1'");
  ExpectError("Lifecheck-trace v1\n", "1:1", "missing header");
}

TEST(TraceErrors, UnknownKeyword) {
  ExpectError(kHdr + "  frobnicate x=1\n", "2:3",
              "unknown keyword 'frobnicate'");
  ExpectError(kHdr + "thread A: umount\nThread A: umount\n", "3:1",
              "unknown keyword 'Thread'");
  ExpectError(kHdr + "thread A: umount\nschedule A\n", "3:9",
              "missing ':' after 'schedule'");
  ExpectError(kHdr + "thread A: umount\nschedule:A\n", "3:10",
              "expected whitespace after 'schedule:'");
  // Binary garbage is quoted with escapes.
  ExpectError(kHdr + std::string("\x01\xff\0zz", 5) + "\n", "2:1",
              "unknown keyword '\\x01\\xff\\x00zz'");
}

TEST(TraceErrors, UnknownThreadInSchedule) {
  ExpectError(kHdr + "thread A: umount\nschedule: A B\n", "3:13",
              "unknown thread 'B'");
  ExpectError(kHdr + "schedule: A\nthread A: umount\n", "2:11",
              "unknown thread 'A'");
  ExpectError(kHdr + "thread A: umount\nschedule: A*2 B*2\n", "3:15",
              "unknown thread 'B'");
  ExpectError(kHdr + "thread A: umount\nschedule: *2\n", "3:11",
              "missing thread name before '*'");
}

TEST(TraceErrors, ScheduleCounts) {
  const std::string pre = kHdr + "thread A: umount\n";
  ExpectError(pre + "schedule: A*0\n", "3:13",
              "repeat count 0 is out of range");
  ExpectError(pre + "schedule: A*100001\n", "3:13", "out of range 1..100000");
  ExpectError(pre + "schedule: A*99999999999999999999999\n", "3:13",
              "out of range");
  ExpectError(pre + "schedule: A*\n", "3:13", "missing repeat count");
  ExpectError(pre + "schedule: A*x\n", "3:13",
              "expected a decimal repeat count");
  ExpectError(pre + "schedule: A*-1\n", "3:13",
              "expected a decimal repeat count");
  ExpectError(pre + "schedule:\n", "3:10",
              "missing thread name after 'schedule:'");
  std::string big = pre;
  for (int i = 0; i < 10; ++i) big += "schedule: A*100000\n";
  EXPECT_TRUE(ParseTrace(big, "t.trace").ok());
  ExpectError(big + "schedule: A A\n", "13:11", "schedule is longer than");
}

TEST(TraceErrors, TruncatedLines) {
  ExpectError(kHdr + "thread A:\n", "2:10", "missing operation");
  ExpectError(kHdr + "thread A:   \n", "2:10", "missing operation");
  ExpectError(kHdr + "thread\n", "2:7", "missing 'NAME:'");
  ExpectError(kHdr + "thread A\n", "2:9", "missing ':' after thread name 'A'");
  ExpectError(kHdr + "thread A:umount\n", "2:10",
              "expected whitespace after ':'");
  ExpectError(kHdr + "config fs=\n", "2:11", "missing value for 'fs'");
  ExpectError(kHdr + "config\n", "2:7", "missing KEY=VALUE after 'config'");
  ExpectError(kHdr + "policy   # nothing\n", "2:7",
              "missing KEY=VALUE after 'policy'");
  ExpectError(kHdr + "config fs\n", "2:8", "expected KEY=VALUE, got 'fs'");
  ExpectError(kHdr + "config =dax\n", "2:8", "missing key before '='");
  ExpectError(kHdr + "config pins=1\nthread A: pin pin=0\n", "3:20",
              "missing argument 'pte' of 'pin'");
  ExpectError(kHdr + "thread A: fault\n", "2:16",
              "missing argument 'pte' of 'fault'");
  ExpectError(kHdr + "thread A: fault file=1 index=0\n", "2:31",
              "missing argument 'pte' of 'fault'");
  ExpectError(kHdr + "thread A: fault pte=\n", "2:21",
              "missing value for argument 'pte'");
  ExpectError(kHdr + "thread A: fault pte\n", "2:17",
              "expected ARG=VALUE, got 'pte'");
  ExpectError(kHdr + "# expect:\n", "2:10", "missing invariant ID");
}

TEST(TraceErrors, BadNumbers) {
  ExpectError(kHdr + "config files=x\n", "2:14",
              "expected a decimal number for 'files', got 'x'");
  ExpectError(kHdr + "config files=-1\n", "2:14", "expected a decimal number");
  ExpectError(kHdr + "config files=+1\n", "2:14", "expected a decimal number");
  ExpectError(kHdr + "config files=1x\n", "2:14", "expected a decimal number");
  ExpectError(kHdr + "thread A: fault pte=0x0 file=1 index=0\n", "2:21",
              "expected a decimal number for argument 'pte', got '0x0'");
  ExpectError(kHdr + "thread A: fault pte=0 file=1 index=-0\n", "2:36",
              "expected a decimal number for argument 'index'");
}

TEST(TraceErrors, OutOfRangeValues) {
  ExpectError(kHdr + "config files=4\n", "2:14",
              "files=4 is out of range 0..3");
  ExpectError(kHdr + "config events=99999999999999999999999999\n", "2:15",
              "is out of range 0..2");
  ExpectError(kHdr + "config fs=ext4\n", "2:11",
              "invalid value 'ext4' for 'fs' (expected one of: libfs, disk, "
              "dax)");
  ExpectError(kHdr + "policy ptl_on_zap=1\n", "2:19",
              "invalid value '1' for 'ptl_on_zap'");
  // Call arguments are checked by ValidateCall, reported at the op.
  ExpectError(kHdr + "thread A: fault pte=5 file=1 index=0\n", "2:11",
              "pte=5 is out of range 0..0");
  ExpectError(kHdr + "thread A: fault pte=0 file=0 index=0\n", "2:11",
              "file=0 is out of range 1..1");
  ExpectError(kHdr + "thread A: pin pin=0 pte=0\n", "2:11",
              "pin=0: the configuration has no such object");
  ExpectError(kHdr + "thread A: fault pte=32768 file=1 index=0\n", "2:21",
              "pte=32768 is too large");
  // Whole-config validation, at the first config line.
  ExpectError(kHdr + "# c\nconfig fs=libfs\nconfig pins=1\nthread A: umount\n",
              "3:1", "pins need fs=disk or fs=dax");
  ExpectError(kHdr + "  config fs=libfs pins=1\n", "2:3",
              "invalid configuration: pins need fs=disk or fs=dax");
}

TEST(TraceErrors, DuplicateKey) {
  ExpectError(kHdr + "config fs=dax files=1 fs=dax\n", "2:23",
              "duplicate key 'fs' (first set at 2:8)");
  ExpectError(
      kHdr + "config fs=dax\npolicy dax_truncate=none\nconfig fs=disk\n", "4:8",
      "duplicate key 'fs' (first set at 2:8)");
  ExpectError(kHdr + "policy kill_sb=litter\npolicy kill_sb=anon\n", "3:8",
              "duplicate key 'kill_sb'");
}

TEST(TraceErrors, WrongSectionAndUnknownKeys) {
  ExpectError(kHdr + "config dax_truncate=none\n", "2:8",
              "'dax_truncate' is a policy knob");
  ExpectError(kHdr + "policy fs=dax\n", "2:8", "'fs' is not a policy knob");
  ExpectError(kHdr + "config color=blue\n", "2:8",
              "unknown config key 'color'");
  ExpectError(kHdr + "policy color=blue\n", "2:8",
              "unknown policy knob 'color'");
  ExpectError(kHdr + "thread A: umount\nconfig fs=dax\n", "3:1",
              "'config' must come before the first 'thread' line");
  ExpectError(kHdr + "thread A: umount\n  policy kill_sb=litter\n", "3:3",
              "'policy' must come before the first 'thread' line");
}

TEST(TraceErrors, UnknownOp) {
  ExpectError(kHdr + "thread A: frob x=1\n", "2:11",
              "unknown operation 'frob'");
  ExpectError(kHdr + "thread A: Umount\n", "2:11",
              "unknown operation 'Umount'");
}

TEST(TraceErrors, MissingOrDuplicateArg) {
  ExpectError(kHdr + "thread A: fault pte=0 pte=0 file=1 index=0\n", "2:23",
              "duplicate argument 'pte' (first at column 17)");
  ExpectError(kHdr + "thread A: fault pte=0 file=1 index=0 size=0\n", "2:38",
              "unknown argument 'size' of 'fault' (expected pte, file, index)");
  ExpectError(kHdr + "thread A: umount d=0\n", "2:18",
              "unknown argument 'd' of 'umount' (it takes no arguments)");
  ExpectError(kHdr + "thread A: truncate file=1\n", "2:26",
              "missing argument 'size' of 'truncate'");
}

TEST(TraceErrors, ThreadNames) {
  ExpectError(kHdr + "thread 1A: umount\n", "2:8", "invalid thread name '1A'");
  ExpectError(kHdr + "thread A-b: umount\n", "2:8",
              "invalid thread name 'A-b'");
  ExpectError(kHdr + "thread : umount\n", "2:8",
              "missing thread name before ':'");
  ExpectError(kHdr + "thread abcdefghijklmnopq: umount\n", "2:8",
              "longer than 16 characters");
  EXPECT_TRUE(ParseTrace(kHdr + "thread abcdefghijklmnop: umount\n", "t").ok());
  std::string six = kHdr;
  for (int i = 0; i < kMaxThreads; ++i)
    six += "thread T" + std::to_string(i) + ": umount\n";
  EXPECT_TRUE(ParseTrace(six, "t").ok());
  ExpectError(six + "thread T0: umount\nthread X: umount\n",
              std::to_string(kMaxThreads + 3) + ":8", "too many threads");
}

TEST(TraceErrors, TooManyCalls) {
  std::string text = kHdr;
  for (int i = 0; i < 1000; ++i) text += "thread A: umount\n";
  EXPECT_TRUE(ParseTrace(text, "t").ok());
  ExpectError(text + "thread B: umount\nthread A: umount\n", "1003:11",
              "thread 'A' has more than 1000 calls");
}

TEST(TraceErrors, BadExpect) {
  ExpectError(kHdr + "# expect: I-FOO-9\n", "2:11",
              "unknown invariant ID 'I-FOO-9'");
  ExpectError("#   expect:   i-dax-1\n" + kHdr, "1:15",
              "unknown invariant ID 'i-dax-1'");
  ExpectError(kHdr + "# expect: I-DAX-1 I-DAX-2\n", "2:19",
              "unexpected 'I-DAX-2'");
  ExpectError(kHdr + "# expect: I-DAX-1\n# expect: I-DAX-2\n", "3:1",
              "duplicate '# expect:'");
  ExpectError(kHdr + "thread A: umount\n  # expect: I-DAX-1\n", "3:3",
              "'# expect:' must come before the first 'thread' line");
}

TEST(TraceErrors, FilenameLabelsErrors) {
  absl::StatusOr<Trace> t = ParseTrace("nope\n", "dir/x.trace");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(std::string(t.status().message()),
            "dir/x.trace:1:1: missing header 'lifecheck-trace v1'");
}

TEST(TraceErrors, VeryLongLineAndHugeToken) {
  std::string longline = kHdr + "config";
  for (int i = 0; i < 100000; ++i) longline += " ";
  longline += "fs=dax\n";
  Trace t = MustParse(longline);
  EXPECT_EQ(t.config.fs, FsKind::kDax);
  std::string huge = kHdr + std::string(1 << 20, 'x') + "\n";
  absl::StatusOr<Trace> r = ParseTrace(huge, "t.trace");
  ASSERT_FALSE(r.ok());
  // The message quotes a bounded prefix of the token.
  EXPECT_LT(r.status().message().size(), 200u);
}

// ---------------------------------------------------------------- files

TEST(TraceFile, ReadsAndLabelsWithPath) {
  char path[] = "/tmp/lifecheck_trace_testXXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string body = std::string(kExample) + "bogus\n";
  ASSERT_EQ(write(fd, body.data(), body.size()),
            static_cast<ssize_t>(body.size()));
  close(fd);
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(std::string(t.status().message()),
            std::string(path) + ":11:1: unknown keyword 'bogus'");
  FILE* f = std::fopen(path, "w");
  ASSERT_NE(f, nullptr);
  std::fputs(kExample, f);
  std::fclose(f);
  t = ReadTraceFile(path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(*t == MustParse(kExample));
  unlink(path);
}

TEST(TraceFile, MissingFile) {
  absl::StatusOr<Trace> t = ReadTraceFile("/nonexistent/dir/x.trace");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(t.status().message()),
            "/nonexistent/dir/x.trace: cannot read: No such file or directory");
  t = ReadTraceFile("/tmp");  // a directory cannot be read
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(t.status().message()).rfind("/tmp: cannot read: ", 0),
            0u);
}

// ---------------------------------------------------------------- robustness

// Every accepted input must print and re-parse to the same trace; every
// rejected one must give "FILE:LINE:COL: message" with LINE, COL >= 1.
void CheckAnyInput(const std::string& text) {
  absl::StatusOr<Trace> t = ParseTrace(text, "f");
  if (t.ok()) {
    const std::string p = PrintTrace(*t);
    absl::StatusOr<Trace> back = ParseTrace(p, "p");
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << p;
    ASSERT_TRUE(*back == *t) << p;
    ASSERT_EQ(PrintTrace(*back), p);
    // Positions are filled for every call and schedule entry.
    ASSERT_EQ(t->call_pos.size(), t->threads.size());
    for (size_t i = 0; i < t->threads.size(); ++i)
      ASSERT_EQ(t->call_pos[i].size(), t->threads[i].size());
    ASSERT_EQ(t->schedule_pos.size(), t->schedule.size());
    return;
  }
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(t.status().message());
  ASSERT_EQ(msg.rfind("f:", 0), 0u) << msg;
  int line = 0, col = 0;
  ASSERT_EQ(std::sscanf(msg.c_str(), "f:%d:%d: ", &line, &col), 2) << msg;
  ASSERT_GE(line, 1) << msg;
  ASSERT_GE(col, 1) << msg;
}

TEST(TraceRobustness, RandomBytes) {
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 10000; ++iter) {
    std::string s;
    const size_t len = rng() % 200;
    for (size_t i = 0; i < len; ++i) s += static_cast<char>(rng() & 0xff);
    if (iter % 2) s = kHdr + s;  // get past the header half the time
    CheckAnyInput(s);
    if (HasFatalFailure()) return;
  }
}

TEST(TraceRobustness, RandomTokens) {
  const std::vector<std::string> dict = {"lifecheck-trace",
                                         "v1",
                                         "config",
                                         "policy",
                                         "thread",
                                         "schedule:",
                                         "A:",
                                         "B:",
                                         "A",
                                         "B",
                                         "A*2",
                                         "B*100000",
                                         "#",
                                         "# expect:",
                                         "I-DAX-1",
                                         "clean",
                                         "fs=dax",
                                         "fs=disk",
                                         "files=2",
                                         "pages=1",
                                         "pins=1",
                                         "ptes=2",
                                         "events=1",
                                         "spare=3",
                                         "dax_truncate=none",
                                         "kill_sb=litter",
                                         "ptl_on_zap=false",
                                         "fault",
                                         "pin",
                                         "umount",
                                         "truncate",
                                         "pte=0",
                                         "pte=1",
                                         "file=1",
                                         "index=0",
                                         "size=0",
                                         "pin=0",
                                         "d=1",
                                         "ev=0",
                                         "=",
                                         ":",
                                         "*",
                                         "\r",
                                         "\t",
                                         " ",
                                         "\n",
                                         "\n",
                                         "\n",
                                         "\r\n",
                                         std::string(1, '\0')};
  std::mt19937 rng(99);
  for (int iter = 0; iter < 6000; ++iter) {
    std::string s = iter % 3 ? kHdr : "";
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      s += dict[rng() % dict.size()];
      if (rng() % 2) s += ' ';
    }
    CheckAnyInput(s);
    if (HasFatalFailure()) return;
  }
}

TEST(TraceRobustness, MutationsOfValidTrace) {
  const std::string base = kExample;
  static const char kAlphabet[] = "Ax*=:#0123456789 \t\r\n\0\xff-_v1TAPp";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  std::mt19937 rng(2024);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = base;
    const int nmut = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < nmut; ++m) {
      const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 6) {
        case 0:  // overwrite a byte
          if (!s.empty() && pos < s.size())
            s[pos] = static_cast<char>(rng() & 0xff);
          break;
        case 1:  // insert a byte from the trace alphabet
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:  // delete a range
          if (pos < s.size()) s.erase(pos, rng() % 12);
          break;
        case 3: {  // duplicate a range
          if (pos < s.size()) {
            const std::string piece = s.substr(pos, rng() % 40);
            s.insert(rng() % (s.size() + 1), piece);
          }
          break;
        }
        case 4:  // change a digit
          if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
            s[pos] = static_cast<char>('0' + rng() % 10);
          else
            s.insert(pos, 1, static_cast<char>('0' + rng() % 10));
          break;
        case 5:  // truncate
          s.resize(pos);
          break;
      }
    }
    if (ParseTrace(s, "f").ok()) ++accepted;
    CheckAnyInput(s);
    if (HasFatalFailure()) return;
  }
  // The mutator keeps some inputs valid, so the accept path is exercised.
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace lifecheck

namespace lifecheck {
namespace {

TEST(TraceIgnore, ParsesPrintsAndRoundTrips) {
  const std::string text =
      "lifecheck-trace v1\n"
      "config fs=dax files=1 pages=1 spare=1 ptes=1 pins=1\n"
      "ignore: I-DAX-1 I-REF-1\n"
      "thread A: fault pte=0 file=1 index=0\n";
  absl::StatusOr<Trace> t = ParseTrace(text, "t.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->config.ignored(static_cast<int>(Inv::kDax1)));
  EXPECT_TRUE(t->config.ignored(static_cast<int>(Inv::kRef1)));
  EXPECT_FALSE(t->config.ignored(static_cast<int>(Inv::kDax2)));
  const std::string printed = PrintTrace(*t);
  EXPECT_NE(printed.find("ignore: I-REF-1 I-DAX-1\n"), std::string::npos)
      << printed;
  absl::StatusOr<Trace> again = ParseTrace(printed, "t2.trace");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *t);
}

TEST(TraceIgnore, RejectsUnknownAndDeadlockAndLatePlacement) {
  auto err = [](const std::string& body) {
    return std::string(
        ParseTrace("lifecheck-trace v1\nconfig fs=dax\n" + body, "x.trace")
            .status()
            .message());
  };
  EXPECT_EQ(err("ignore: I-NOPE\n").substr(0, 13), "x.trace:3:9: ");
  EXPECT_EQ(err("ignore: DEADLOCK\n").substr(0, 13), "x.trace:3:9: ");
  EXPECT_EQ(err("ignore: DIFF-STATE\n").substr(0, 13), "x.trace:3:9: ");
  EXPECT_EQ(err("ignore:\n").substr(0, 13), "x.trace:3:8: ");
  EXPECT_EQ(err("thread A: umount\nignore: I-DAX-1\n").substr(0, 13),
            "x.trace:4:1: ");
}

}  // namespace
}  // namespace lifecheck

namespace lifecheck {
namespace {

// The controlled scheduler's impl-schedule line: parsed, run-length
// printed, a fixed point; bad names are FILE:LINE:COL errors.
TEST(TraceImplSchedule, RoundTripsAndReportsErrors) {
  const std::string text =
      "lifecheck-trace v1\n"
      "config fs=disk files=1 pages=1 ptes=1\n"
      "judge: sched\n"
      "thread A: fault pte=0 file=1 index=0\n"
      "thread W: writeback file=1 index=0\n"
      "schedule: A W\n"
      "impl-schedule: A*3 W A\n";
  absl::StatusOr<Trace> t = ParseTrace(text, "x.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->impl_schedule, (std::vector<int>{0, 0, 0, 1, 0}));
  EXPECT_EQ(t->schedule, (std::vector<int>{0, 1}));
  const std::string printed = PrintTrace(*t);
  EXPECT_NE(printed.find("impl-schedule: A*3 W A\n"), std::string::npos);
  absl::StatusOr<Trace> again = ParseTrace(printed, "y.trace");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == *t);
  absl::StatusOr<Trace> bad = ParseTrace(
      "lifecheck-trace v1\nconfig fs=disk files=1 pages=1 ptes=1\n"
      "thread A: fault pte=0 file=1 index=0\nimpl-schedule: A Q\n",
      "b.trace");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("b.trace:4:"),
            std::string::npos)
      << bad.status();
}

// A trace says how it is judged and which impl faults were planted; the
// lines round-trip and are checked against each other.
TEST(TraceJudge, JudgeAndFaultLinesRoundTripAndAreChecked) {
  const std::string text =
      "lifecheck-trace v1\n"
      "config fs=dax files=1 pages=1 ptes=1 pins=1\n"
      "judge: diff\n"
      "fault: unpin_drops_one dma_reports_efault\n"
      "thread A: fault pte=0 file=1 index=0\n";
  absl::StatusOr<Trace> t = ParseTrace(text, "j.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->judge, Judge::kDiff);
  EXPECT_TRUE(t->faults.unpin_drops_one);
  EXPECT_TRUE(t->faults.dma_reports_efault);
  EXPECT_FALSE(t->faults.truncate_skips_wait);
  const std::string printed = PrintTrace(*t);
  EXPECT_NE(printed.find("\njudge: diff\nfault: unpin_drops_one "
                         "dma_reports_efault\n"),
            std::string::npos)
      << printed;
  absl::StatusOr<Trace> again = ParseTrace(printed, "k.trace");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(*again == *t);
  Trace spec = *t;  // the default judge is not printed
  spec.judge = Judge::kSpec;
  spec.faults = {};
  EXPECT_EQ(PrintTrace(spec).find("judge:"), std::string::npos);

  auto err = [](const std::string& body) {
    absl::StatusOr<Trace> r = ParseTrace(
        "lifecheck-trace v1\nconfig fs=dax files=1 pages=1 ptes=1 pins=1\n" +
            body,
        "e.trace");
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(err("judge: z3\n"),
            "e.trace:3:8: unknown judge 'z3' (expected spec, diff or sched)");
  EXPECT_EQ(err("judge:\n"),
            "e.trace:3:7: missing judge after 'judge:' (expected spec, diff "
            "or sched)");
  EXPECT_EQ(err("judge: diff\njudge: sched\n"),
            "e.trace:4:1: duplicate 'judge:' (first at line 3)");
  EXPECT_EQ(err("judge: diff\nfault: frob\n"),
            "e.trace:4:8: unknown fault 'frob' (known: unpin_drops_one, "
            "truncate_skips_wait, dma_reports_efault)");
  EXPECT_EQ(err("judge: diff\nfault: unpin_drops_one unpin_drops_one\n"),
            "e.trace:4:24: duplicate fault 'unpin_drops_one'");
  // A fault only the impl shows needs a judge that runs the impl.
  EXPECT_EQ(err("fault: unpin_drops_one\nthread A: umount\n"),
            "e.trace:3:1: 'fault:' plants impl faults, which only a judge "
            "that runs the impl sees: add 'judge: diff' or 'judge: sched'");
  EXPECT_EQ(err("thread A: umount\nimpl-schedule: A\n"),
            "e.trace:4:1: 'impl-schedule:' is a schedule of the impl under "
            "the controlled scheduler: add 'judge: sched'");
  EXPECT_EQ(err("thread A: umount\njudge: diff\n"),
            "e.trace:4:1: 'judge:' must come before the first 'thread' line");
}

}  // namespace
}  // namespace lifecheck
