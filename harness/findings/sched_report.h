// Reports of findings of the impl under the controlled scheduler.
#ifndef LIFECHECK_HARNESS_FINDINGS_SCHED_REPORT_H_
#define LIFECHECK_HARNESS_FINDINGS_SCHED_REPORT_H_

#include <string>

#include "harness/sched/explore.h"
#include "harness/trace/trace.h"

namespace lifecheck::sched {

// One column per thread, one row per spec step boundary the impl passed.
std::string StepTable(const Trace& t, const SchedOutcome& o);
// The finding report: ID line first, the table, the detail, the impl-level
// schedule, `replay: lifecheck explore SAVED --strategy replay`, SUMMARY.
std::string ExploreReport(const Trace& t, const ExploreResult& r,
                          const std::string& saved_path);
std::string ExploreSummary(const Trace& t, const ExploreResult& r);

}  // namespace lifecheck::sched

#endif  // LIFECHECK_HARNESS_FINDINGS_SCHED_REPORT_H_
