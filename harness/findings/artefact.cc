#include "harness/findings/artefact.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/run/call_order.h"
#include "harness/sched/sched_fuzz.h"
#include "harness/trace/binary_trace.h"

namespace lifecheck {
namespace {

namespace fs = std::filesystem;

constexpr char kManifestMagic[] = "lifecheck-fuzz-manifest v1";

absl::StatusOr<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  return buf.str();
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

std::string_view HarnessName(Harness h) {
  return h == Harness::kSched ? "sched_fuzzer" : "diff_fuzzer";
}

std::string ManifestText(const FuzzRun& r) {
  std::string out =
      absl::StrCat(kManifestMagic,
                   "\n# Which lifecheck harness wrote the inputs under "
                   "this directory, and how it ran:\n"
                   "# lifecheck decodes them by this file "
                   "(docs/fuzzing.md \"Artefacts\").\n",
                   "harness: ",
                   absl::string_view(HarnessName(r.harness).data(),
                                     HarnessName(r.harness).size()),
                   "\n", "pin: ", r.pin, "\n");
  if (r.config) {
    // The trace format's own config/policy lines (PrintTrace of a trace
    // without threads).
    Trace t;
    t.config = *r.config;
    const std::string text = PrintTrace(t);
    for (absl::string_view line : absl::StrSplit(text, '\n'))
      if (absl::StartsWith(line, "config ") ||
          absl::StartsWith(line, "policy ") ||
          absl::StartsWith(line, "ignore:"))
        absl::StrAppend(&out, line, "\n");
  }
  if (r.faults.any())
    absl::StrAppend(
        &out, "fault: ", absl::StrJoin(FaultNameList(r.faults), " "), "\n");
  return out;
}

absl::StatusOr<FuzzRun> ParseManifest(const std::string& text,
                                      const std::string& filename) {
  FuzzRun r;
  auto err = [&](int line, int col, const std::string& msg) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ":", line, ":", col, ": ", msg));
  };
  std::string config_text = "lifecheck-trace v1\n";
  int config_lines = 0;
  bool magic = false, harness = false;
  int pin_line = 0;
  int lineno = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') {
      // Keep line numbers of the config lines for the trace parser.
      config_text += "\n";
      continue;
    }
    if (!magic) {
      if (line != kManifestMagic)
        return err(lineno, 1,
                   absl::StrCat("missing header '", kManifestMagic, "'"));
      magic = true;
      config_text += "\n";
      continue;
    }
    const size_t sp = line.find_first_of(" \t");
    const absl::string_view key = line.substr(0, sp);
    const absl::string_view value =
        sp == absl::string_view::npos
            ? absl::string_view()
            : absl::StripAsciiWhitespace(line.substr(sp));
    // `value` is a view into `raw`: its column is its offset there.
    const int value_col = value.empty()
                              ? static_cast<int>(raw.size()) + 1
                              : static_cast<int>(value.data() - raw.data()) + 1;
    if (key == "harness:") {
      if (value == "diff_fuzzer") {
        r.harness = Harness::kDiff;
      } else if (value == "sched_fuzzer") {
        r.harness = Harness::kSched;
      } else {
        return err(lineno, value_col,
                   absl::StrCat("unknown harness '", value,
                                "' (expected diff_fuzzer or sched_fuzzer)"));
      }
      harness = true;
      config_text += "\n";
    } else if (key == "pin:") {
      r.pin = std::string(value);
      pin_line = lineno;
      config_text += "\n";
    } else if (key == "fault:") {
      for (absl::string_view name :
           absl::StrSplit(value, ' ', absl::SkipEmpty())) {
        if (!AddFaultByName(std::string_view(name.data(), name.size()),
                            &r.faults))
          return err(lineno, value_col,
                     absl::StrCat("unknown fault '", name,
                                  "' (known: ", KnownFaultNames(), ")"));
      }
      config_text += "\n";
    } else if (key == "config" || key == "policy" || key == "ignore:") {
      absl::StrAppend(&config_text, raw, "\n");
      ++config_lines;
    } else {
      return err(lineno, 1, absl::StrCat("unknown manifest key '", key, "'"));
    }
  }
  if (!magic)
    return err(1, 1, absl::StrCat("missing header '", kManifestMagic, "'"));
  if (!harness) return err(lineno, 1, "missing 'harness:' line");
  if (config_lines > 0) {
    // The trace parser reads the configuration (same lines, same errors).
    absl::StatusOr<Trace> t = ParseTrace(config_text, filename);
    if (!t.ok()) return t.status();
    r.config = t->config;
  } else if (r.pin != "free" && !r.pin.empty()) {
    // A named pin without config lines (a script's manifest).
    r.config = NamedConfig(r.pin);
    if (!r.config)
      return err(pin_line, 6,
                 absl::StrCat("pin '", r.pin,
                              "' is not a named configuration (free, "
                              "mainline, mainline-dax, mainline-disk, "
                              "mainline-libfs); give its config lines"));
  }
  return r;
}

absl::Status WriteManifest(const std::string& dir, const FuzzRun& r) {
  const std::string path = (fs::path(dir) / kManifestName).string();
  if (Exists(path)) {
    absl::StatusOr<std::string> old = ReadBytes(path);
    absl::StatusOr<FuzzRun> parsed =
        old.ok() ? ParseManifest(*old, path) : absl::StatusOr<FuzzRun>();
    if (parsed.ok() && *parsed == r) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat(
        path,
        ": a manifest of a different run is already there; give this run "
        "its own artefact directory"));
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(path, std::ios::binary);
  out << ManifestText(r);
  out.close();
  if (!out)
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot write: ", std::strerror(errno)));
  return absl::OkStatus();
}

std::optional<std::string> FindManifest(const std::string& file) {
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(file), ec).parent_path();
  if (ec) return std::nullopt;
  for (int up = 0; up <= 4 && !dir.empty(); ++up) {
    const fs::path m = dir / kManifestName;
    if (fs::is_regular_file(m, ec)) return m.string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

std::string SidecarPath(const std::string& artefact) {
  return artefact + ".trace";
}

Trace DecodeFuzzInput(const std::string& bytes, const FuzzRun& r) {
  DecodeOptions opts;
  opts.pinned_config = r.config;
  opts.pin_name = r.pin;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (r.harness == Harness::kSched)
    return sched::RunSchedInput(data, bytes.size(), opts, r.faults).trace;
  Trace t = DecodeTrace(data, bytes.size(), opts);
  t.judge = Judge::kDiff;
  t.faults = r.faults;
  return t;
}

bool LooksLikeTextTrace(const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    size_t nl = bytes.find('\n', i);
    if (nl == std::string::npos) nl = bytes.size();
    size_t b = i;
    while (b < nl && (bytes[b] == ' ' || bytes[b] == '\t' || bytes[b] == '\r'))
      ++b;
    if (b < nl && bytes[b] != '#')
      return bytes.compare(b, 15, "lifecheck-trace") == 0;
    i = nl + 1;
  }
  return false;
}

absl::StatusOr<Trace> LoadArtefact(const std::string& path, std::string* how) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, not a trace or crash file"));
  absl::StatusOr<std::string> bytes = ReadBytes(path);
  if (!bytes.ok()) return bytes.status();
  auto said = [&](std::string s) {
    if (how != nullptr) *how = std::move(s);
  };
  // A *.trace file is always text (its errors are FILE:LINE:COL); crash
  // files and corpus entries never have that name.
  const bool named_trace =
      path.size() >= 6 && path.compare(path.size() - 6, 6, ".trace") == 0;
  if (named_trace || LooksLikeTextTrace(*bytes)) {
    said("text trace");
    return ParseTrace(*bytes, path);
  }
  const std::string sidecar = SidecarPath(path);
  if (Exists(sidecar)) {
    said(absl::StrCat("sidecar ", sidecar));
    return ReadTraceFile(sidecar);
  }
  FuzzRun run;
  if (std::optional<std::string> m = FindManifest(path)) {
    absl::StatusOr<std::string> text = ReadBytes(*m);
    if (!text.ok()) return text.status();
    absl::StatusOr<FuzzRun> parsed = ParseManifest(*text, *m);
    if (!parsed.ok()) return parsed.status();
    run = *parsed;
    said(absl::StrCat("manifest ", *m));
  } else {
    said("no manifest: diff_fuzzer, free configuration");
  }
  return DecodeFuzzInput(*bytes, run);
}

}  // namespace lifecheck
