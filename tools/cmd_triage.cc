// `lifecheck triage`: group a directory of crash files / traces by
// signature, minimise one per group, save each minimised trace and its
// picture, and write a markdown summary.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/findings/artefact.h"
#include "harness/findings/explain.h"
#include "harness/findings/judge.h"
#include "harness/findings/triage.h"
#include "tools/cli.h"
#include "tools/corpus_dir.h"

namespace lifecheck::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kTriageDirName[] = "lifecheck-triage";

// Regular files under `dir`, recursively, sorted. Skipped: hidden files,
// AFL++'s README.txt, manifests, a crash file's FILE.trace sidecar (the
// crash file stands for both) and triage output directories. False if
// `dir` is not a readable directory.
bool CollectInputs(const std::string& dir, const std::string& out_dir,
                   std::vector<std::string>* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  const fs::path skip = fs::weakly_canonical(out_dir, ec);
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (const fs::recursive_directory_iterator end; it != end;
       it.increment(ec)) {
    if (ec) return false;
    const std::string name = it->path().filename().string();
    std::error_code fec;
    if (it->is_directory(fec)) {
      if (name.empty() || name[0] == '.' || name == kTriageDirName ||
          fs::weakly_canonical(it->path(), fec) == skip)
        it.disable_recursion_pending();
      continue;
    }
    if (name.empty() || name[0] == '.' || name == "README.txt" ||
        name == kManifestName)
      continue;
    const std::string path = it->path().string();
    if (path.size() > 6 && path.compare(path.size() - 6, 6, ".trace") == 0 &&
        fs::is_regular_file(path.substr(0, path.size() - 6), fec))
      continue;  // a sidecar
    if (it->is_regular_file(fec)) out->push_back(path);
  }
  std::sort(out->begin(), out->end());
  return true;
}

// Traces of known findings: every *.trace under `dir`.
std::vector<std::string> KnownTraces(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.path().extension() == ".trace") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

int CmdTriage(const Args& args) {
  const Command& c = *FindCommand("triage");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--output", "-o"}, true},
                  {{"--save"}},
                  {{"--corpus"}, true},
                  {{"--known"}, true},
                  {{"--minimize-all"}}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("triage: exactly one directory expected", &c);
  const std::string& dir = p.operands[0];
  const std::string out_dir =
      p.Value("--output", (fs::path(dir) / kTriageDirName).string());
  std::vector<std::string> paths;
  if (!CollectInputs(dir, out_dir, &paths)) {
    std::cerr << "lifecheck: " << dir << ": not a readable directory\n";
    return kExitBadInput;
  }
  TriageOptions opts;
  opts.minimize_all = p.Has("--minimize-all");
  // Known findings: --known DIR, else the repo's corpus/regress if found.
  std::string known = p.Value("--known", "");
  if (known.empty()) {
    absl::StatusOr<std::string> corpus = CorpusRegressDir("");
    if (corpus.ok()) known = *corpus;
  }
  opts.known = KnownTraces(known);
  TriageReport rep = Triage(paths, opts);

  absl::StatusOr<std::string> corpus;
  if (p.Has("--save")) {
    corpus = CorpusRegressDir(p.Value("--corpus", ""));
    if (!corpus.ok()) {
      std::cerr << "lifecheck: triage --save: " << corpus.status().message()
                << "\n";
      return kExitBadInput;
    }
  }
  // Each group's minimised, self-describing trace and its picture.
  for (size_t i = 0; i < rep.groups.size(); ++i) {
    TriageGroup& g = rep.groups[i];
    const std::string stem =
        (fs::path(out_dir) / absl::StrFormat("%02d-%s", i + 1, g.verdict))
            .string();
    const std::string text =
        absl::StrCat(PrintTrace(g.minimized), "# triage: ", g.signature,
                     "\n# from ", g.example, "\n");
    g.saved_path = stem + ".trace";
    if (!WriteOutput(g.saved_path, text)) return kExitBadInput;
    if (absl::StatusOr<Judgement> j = JudgeTrace(g.minimized, g.saved_path);
        j.ok()) {
      ExplainOptions eo;
      eo.trace_path = g.saved_path;
      g.picture_path = stem + ".svg";
      if (!WriteOutput(g.picture_path, ExplainSvg(g.minimized, *j, eo)))
        return kExitBadInput;
    }
    if (p.Has("--save") && g.known_as.empty() &&
        !WriteOutput(RegressFileName(*corpus, g.minimized), text))
      return kExitBadInput;
  }
  const std::string md_path = (fs::path(out_dir) / "report.md").string();
  if (!WriteOutput(md_path, TriageMarkdown(rep, dir))) return kExitBadInput;

  size_t failing = 0;
  std::string ids;
  for (size_t i = 0; i < rep.groups.size(); ++i) {
    const TriageGroup& g = rep.groups[i];
    failing += g.files.size();
    absl::StrAppend(&ids, ids.empty() ? "" : " ", g.verdict);
    std::cout << "group " << i + 1 << ": " << g.files.size() << " x "
              << g.signature
              << (g.known_as.empty() ? "  [new]"
                                     : "  [known: " + g.known_as + "]")
              << "\n  replay: lifecheck run " << g.saved_path << "\n";
    if (!g.picture_path.empty())
      std::cout << "  picture: " << g.picture_path << "\n";
  }
  for (const auto& [path, why] : rep.not_reproduced)
    std::cout << "does not reproduce: " << path << ": " << why << "\n";
  for (const auto& [path, why] : rep.bad)
    std::cout << "bad input: " << why << "\n";
  std::cout << "wrote " << md_path << "\n";
  std::cout << absl::StrFormat(
      "SUMMARY: lifecheck triage: %d inputs, %d failing in %d groups%s%s, "
      "%d do not reproduce, %d bad\n",
      paths.size(), failing, rep.groups.size(), ids.empty() ? "" : ": ", ids,
      rep.not_reproduced.size(), rep.bad.size());
  return rep.groups.empty() ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterTriage(Command{
    "triage", "[-o OUT_DIR] [--known DIR] [--save] [--minimize-all] DIR",
    "group crash files by signature, minimise one per group, summarise",
    "\nEvery file under DIR (recursively; hidden files, README.txt,\n"
    "manifests, crash files' FILE.trace sidecars and triage output skipped)\n"
    "is read as `lifecheck run` reads it — a text trace, or a crash file\n"
    "decoded by its sidecar or manifest — and judged by its own judge.\n"
    "Failing inputs are grouped by signature: the verdict, where it was\n"
    "found (the op.Step; the call where spec and impl part and what\n"
    "differs; the impl step) and the shape of the minimised trace (each\n"
    "thread's ops, threads sorted). Inputs are pre-grouped by verdict and\n"
    "site and only the smallest of each pre-group is minimised\n"
    "(--minimize-all minimises every input). An input whose judge finds\n"
    "nothing is listed as 'does not reproduce', with what judged it.\n"
    "\nFor each group it writes OUT_DIR/NN-ID.trace (minimised,\n"
    "self-describing) and OUT_DIR/NN-ID.svg (its picture) and prints\n"
    "'replay: lifecheck run OUT_DIR/NN-ID.trace'; OUT_DIR/report.md is the\n"
    "summary. A group is [known] when a trace of --known DIR (default: the\n"
    "repository's corpus/regress) has its signature, [new] otherwise. The\n"
    "last stdout line is 'SUMMARY: lifecheck triage: ...'.\n"
    "\noptions:\n"
    "  -o, --output OUT_DIR  where the traces, pictures and report.md go\n"
    "                        (default: DIR/lifecheck-triage)\n"
    "  --known DIR           traces of known findings (default: "
    "corpus/regress)\n"
    "  --save                also write each new group's trace to\n"
    "                        corpus/regress/<ID>-<hash>.trace\n"
    "  --corpus DIR          corpus/regress directory for --save\n"
    "  --minimize-all        minimise every failing input (exact signatures)\n"
    "\nexit: 0 nothing fails, 1 findings, 2 bad usage or DIR unreadable\n",
    CmdTriage, 42});

}  // namespace
}  // namespace lifecheck::cli
