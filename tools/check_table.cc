// `lifecheck check --table`: the explicit engine's figures for dax-truncate
// under the truncate policies, at pages x pinners from 1x1 to 3x3, with each
// reduction on and off, one worker. The output is the Markdown section of
// docs/performance.md; --write FILE replaces that section in FILE. (The
// comparison with SPIN is bench/spin-vs-explicit, in its own section.)
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mc/scenario.h"
#include "tools/check_common.h"

namespace lifecheck::cli {
namespace {

constexpr const char* kSection = "## Model checking (explicit)";

struct Mode {
  const char* name;
  McOptions opts;
};

std::vector<Mode> Modes() {
  McOptions bfs;  // BFS + symmetry (the default)
  McOptions bfs_nosym = bfs;
  bfs_nosym.symmetry = false;
  McOptions dfs = bfs;  // DFS + POR + symmetry
  dfs.bfs = false;
  McOptions dfs_nopor = dfs;
  dfs_nopor.por = false;
  McOptions dfs_none = dfs_nopor;
  dfs_none.symmetry = false;
  for (McOptions* o : {&bfs, &bfs_nosym, &dfs, &dfs_nopor, &dfs_none})
    o->timeout_s = 60;  // one worker: the figures compare modes
  return {{"bfs+sym", bfs},
          {"bfs", bfs_nosym},
          {"dfs+por+sym", dfs},
          {"dfs+sym", dfs_nopor},
          {"dfs", dfs_none}};
}

std::string Cell(const McResult& r) {
  std::string v = r.verdict == McVerdict::kCounterexample
                      ? std::string(InvId(r.inv))
                      : McVerdictName(r.verdict);
  return absl::StrCat(v, " / ", Stat(r, "states"), " / ",
                      FormatSeconds(r.seconds));
}

std::string Table() {
  std::ostringstream o;
  o << kSection << "\n\n"
    << "Regenerate: `build/default/lifecheck check --table --write "
       "docs/performance.md` (RelWithDebInfo, clang-14; one core of the "
       "2-core CI machine).\n\n"
    << "Scenario `dax-truncate` (`lifecheck check --list-scenarios`): K "
       "identical pinners, each on any of the N pages of a DAX file (fault "
       "through its own PTE, pin, munmap, dma, unpin), vs truncate to 0 vs "
       "a write reallocating any freed block, under `dax_truncate` = none / "
       "ebusy / wait; one worker (`--jobs 1`). Each cell: verdict / states "
       "stored / wall time. Modes: `bfs+sym` is the default (`lifecheck "
       "check`), `bfs` = `--no-symmetry`, `dfs+por+sym` = `--dfs`, `dfs+sym` "
       "= `--dfs --no-por`, `dfs` = `--dfs --no-por --no-symmetry`. A "
       "counterexample stops the search: its state count is what was stored "
       "until then, and BFS's is a shortest one.\n\n";
  const std::vector<Mode> modes = Modes();
  o << "| policy | N x K |";
  for (const Mode& m : modes) o << " " << m.name << " |";
  o << " bytes/state |\n|---|---|";
  for (size_t i = 0; i < modes.size(); ++i) o << "---|";
  o << "---|\n";
  for (const char* policy : {"none", "ebusy", "wait"}) {
    for (int pages = 1; pages <= 3; ++pages) {
      for (int pinners = 1; pinners <= 3; ++pinners) {
        absl::StatusOr<Trace> t = BuildScenario("dax-truncate", pages, pinners,
                                                {{"dax_truncate", policy}});
        if (!t.ok()) continue;
        o << "| " << policy << " | " << pages << "x" << pinners << " |";
        std::string bytes;
        for (const Mode& m : modes) {
          McEngineFn fn = FindMcEngine("explicit");
          const McResult r = fn(*t, m.opts);
          o << " " << Cell(r) << " |";
          if (bytes.empty()) bytes = Stat(r, "bytes/state");
          std::cerr << "table: " << policy << " " << pages << "x" << pinners
                    << " " << m.name << ": " << Cell(r) << "\n";
        }
        o << " " << bytes << " |\n";
      }
    }
  }
  o << "\nbytes/state (of the default mode) = everything the search holds "
       "(hash tables, state records with their parent and move label, the "
       "BFS layers at their peak, at allocated capacity) / states; `packed` "
       "is the exact packed width of one state (exact storage: lossless). "
       "Small searches are dominated by the fixed part.\n\n"
       "Reading the table: more pages are more work (each pinner chooses "
       "its page). Symmetry over the K identical pinners is the reduction "
       "that matters (up to K! fewer states; compare `bfs+sym` with `bfs`). "
       "POR (ample sets, docs/model-checking.md) saves a smaller share "
       "(compare `dfs+por+sym` with `dfs+sym`): most pinner steps change a "
       "refcount the always-invariants read (visible), and only steps "
       "independent of everything truncate and the reallocating write can "
       "still do qualify.\n";
  o << "\nEvery scenario variant (`lifecheck check --list-scenarios`) at its "
       "largest sizes, default mode (bfs+sym) and `--dfs` (dfs+por+sym):\n\n"
       "| scenario | N x K | policy | expected | bfs+sym | dfs+por+sym |\n"
       "|---|---|---|---|---|---|\n";
  for (const ScenarioInfo& sc : Scenarios()) {
    for (const ScenarioVariant& v : sc.variants) {
      absl::StatusOr<Trace> t =
          BuildScenario(sc.name, sc.max_pages, sc.max_pinners, v.policy);
      if (!t.ok()) continue;
      McEngineFn fn = FindMcEngine("explicit");
      const McResult bfs = fn(*t, modes[0].opts);  // one worker
      const McResult dfs = fn(*t, modes[2].opts);
      o << "| " << sc.name << " | " << sc.max_pages << "x" << sc.max_pinners
        << " | " << PolicyText(v.policy) << " | " << v.expect << " | "
        << Cell(bfs) << " | " << Cell(dfs) << " |\n";
      std::cerr << "table: " << sc.name << " " << PolicyText(v.policy) << ": "
                << Cell(bfs) << "\n";
    }
  }
  return o.str();
}

// Replaces the section (up to the next "## " heading) or appends it.
bool WriteSection(const std::string& path, const std::string& section) {
  std::string text;
  {
    std::ifstream in(path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
  }
  if (text.empty()) text = "# Performance\n\n";
  const size_t at = text.find(kSection);
  if (at == std::string::npos) {
    if (text.back() != '\n') text += "\n";
    text += "\n" + section;
  } else {
    size_t end = text.find("\n## ", at + 1);
    end = end == std::string::npos ? text.size() : end + 1;
    text.replace(at, end - at, section + (end < text.size() ? "\n" : ""));
  }
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int CheckTable(const Parsed& p) {
  const std::string table = Table();
  std::cout << table;
  const std::string path = p.Value("--write", "");
  if (!path.empty() && !WriteSection(path, table)) {
    std::cerr << "lifecheck: check: cannot write " << path << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace lifecheck::cli
