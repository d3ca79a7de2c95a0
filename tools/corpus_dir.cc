#include "tools/corpus_dir.h"

#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace lifecheck::cli {
namespace {

namespace fs = std::filesystem;

bool IsRepoRoot(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p / "corpus" / "regress", ec) &&
         fs::is_regular_file(p / "CMakeLists.txt", ec);
}

bool SearchUp(fs::path p, std::string* out) {
  std::error_code ec;
  p = fs::weakly_canonical(p, ec);
  if (ec) return false;
  while (true) {
    if (IsRepoRoot(p)) {
      *out = (p / "corpus" / "regress").string();
      return true;
    }
    if (!p.has_parent_path() || p.parent_path() == p) return false;
    p = p.parent_path();
  }
}

}  // namespace

absl::StatusOr<std::string> CorpusRegressDir(const std::string& override_dir) {
  std::error_code ec;
  if (!override_dir.empty()) {
    if (!fs::is_directory(override_dir, ec))
      return absl::NotFoundError(override_dir + ": not a directory");
    return override_dir;
  }
  std::string out;
  if (SearchUp(fs::current_path(ec), &out)) return out;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && SearchUp(exe.parent_path(), &out)) return out;
  return absl::NotFoundError(
      "no corpus/regress found above the current directory or the lifecheck "
      "binary; pass --corpus DIR");
}

uint64_t StableHash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string RegressFileName(const std::string& dir, const Trace& t) {
  Trace k = t;
  k.expect.clear();
  const uint32_t h = static_cast<uint32_t>(StableHash(PrintTrace(k)));
  return (fs::path(dir) / absl::StrFormat("%s-%08x.trace", t.expect, h))
      .string();
}

}  // namespace lifecheck::cli
