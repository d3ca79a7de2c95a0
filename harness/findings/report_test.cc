#include "harness/findings/report.h"

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/run/spec_run.h"
#include "harness/trace/trace.h"

namespace lifecheck {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Call MakeCall(Op op, int a0 = 0, int a1 = 0, int a2 = 0) {
  Call c;
  c.op = op;
  c.args = {static_cast<int16_t>(a0), static_cast<int16_t>(a1),
            static_cast<int16_t>(a2)};
  return c;
}

// Seed 003, scenario S-003-1 reduced to two threads: A maps and pins the one
// DAX block of file 1, T truncates the file. With dax_truncate=none the
// truncate frees the pinned block (I-DAX-1); with WAIT it waits for the pin
// that is never released (a deadlock).
Trace DaxTruncateTrace(DaxTruncatePolicy policy) {
  Trace t;
  t.config.fs = FsKind::kDax;
  t.config.files = 1;
  t.config.pages = 1;
  t.config.spare = 1;
  t.config.ptes = 1;
  t.config.pins = 1;
  t.config.policy.dax_truncate = policy;
  t.thread_names = {"A", "T"};
  t.threads = {
      {MakeCall(Op::kFault, /*pte=*/0, /*file=*/1, /*index=*/0),
       MakeCall(Op::kPin, /*pin=*/0, /*pte=*/0)},
      {MakeCall(Op::kTruncate, /*file=*/1, /*size=*/0)},
  };
  return t;
}

// Column at which `needle` starts in `line`, or npos.
size_t Col(const std::string& line, const std::string& needle) {
  return line.find(needle);
}

// The table row (after header and rule) whose text contains `needle`.
std::string RowWith(const std::string& table, const std::string& needle) {
  for (const std::string& l : Lines(table))
    if (l.find(needle) != std::string::npos) return l;
  return "";
}

// The report of a spec run (a judgement by the spec).
Report SpecReport(const Trace& t, const RunResult& r, const std::string& p) {
  Judgement j;
  j.inv = Finding(r);
  j.spec = r;
  return ReportOf(t, j, p);
}

TEST(VerdictTest, NamesCleanInvariantOrDeadlock) {
  RunResult r;
  EXPECT_EQ(Verdict(r), "clean");
  EXPECT_EQ(Finding(r), Inv::kNone);
  r.violation = Inv::kDax1;
  EXPECT_EQ(Verdict(r), "I-DAX-1");
  r.violation = Inv::kNone;
  r.deadlock = true;
  EXPECT_EQ(Verdict(r), "DEADLOCK");
  EXPECT_EQ(Finding(r), Inv::kDeadlock);
}

TEST(ReportTest, WarningsAreListedByCode) {
  RunResult r;
  EXPECT_EQ(WarningLines(r), "");
  r.final_world.warned[static_cast<int>(Warn::kDaxTruncBusy)] = true;
  const std::string w = WarningLines(r);
  EXPECT_NE(w.find("warning: DAX_TRUNC_BUSY: "), std::string::npos) << w;
  EXPECT_EQ(WarningsSeen(r.final_world),
            std::vector<Warn>{Warn::kDaxTruncBusy});
}

TEST(ReportTest, ConfigLineShowsSizesAndNonDefaultPolicies) {
  const Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  EXPECT_EQ(ConfigLine(t.config),
            "config: fs=dax files=1 pages=1 spare=1 ptes=1 pins=1 events=0; "
            "policy: dax_truncate=none");
  EXPECT_EQ(ConfigLine(Config{}).substr(ConfigLine(Config{}).rfind(';')),
            "; policy: mainline");
}

TEST(ReportTest, TableOfAnEmptyRunHasHeaderAndRule) {
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  RunResult r;
  const std::vector<std::string> lines = Lines(InterleavingTable(t, r));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "#  A  T  changes");
  EXPECT_EQ(lines[1], "-  -  -  -------");
}

// DESIGN principle 6: ID first, table, replay command, SUMMARY last.
TEST(ReportTest, DaxTruncateNoneFreesAPinnedBlock) {
  const Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  absl::StatusOr<RunResult> r = RunTrace(t, "built.trace");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "I-DAX-1");
  // Sequential: A faults (1 step) and pins (4 steps: the FOLL_WRITE GUP
  // write-faults the read-only PTE, then retries and grabs), then T's
  // truncate frees the block in its one step under NONE.
  ASSERT_EQ(r->steps.size(), 6u);
  EXPECT_EQ(r->steps.back().thread, 1);
  EXPECT_EQ(r->steps.back().op, Op::kTruncate);
  ASSERT_EQ(r->changes.size(), r->steps.size());

  const std::string report =
      RenderReport(SpecReport(t, *r, "corpus/regress/x.trace"));
  const std::vector<std::string> lines = Lines(report);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines.front(),
            "lifecheck: finding I-DAX-1: a block is freed only when idle "
            "(seed 003)");
  EXPECT_EQ(lines.back(),
            "SUMMARY: lifecheck: I-DAX-1 truncate in thread T at step 6");
  EXPECT_EQ(lines[lines.size() - 2],
            "replay: lifecheck run corpus/regress/x.trace");
  EXPECT_EQ(SummaryLine(SpecReport(t, *r, "x")), lines.back());

  // One column per thread, headed by its name, then the changes column.
  const std::string& header = lines[1];
  EXPECT_EQ(header.rfind("#", 0), 0u) << header;
  const size_t col_a = Col(header, "A"), col_t = Col(header, "T");
  const size_t col_changes = Col(header, "changes");
  ASSERT_NE(col_a, std::string::npos);
  ASSERT_NE(col_t, std::string::npos);
  ASSERT_NE(col_changes, std::string::npos);
  EXPECT_LT(col_a, col_t);
  EXPECT_LT(col_t, col_changes);

  // Each step sits in its thread's column; returns are shown.
  const std::string table = InterleavingTable(t, *r);
  EXPECT_NE(report.find(table), std::string::npos);
  const std::string fault = RowWith(table, "fault.FaultMap");
  EXPECT_EQ(Col(fault, "fault.FaultMap"), col_a) << table;
  EXPECT_NE(fault.find(" -> "), std::string::npos) << table;
  const std::string grab = RowWith(table, "pin.PinGrab");
  EXPECT_EQ(Col(grab, "pin.PinGrab"), col_a) << table;
  const std::string trunc = RowWith(table, "truncate.DaxTruncFree");
  EXPECT_EQ(Col(trunc, "truncate.DaxTruncFree"), col_t) << table;
  // The violating step's changes decode the violation slot.
  EXPECT_NE(trunc.find("VIOLATION I-DAX-1"), std::string::npos) << table;
}

TEST(ReportTest, DaxTruncateWaitOnANeverReleasedPinDeadlocks) {
  const Trace t = DaxTruncateTrace(DaxTruncatePolicy::kWait);
  absl::StatusOr<RunResult> r = RunTrace(t, "built.trace");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "DEADLOCK");
  ASSERT_EQ(r->blocked.size(), 1u);
  EXPECT_EQ(r->blocked[0].thread, 1);
  EXPECT_EQ(r->blocked[0].step, Step::kDaxWaitIdle);

  const std::vector<std::string> lines =
      Lines(RenderReport(SpecReport(t, *r, "w.trace")));
  EXPECT_EQ(lines.front(),
            "lifecheck: finding DEADLOCK: every thread with work left is "
            "blocked");
  EXPECT_EQ(lines.back(),
            "SUMMARY: lifecheck: DEADLOCK truncate in thread T at step " +
                std::to_string(r->steps.size()));
  const std::string table = InterleavingTable(t, *r);
  const std::string blocked = RowWith(table, "blocked: truncate.DaxWaitIdle");
  ASSERT_NE(blocked, "") << table;
  EXPECT_EQ(Col(blocked, "blocked:"), Col(Lines(table)[0], "T")) << table;
}

// Every kind of finding has the same first and last lines, and the replay
// line names the artefact alone (its judge and faults are in it).
TEST(ReportTest, DiffAndScheduledFindingsHaveTheOneShape) {
  absl::StatusOr<Trace> diff = ParseTrace(R"(lifecheck-trace v1
config fs=dax files=1 pages=1 ptes=1 pins=1
judge: diff
fault: unpin_drops_one
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread A: unpin pin=0
)",
                                          "d.trace");
  ASSERT_TRUE(diff.ok()) << diff.status();
  absl::StatusOr<Judgement> j = JudgeTrace(*diff, "d.trace");
  ASSERT_TRUE(j.ok()) << j.status();
  std::vector<std::string> lines =
      Lines(RenderReport(ReportOf(*diff, *j, "d.trace")));
  EXPECT_EQ(lines.front(),
            "lifecheck: finding DIFF-STATE: Abstract(impl) equals the spec "
            "state [spec and impl, call by call]");
  EXPECT_EQ(lines.back(),
            "SUMMARY: lifecheck: DIFF-STATE unpin in thread A at call 3");
  EXPECT_EQ(lines[lines.size() - 2], "replay: lifecheck run d.trace");

  absl::StatusOr<Trace> sched =
      ReadTraceFile(std::string(LIFECHECK_SOURCE_DIR) +
                    "/corpus/regress/003-zap-without-ptl-impl.trace");
  ASSERT_TRUE(sched.ok()) << sched.status();
  j = JudgeTrace(*sched, "s.trace");
  ASSERT_TRUE(j.ok()) << j.status();
  lines = Lines(RenderReport(ReportOf(*sched, *j, "s.trace")));
  EXPECT_EQ(lines.front(),
            "lifecheck: finding I-DAX-1: a block is freed only when idle "
            "(seed 003) [the impl under the controlled scheduler]");
  EXPECT_EQ(lines.back().rfind("SUMMARY: lifecheck: I-DAX-1 ", 0), 0u)
      << lines.back();
  EXPECT_NE(lines.back().find("(impl)"), std::string::npos) << lines.back();
  EXPECT_EQ(lines[lines.size() - 2], "replay: lifecheck run s.trace");
}

TEST(ReplayTest, PinReleasedBeforeTruncateIsClean) {
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kWait);
  t.threads[0].push_back(MakeCall(Op::kUnpin, /*pin=*/0));
  absl::StatusOr<RunResult> r = RunTrace(t, "built.trace");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), "clean") << InterleavingTable(t, *r);
  ASSERT_EQ(r->results.size(), 2u);
  EXPECT_EQ(r->results[0].size(), 3u);
  EXPECT_EQ(r->results[1].size(), 1u);
}

TEST(ReplayTest, ScheduleIsFollowedThenSequential) {
  // T first: truncating before the fault leaves nothing to pin or free.
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  t.schedule = {1};
  absl::StatusOr<RunResult> r = RunTrace(t, "built.trace");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->steps.empty());
  EXPECT_EQ(r->steps[0].thread, 1);
  EXPECT_EQ(r->steps[0].op, Op::kTruncate);
  EXPECT_EQ(Verdict(*r), "clean") << InterleavingTable(t, *r);
}

TEST(ReplayTest, ScheduleNamingAFinishedThreadIsBadInput) {
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  t.schedule = {1, 1};
  t.schedule_pos = {{7, 11}, {7, 13}};
  absl::StatusOr<RunResult> r = RunTrace(t, "f.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(r.status().message()),
            "f.trace:7:13: schedule entry 2 names thread T which is finished");
}

TEST(ReplayTest, ScheduleNamingABlockedThreadIsBadInput) {
  // WAIT: after A pinned, T's wait for the pinned block cannot proceed
  // until A unpins; a schedule that insists on T past its scan is wrong (A
  // still has work, so this is not a deadlock). No positions: 0:0.
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kWait);
  t.threads[0].push_back(MakeCall(Op::kUnpin, /*pin=*/0));
  t.schedule = {0, 0, 0, 0, 0, 1, 1, 1, 1};
  absl::StatusOr<RunResult> r = RunTrace(t, "g.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(r.status().message());
  EXPECT_EQ(msg.rfind("g.trace:0:0: schedule entry ", 0), 0u) << msg;
  EXPECT_NE(msg.find("names thread T which is blocked"), std::string::npos)
      << msg;
}

TEST(ReplayTest, ScheduleNamingANonexistentThreadIsBadInput) {
  Trace t = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  t.schedule = {5};
  absl::StatusOr<RunResult> r = RunTrace(t, "h.trace");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReplayTest, ParsedTraceRoundTripsThroughTheReport) {
  const std::string text =
      "lifecheck-trace v1\n"
      "# expect: I-DAX-1\n"
      "config fs=dax files=1 pages=1 spare=1 ptes=1 pins=1\n"
      "policy dax_truncate=none\n"
      "thread A: fault pte=0 file=1 index=0\n"
      "thread A: pin pin=0 pte=0\n"
      "thread T: truncate file=1 size=0\n";
  absl::StatusOr<Trace> t = ParseTrace(text, "p.trace");
  ASSERT_TRUE(t.ok()) << t.status();
  Trace built = DaxTruncateTrace(DaxTruncatePolicy::kNone);
  built.expect = "I-DAX-1";
  EXPECT_EQ(*t, built);
  absl::StatusOr<RunResult> r = RunTrace(*t, "p.trace");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Verdict(*r), t->expect);
}

}  // namespace
}  // namespace lifecheck
