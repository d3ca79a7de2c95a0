// Triage of a directory of failing inputs (fuzzer crash files, traces): group
// them by signature, minimise one per group, and summarise in markdown. The
// overnight script's morning report is this summary.
//
// Signature = verdict (invariant ID, DEADLOCK, DIFF-...) + the shape of the
// minimised trace: each thread's op sequence (threads sorted, names dropped)
// and the op.Step the finding happened at. Two crash files with the same
// signature are the same bug as far as lifecheck can tell.
//
// Cost: inputs are first pre-grouped by (verdict, op.Step of the finding) on
// their unminimised run, and only the smallest input of each pre-group is
// minimised; pre-groups whose minimised shapes agree are then merged. With
// TriageOptions::minimize_all every input is minimised (exact signatures).
#ifndef LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_
#define LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_

#include <string>
#include <vector>

#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"

namespace lifecheck {

struct TriageOptions {
  bool minimize_all = false;
  MinimizeOptions minimize;
};

struct TriageGroup {
  std::string signature;
  std::string verdict;
  std::vector<std::string> files;  // sorted
  std::string example;             // the input that was minimised
  Trace minimized;
  MinimizeStats stats;
  std::string saved_path;  // set by the caller if it saved the trace
};

struct TriageReport {
  std::vector<TriageGroup> groups;  // sorted by signature
  std::vector<std::string> clean;   // inputs that do not fail
  // Inputs that could not be read, decoded or replayed, with the message.
  std::vector<std::pair<std::string, std::string>> bad;
  int oracle_calls = 0;
  double seconds = 0;
};

// The signature of a (minimised) failing trace; see the file comment.
std::string TraceSignature(const Trace& t, const std::string& verdict);

// Triage of `paths` (each loaded with LoadTraceInput) against `oracle`.
TriageReport Triage(const std::vector<std::string>& paths, const Oracle& oracle,
                    const TriageOptions& opts = {});

// The markdown summary: counts, a table of groups, and per group its files,
// minimised trace and replay commands. `dir` is what was triaged.
std::string TriageMarkdown(const TriageReport& r, const std::string& dir);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_
