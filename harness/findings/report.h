// The one report shape of a finding (DESIGN principle 6):
//
//   lifecheck: finding I-DAX-1: a block is freed only when idle (seed 003)
//   <interleaving table>
//   <config, warnings>
//   replay: lifecheck run corpus/regress/dax_truncate_none.trace
//   SUMMARY: lifecheck: I-DAX-1 truncate in thread T at step 3
//
// The first and the last line are stable: tests, dedup and CI match on them.
#ifndef LIFECHECK_HARNESS_FINDINGS_REPORT_H_
#define LIFECHECK_HARNESS_FINDINGS_REPORT_H_

#include <string>
#include <vector>

#include "harness/run/replay.h"
#include "harness/trace/trace.h"
#include "spec/findings.h"

namespace lifecheck {

// One column per thread (headed by its name), one row per executed step:
// the step as `op.StepName` in the stepping thread's column, ` -> ret` when
// the step returned from its call, and the step's state changes in a last
// column. A deadlocked run gets a final row showing where each thread is
// blocked. Plain ASCII, aligned, for a terminal or a mail.
std::string InterleavingTable(const Trace& t, const RunResult& r);

// The full report of a run with a finding (violation or deadlock); see the
// file comment. `trace_path` goes into the replay command.
// Precondition: Finding(r) != Inv::kNone.
std::string FindingReport(const Trace& t, const RunResult& r,
                          const std::string& trace_path);

// `SUMMARY: lifecheck: <ID> <op> in thread <name> at step <n>`: the last line
// of FindingReport. For a violation, <op> is the op of the violating step and
// <n> its 1-based row; for a deadlock, <op> is the op the first blocked thread
// is stuck in and <n> the number of steps executed before the deadlock.
// Precondition: Finding(r) != Inv::kNone.
std::string SummaryLine(const Trace& t, const RunResult& r);

// Kernel warnings the run raised (World::warned), in Warn order.
std::vector<Warn> WarningsSeen(const CWorld& w);

// "warning: CODE: kernel text" lines, one per warning seen; "" if none.
std::string WarningLines(const RunResult& r);

// "config: fs=dax files=1 ...; policy: dax_truncate=none[; ignore: I-DAX-1]"
// (sizes always, policies only where they differ from the mainline default,
// ignored invariants if any).
std::string ConfigLine(const Config& c);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_REPORT_H_
