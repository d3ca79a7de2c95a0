// Reports of findings of the differential runner (harness/run/diff.h).
#ifndef LIFECHECK_HARNESS_FINDINGS_DIFF_REPORT_H_
#define LIFECHECK_HARNESS_FINDINGS_DIFF_REPORT_H_

#include <string>

#include "harness/run/diff.h"

namespace lifecheck {

// The report of a DIFF-* or spec finding of the differential runner:
// "lifecheck: finding DIFF-STATE: ...", the interleaving table (spec side),
// the detail, "replay: lifecheck run --diff [--fault NAME]... PATH" (the
// faults of the outcome), SUMMARY line.
std::string DiffReport(const DiffOutcome& o, const std::string& trace_path);
std::string DiffSummaryLine(const DiffOutcome& o);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_DIFF_REPORT_H_
