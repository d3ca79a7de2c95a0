// Triage of a directory of failing inputs (fuzzer crash files with their
// sidecars or manifests, text traces): judge each by its own judge, group
// them by signature, minimise one per group, and summarise in markdown.
// The overnight script's morning report is this summary.
//
// Signature = verdict (invariant ID, DEADLOCK, DIFF-..., ...) + where it
// was found (harness/findings/judge.h FindingSite: the op.Step, the call
// where spec and impl part and what differs, the impl step) + the shape of
// the minimised trace: each thread's op sequence (threads sorted, names
// dropped). Two inputs with the same signature are the same bug as far as
// lifecheck can tell.
//
// Cost: inputs are first pre-grouped by (verdict, finding site) on their
// unminimised run, and only the smallest input of each pre-group is
// minimised; pre-groups whose minimised shapes agree are then merged. With
// TriageOptions::minimize_all every input is minimised (exact signatures).
//
// An input is never filed as clean because a default judge missed it: each
// is judged as its artefact says (harness/findings/artefact.h). One that
// reproduces nothing is listed as "does not reproduce", with what judged it
// and what that run did.
#ifndef LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_
#define LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"

namespace lifecheck {

struct TriageOptions {
  bool minimize_all = false;
  MinimizeOptions minimize;
  // Traces of known findings (corpus/regress): a group whose signature one
  // of them has is marked as already known.
  std::vector<std::string> known;
};

struct TriageGroup {
  std::string signature;
  std::string verdict;
  std::vector<std::string> files;  // sorted
  std::string example;             // the input that was minimised
  Trace minimized;                 // self-describing: judge, faults, expect
  MinimizeStats stats;
  // A known trace with this signature ("" if new), or with the same
  // verdict and finding site (`similar`).
  std::string known_as, similar_to;
  std::string saved_path;    // set by the caller if it saved the trace
  std::string picture_path;  // set by the caller if it drew it
};

struct TriageReport {
  std::vector<TriageGroup> groups;  // sorted by signature
  // Inputs whose judge finds nothing, with what judged them and how the
  // run ended.
  std::vector<std::pair<std::string, std::string>> not_reproduced;
  // Inputs that could not be read, decoded or replayed, with the message.
  std::vector<std::pair<std::string, std::string>> bad;
  int inputs = 0;
  int oracle_calls = 0;
  double seconds = 0;
};

// The signature of a (minimised) failing trace, judged by its own judge;
// see the file comment.
std::string TraceSignature(const Trace& t, const std::string& verdict);

// Triage of `paths` (each read with LoadArtefact).
TriageReport Triage(const std::vector<std::string>& paths,
                    const TriageOptions& opts = {});

// The markdown summary: counts, a table of groups, and per group its
// files, minimised trace, replay line and picture. `dir` is what was
// triaged.
std::string TriageMarkdown(const TriageReport& r, const std::string& dir);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_TRIAGE_H_
