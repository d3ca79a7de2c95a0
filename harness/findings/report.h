// Reports of findings: the interleaving table of a spec run, and the one
// report shape every kind of finding is rendered in (Report below).
#ifndef LIFECHECK_HARNESS_FINDINGS_REPORT_H_
#define LIFECHECK_HARNESS_FINDINGS_REPORT_H_

#include <string>
#include <vector>

#include "harness/findings/judge.h"
#include "harness/run/spec_run.h"
#include "harness/sched/sched.h"
#include "harness/trace/trace.h"
#include "spec/findings.h"

namespace lifecheck {

// One column per thread (headed by its name), one row per executed step:
// the step as `op.StepName` in the stepping thread's column, ` -> ret` when
// the step returned from its call, and the step's state changes in a last
// column. A deadlocked run gets a final row showing where each thread is
// blocked. Plain ASCII, aligned, for a terminal or a mail.
std::string InterleavingTable(const Trace& t, const RunResult& r);

// Kernel warnings the run raised (World::warned), in Warn order.
std::vector<Warn> WarningsSeen(const CWorld& w);

// "warning: CODE: kernel text" lines, one per warning seen; "" if none.
std::string WarningLines(const RunResult& r);

// "config: fs=dax files=1 ...; policy: dax_truncate=none[; ignore: I-DAX-1]"
// (sizes always, policies only where they differ from the mainline default,
// ignored invariants if any).
std::string ConfigLine(const Config& c);
// The same, then how the trace is judged and its planted faults:
// "...; judge: diff; fault: unpin_drops_one".
std::string ConfigLine(const Trace& t);

// One column per thread, one row per spec step boundary the impl passed
// under the controlled scheduler, and the scheduling point it passed it at.
std::string StepTable(const Trace& t, const sched::SchedOutcome& o);

// The one report of a finding, whatever found it (DESIGN principle 6):
//
//   lifecheck: finding I-DAX-1: a block is freed only when idle (seed 003)
//   <the interleaving table>
//   <detail: where spec and impl part, the scheduler's cross-check, ...>
//   config: ...; judge: ...; fault: ...
//   threads: ...
//   warning: ...
//   replay: lifecheck run PATH
//   SUMMARY: lifecheck: I-DAX-1 truncate in thread T at step 3
//
// The first and the last line are stable: tests, dedup and CI match on
// them. Built by ReportOf from a judgement, rendered by RenderReport only.
struct Report {
  Inv id = Inv::kNone;
  std::string judged_by;  // "" for the spec alone
  std::string table;
  std::vector<std::string> detail;
  std::string config;   // ConfigLine(trace)
  std::string threads;  // "threads:\n  A: fault ...; pin ...\n"
  std::vector<std::string> warnings;
  std::string replay;  // the path `lifecheck run` replays; "" = no line
  // After the ID on the SUMMARY line: "truncate in thread T at step 3"
  // (spec and sched: the step; diff: "at call N").
  std::string where;
};

// The report of a judgement with a finding. `replay_path` is the artefact
// that reproduces it by itself (its `judge:` line says how).
// Precondition: j.inv != Inv::kNone.
Report ReportOf(const Trace& t, const Judgement& j,
                const std::string& replay_path);
std::string RenderReport(const Report& r);
// `SUMMARY: lifecheck: <ID> <where>`: the last line of RenderReport.
std::string SummaryLine(const Report& r);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_REPORT_H_
