// `lifecheck triage`: group a directory of crash files / traces by
// signature, minimise one per group, write a markdown summary.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/findings/minimize.h"
#include "harness/findings/oracles.h"
#include "harness/findings/triage.h"
#include "tools/cli.h"
#include "tools/corpus_dir.h"

namespace lifecheck::cli {
namespace {

namespace fs = std::filesystem;

// Regular files under `dir`, recursively, sorted; hidden files and AFL++'s
// README.txt are skipped. False if `dir` is not a readable directory.
bool CollectInputs(const std::string& dir, std::vector<std::string>* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (const fs::recursive_directory_iterator end; it != end;
       it.increment(ec)) {
    if (ec) return false;
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::error_code fec;
    if (it->is_regular_file(fec) && name != "README.txt")
      out->push_back(it->path().string());
  }
  std::sort(out->begin(), out->end());
  return true;
}

int CmdTriage(const Args& args) {
  const Command& c = *FindCommand("triage");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args,
                 {{{"--output", "-o"}, true},
                  {{"--save"}},
                  {{"--corpus"}, true},
                  {{"--minimize-all"}},
                  {{"--oracle"}, true}},
                 &p, &rc))
    return rc;
  if (p.operands.size() != 1)
    return UsageError("triage: exactly one directory expected", &c);
  const std::string& dir = p.operands[0];
  absl::StatusOr<Oracle> oracle = OracleByName(p.Value("--oracle", "spec"));
  if (!oracle.ok())
    return UsageError(std::string(oracle.status().message()), &c);
  std::vector<std::string> paths;
  if (!CollectInputs(dir, &paths)) {
    std::cerr << "lifecheck: " << dir << ": not a readable directory\n";
    return kExitBadInput;
  }
  TriageOptions opts;
  opts.minimize_all = p.Has("--minimize-all");
  TriageReport rep = Triage(paths, *oracle, opts);

  if (p.Has("--save")) {
    absl::StatusOr<std::string> corpus =
        CorpusRegressDir(p.Value("--corpus", ""));
    if (!corpus.ok()) {
      std::cerr << "lifecheck: triage --save: " << corpus.status().message()
                << "\n";
      return kExitBadInput;
    }
    for (TriageGroup& g : rep.groups) {
      if (g.verdict.rfind("DIFF-", 0) == 0) continue;  // not a spec verdict
      g.saved_path = RegressFileName(*corpus, g.minimized);
      const std::string text =
          absl::StrCat(PrintTrace(g.minimized), "# triage: ", g.signature,
                       "\n# from ", g.example, "\n");
      if (!WriteFile(g.saved_path, text)) {
        std::cerr << "lifecheck: " << g.saved_path << ": cannot write\n";
        return kExitBadInput;
      }
    }
  }
  const std::string md = TriageMarkdown(rep, dir);
  size_t failing = 0;
  for (const TriageGroup& g : rep.groups) failing += g.files.size();
  std::string ids;
  for (const TriageGroup& g : rep.groups)
    absl::StrAppend(&ids, ids.empty() ? "" : " ", g.verdict);
  const std::string summary = absl::StrFormat(
      "SUMMARY: lifecheck triage: %d inputs, %d failing in %d groups%s%s, "
      "%d clean, %d bad",
      paths.size(), failing, rep.groups.size(), ids.empty() ? "" : ": ", ids,
      rep.clean.size(), rep.bad.size());
  if (p.Has("--output")) {
    if (!WriteFile(p.Value("--output", ""), md)) {
      std::cerr << "lifecheck: " << p.Value("--output", "")
                << ": cannot write\n";
      return kExitBadInput;
    }
    for (size_t i = 0; i < rep.groups.size(); ++i)
      std::cout << "group " << i + 1 << ": " << rep.groups[i].files.size()
                << " x " << rep.groups[i].signature << "\n";
    std::cout << "wrote " << p.Value("--output", "") << "\n";
  } else {
    std::cout << md << "\n";
  }
  std::cout << summary << "\n";
  return rep.groups.empty() ? kExitOk : kExitFinding;
}

const RegisterCommand kRegisterTriage(Command{
    "triage", "[-o SUMMARY.md] [--save] [--minimize-all] [--oracle O] DIR",
    "group crash files by signature, minimise one per group, summarise",
    "\nEvery file under DIR (recursively; hidden files and README.txt\n"
    "skipped) is read as a text trace or a binary trace / crash file\n"
    "(LIFECHECK_CONFIG as for the fuzzer), and replayed. Failing inputs are\n"
    "grouped by\n"
    "signature: the verdict plus the shape of the minimised trace (each\n"
    "thread's ops, threads sorted) and the op.Step of the finding. Inputs\n"
    "are pre-grouped by verdict and finding step and only the smallest of\n"
    "each pre-group is minimised (--minimize-all minimises every input).\n"
    "The markdown summary lists each group with its files, minimised trace\n"
    "and replay commands; unreadable inputs and inputs that do not fail are\n"
    "listed too. The last stdout line is 'SUMMARY: lifecheck triage: ...'.\n"
    "\noptions:\n"
    "  -o, --output FILE   write the summary to FILE (default: stdout)\n"
    "  --save              write each group's minimised trace to\n"
    "                      corpus/regress/<ID>-<hash>.trace\n"
    "  --corpus DIR        corpus/regress directory for --save\n"
    "  --minimize-all      minimise every failing input (exact signatures)\n"
    "  --oracle spec|diff  judge inputs on the spec (default) or with the\n"
    "                      differential runner (finds DIFF-* groups; --save\n"
    "                      skips those: corpus/regress holds spec verdicts)\n"
    "\nexit: 0 nothing fails, 1 findings, 2 bad usage or DIR unreadable\n",
    CmdTriage, 42});

}  // namespace
}  // namespace lifecheck::cli
