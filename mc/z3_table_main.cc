// lifecheck_z3_table: the figures of docs/performance.md ("Model checking
// (Z3)").
//
//   lifecheck_z3_table                 the dax-truncate table (markdown)
//   lifecheck_z3_table --max 2         ... pages x pinners up to 2x2
//   lifecheck_z3_table --policy NONE --min 3   ... only NONE 3x3
//   lifecheck_z3_table --naive         ... without POR and symmetry
//   lifecheck_z3_table --logic QF_LIA  ... with that Z3 solver
//   lifecheck_z3_table FILE.trace...   one line per trace (schedule dropped)
//   ... --witness                      counterexample traces on stderr
//
// Each cell runs the z3 engine twice: BMC alone (to the shortest
// counterexample, or until no longer run exists), then BMC + k-induction.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mc/z3_bmc.h"
#include "mc/z3_pdr.h"
#include "mc/z3_problems.h"

namespace lifecheck {
namespace {

std::string Stat(const McResult& r, const std::string& key) {
  for (const auto& [k, v] : r.stats)
    if (k == key) return v;
  return "-";
}

std::string Cell(const McResult& r) {
  std::string v = McVerdictName(r.verdict);
  if (r.verdict == McVerdict::kCounterexample)
    v += " " + std::string(InvId(r.inv));
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s | %d | %.2f | %s", v.c_str(), r.bound,
                r.seconds, Stat(r, "cpu s").c_str());
  return buf;
}

bool g_bmc_only = false;
bool g_pdr = false;
bool g_witness = false;  // print each counterexample trace on stderr  // the
                         // proof column by Spacer instead of k-induction
void Row(const std::string& label, const Trace& p, const Z3Options& base) {
  Z3Options bmc = base;
  const McResult a = CheckZ3Bmc(p, bmc);
  if (g_witness && a.verdict == McVerdict::kCounterexample)
    std::fprintf(stderr, "%s\n", PrintTrace(a.counterexample).c_str());
  Z3Options ind = base;
  ind.prove = true;
  const McResult b = g_bmc_only ? a
                     : g_pdr    ? ProveZ3Pdr(p, ind)
                                : CheckZ3Bmc(p, ind);
  int steps = 0;
  for (const auto& calls : p.threads)
    for (const Call& c : calls)
      steps += static_cast<int>(StepsOf(c.op, p.config).size());
  std::printf("| %s | %zu | %d | %s/%s | %s | %s | %s |\n", label.c_str(),
              p.threads.size(), steps, Stat(a, "variable fields").c_str(),
              Stat(a, "fields").c_str(), Cell(a).c_str(), Cell(b).c_str(),
              Stat(a, "independent pairs").c_str());
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Z3Options o;
  o.timeout_s = 120;
  int max = 3;
  bool bmc_only = false;
  int min = 1;
  std::string only;  // one policy's rows
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--naive") {
      o.enc.por = o.enc.symmetry = false;
    } else if (a == "--policy" && i + 1 < argc) {
      only = argv[++i];
    } else if (a == "--min" && i + 1 < argc) {
      min = std::atoi(argv[++i]);
    } else if (a == "--int") {
      o.bits = 0;
      o.logic = "";
    } else if (a == "--bits" && i + 1 < argc) {
      o.bits = std::atoi(argv[++i]);
    } else if (a == "--functional") {
      o.functional = true;
    } else if (a == "--fresh-solvers") {
      o.incremental = false;
    } else if (a == "--termination-every" && i + 1 < argc) {
      o.termination_every = std::atoi(argv[++i]);
    } else if (a == "--witness") {
      g_witness = true;
    } else if (a == "--pdr") {
      g_pdr = true;
    } else if (a == "--progress") {
      o.progress = true;
    } else if (a == "--bmc-only") {
      bmc_only = true;
    } else if (a == "--no-por") {
      o.enc.por = false;
    } else if (a == "--no-symmetry") {
      o.enc.symmetry = false;
    } else if (a == "--max" && i + 1 < argc) {
      max = std::atoi(argv[++i]);
    } else if (a == "--logic" && i + 1 < argc) {
      o.logic = argv[++i];
    } else if (a == "--timeout" && i + 1 < argc) {
      o.timeout_s = std::atof(argv[++i]);
    } else if (!a.empty() && a[0] != '-') {
      files.push_back(a);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--naive|--no-por|--no-symmetry] "
                   "[--max N] [--logic L] [--timeout S] [FILE.trace...]\n",
                   argv[0]);
      return 2;
    }
  }
  g_bmc_only = bmc_only;
  std::printf(
      "| problem | threads | steps | var/all fields | BMC verdict | bound | "
      "wall s | cpu s | BMC+k-ind verdict | k | wall s | cpu s | indep pairs "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  if (!files.empty()) {
    for (const std::string& f : files) {
      absl::StatusOr<Trace> t = ReadTraceFile(f);
      if (!t.ok()) {
        std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
        return 2;
      }
      Trace p = *t;
      p.schedule.clear();
      Row(f.substr(f.rfind('/') + 1), p, o);
    }
    return 0;
  }
  const struct {
    const char* name;
    DaxTruncatePolicy pol;
  } pols[] = {{"NONE", DaxTruncatePolicy::kNone},
              {"EBUSY", DaxTruncatePolicy::kEbusy},
              {"WAIT", DaxTruncatePolicy::kWait}};
  for (const auto& pol : pols)
    for (int pages = min; pages <= max; ++pages)
      for (int pinners = min; pinners <= max; ++pinners)
        if (only.empty() || only == pol.name)
          Row(std::string(pol.name) + " " + std::to_string(pages) + "x" +
                  std::to_string(pinners),
              DaxTruncateProblem(pol.pol, pages, pinners), o);
  return 0;
}

}  // namespace
}  // namespace lifecheck

int main(int argc, char** argv) { return lifecheck::Main(argc, argv); }
