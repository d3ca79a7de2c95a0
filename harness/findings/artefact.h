// A finding's artefact, whatever wrote it (DESIGN principle 8): a text
// trace, or a fuzzer input / crash file together with what decodes it the
// way the fuzzer did — never an environment variable or a flag.
//
// A file named *.trace, or one whose first line that is neither blank nor a
// comment is the `lifecheck-trace` header, is a text trace. Any other file
// is binary (docs/fuzzing.md "Artefacts"):
//  1. FILE.trace beside it, the sidecar the fuzz harness writes at a
//     finding: the decoded, complete trace (configuration actually used,
//     judge, faults, verdict). It is the artefact's text form.
//  2. Else the nearest manifest (kManifestName) in the file's directory or
//     one of its ancestors: which harness wrote the inputs under it
//     (diff_fuzzer or sched_fuzzer), the configuration pin and the planted
//     faults. ci/fuzz-overnight writes one per output directory, and the
//     harnesses write one where libFuzzer (-artifact_prefix,
//     -exact_artifact_path) or AFL++ (its -o directory) put artefacts.
//  3. Else a diff_fuzzer input of the free configuration without faults.
#ifndef LIFECHECK_HARNESS_FINDINGS_ARTEFACT_H_
#define LIFECHECK_HARNESS_FINDINGS_ARTEFACT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "config/config.h"
#include "config/faults.h"
#include "harness/trace/trace.h"

namespace lifecheck {

inline constexpr char kManifestName[] = "lifecheck-fuzz.manifest";

enum class Harness : uint8_t { kDiff, kSched };
std::string_view HarnessName(Harness h);  // "diff_fuzzer", "sched_fuzzer"

// What a fuzzing run was: the content of a manifest.
//
//   lifecheck-fuzz-manifest v1
//   harness: sched_fuzzer
//   pin: mainline                      (or free; then no config line)
//   config fs=dax files=3 pages=3 ...  (the trace format's lines; without
//   policy ...                          them a named pin stands for its
//                                       configuration)
//   fault: unpin_drops_one
struct FuzzRun {
  Harness harness = Harness::kDiff;
  std::string pin = "free";      // the pin's name, for messages
  std::optional<Config> config;  // the pinned configuration
  Faults faults;
  bool operator==(const FuzzRun&) const = default;
};

std::string ManifestText(const FuzzRun& r);
// Errors: "FILE:LINE:COL: message" (InvalidArgument), NotFound.
absl::StatusOr<FuzzRun> ParseManifest(const std::string& text,
                                      const std::string& filename);
// Writes DIR/kManifestName. An identical manifest there is left alone; a
// different one is an error (AlreadyExists): artefacts under one directory
// must come from one kind of run.
absl::Status WriteManifest(const std::string& dir, const FuzzRun& r);
// The nearest manifest for `file`: its directory and up to four ancestors.
std::optional<std::string> FindManifest(const std::string& file);

// The sidecar of a binary artefact: FILE.trace.
std::string SidecarPath(const std::string& artefact);

// Decodes fuzzer bytes as the run `r` did: the complete, self-describing
// trace (`judge: diff` or `judge: sched`, the faults, the configuration
// used). A sched_fuzzer input runs once under the controlled scheduler to
// recover its schedule. Total: every byte string decodes.
Trace DecodeFuzzInput(const std::string& bytes, const FuzzRun& r);

// True if `bytes` look like a text trace: the first line that is neither
// blank nor a comment starts with `lifecheck-trace`.
bool LooksLikeTextTrace(const std::string& bytes);

// Reads an artefact (see the file comment). `how`, if given, says what
// decoded it ("text trace", "sidecar PATH", "manifest PATH", "no manifest:
// diff_fuzzer, free configuration"). Errors: NotFound (cannot read),
// InvalidArgument ("FILE:LINE:COL: ..." for a malformed text trace,
// sidecar or manifest).
absl::StatusOr<Trace> LoadArtefact(const std::string& path,
                                   std::string* how = nullptr);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_ARTEFACT_H_
