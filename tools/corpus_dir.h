// Where `lifecheck minimize --save` and `lifecheck triage --save` write:
// the repo's corpus/regress.
#ifndef LIFECHECK_TOOLS_CORPUS_DIR_H_
#define LIFECHECK_TOOLS_CORPUS_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "harness/trace/trace.h"

namespace lifecheck::cli {

// `override_dir` if non-empty (must exist); else the first corpus/regress
// under a directory that also holds CMakeLists.txt, searched from the
// current directory upwards, then from the lifecheck binary's directory
// upwards (build/default/lifecheck -> the repo). NotFound if none.
absl::StatusOr<std::string> CorpusRegressDir(const std::string& override_dir);

// DIR/<ID>-<8 hex digits of the trace's canonical text hash>.trace: the
// same trace always gets the same name, so saving twice does not duplicate.
std::string RegressFileName(const std::string& dir, const Trace& t);

// FNV-1a 64 of `s`: stable across builds and platforms.
uint64_t StableHash(const std::string& s);

}  // namespace lifecheck::cli

#endif  // LIFECHECK_TOOLS_CORPUS_DIR_H_
