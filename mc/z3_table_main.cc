// lifecheck_z3_table: the Z3 figures of docs/performance.md, side by side
// in one run: the explicit engine, the BMC encoding as it was before the
// proofs (z3-bmc without cone slicing: one scheduler variable and one full
// frame per step, deepened until no run is longer or a bound is bad), and
// the z3 engine (a proof by an inductive invariant, or BMC from the
// counterexample's length).
//
//   lifecheck_z3_table                      dax-truncate, 1x1..3x3, NONE EBUSY
//   WAIT lifecheck_z3_table --min 3 --max 3      ... only 3x3
//   lifecheck_z3_table --policy wait,ebusy  ... those dax_truncate values
//   lifecheck_z3_table --scenario NAME      ... another scenario's variants
//   lifecheck_z3_table --timeout S          per engine run (default 60)
//   lifecheck_z3_table --no-old             skip the old BMC column
//   lifecheck_z3_table --bmc                BMC alone (z3-bmc), frames sliced
//                                           to the cone vs whole frames
//
// CPU seconds are this process's (std::clock) around each engine call.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "mc/engine.h"
#include "mc/scenario.h"
#include "mc/z3_bmc.h"

namespace lifecheck {
namespace {

std::string Stat(const McResult& r, const std::string& key) {
  for (const auto& [k, v] : r.stats)
    if (k == key) return v;
  return "-";
}

std::string Verdict(const McResult& r) {
  std::string v = McVerdictName(r.verdict);
  if (r.verdict == McVerdict::kCounterexample)
    v += " " + std::string(InvId(r.inv)) + " @" + std::to_string(r.bound);
  if (r.verdict == McVerdict::kVerified || r.verdict == McVerdict::kUnknown)
    v += " @" + std::to_string(r.bound);
  return v;
}

template <class F>
double Cpu(F f) {
  const std::clock_t c0 = std::clock();
  f();
  return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
}

struct Args {
  std::string scenario = "dax-truncate";
  std::vector<std::string> policies;  // dax_truncate values, or variants
  int min = 1, max = 3;
  double timeout = 60;
  bool old = true;
  bool bmc = false;
};

int Steps(const Trace& p) {
  int steps = 0;
  for (const auto& calls : p.threads)
    for (const Call& c : calls)
      steps += static_cast<int>(StepsOf(c.op, p.config).size());
  return steps;
}

// --bmc: the cone slicing of BMC frames alone (EncodingOptions::cone), the
// same deepening BMC with and without it.
void BmcRow(const std::string& label, const Trace& p, const Args& a) {
  McResult r[2];
  double s[2];
  for (int cone = 0; cone < 2; ++cone) {
    Z3Options o;
    o.enc.cone = cone == 1;
    o.timeout_s = a.timeout;
    s[cone] = Cpu([&] { r[cone] = CheckZ3Bmc(p, o); });
  }
  std::printf(
      "| %s | %zu x %d | %s | %s | %.2f | %s | %.2f |\n", label.c_str(),
      p.threads.size(), Steps(p),
      (Stat(r[1], "cone of influence") + " of " + Stat(r[1], "variable fields"))
          .c_str(),
      Verdict(r[0]).c_str(), s[0], Verdict(r[1]).c_str(), s[1]);
  std::fflush(stdout);
}

void Row(const std::string& label, const Trace& p, const Args& a) {
  if (a.bmc) return BmcRow(label, p, a);
  McOptions eo;
  eo.timeout_s = a.timeout;
  McResult ex, z3, old;
  const double ex_s = Cpu([&] { ex = FindMcEngine("explicit")(p, eo); });
  const double z3_s = Cpu([&] { z3 = FindMcEngine("z3")(p, eo); });
  double old_s = 0;
  if (a.old) {
    Z3Options o;  // the engine as it was: POR, symmetry, no cone slicing
    o.enc.cone = false;
    o.timeout_s = a.timeout;
    old_s = Cpu([&] { old = CheckZ3Bmc(p, o); });
  }
  const int steps = Steps(p);
  const bool proved = z3.verdict == McVerdict::kProved;
  std::printf(
      "| %s | %zu x %d | %s / %s | %.1f | %s | %s | %.2f | %s | %s | %.2f | "
      "%.0fx | %s |\n",
      label.c_str(), p.threads.size(), steps, Verdict(ex).c_str(),
      Stat(ex, "states").c_str(), ex_s * 1000,
      a.old ? Verdict(old).c_str() : "(not run)",
      a.old ? absl::StrFormat("%.2f", old_s).c_str() : "-", z3_s,
      Verdict(z3).c_str(),
      proved ? (Stat(z3, "learned clauses") + " / " +
                Stat(z3, "certificate clauses"))
                   .c_str()
             : "-",
      proved ? std::atof(Stat(z3, "check s").c_str()) : 0.0,
      ex_s > 0 ? z3_s / ex_s : 0.0,
      a.old && old.verdict != McVerdict::kUnknown && z3_s > 0
          ? (std::to_string(static_cast<int>(old_s / z3_s + 0.5)) + "x").c_str()
          : "-");
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (s == "--scenario") {
      a.scenario = next();
    } else if (s == "--policy") {
      a.policies = absl::StrSplit(next(), ',');
    } else if (s == "--min") {
      a.min = std::atoi(next().c_str());
    } else if (s == "--max") {
      a.max = std::atoi(next().c_str());
    } else if (s == "--timeout") {
      a.timeout = std::atof(next().c_str());
    } else if (s == "--no-old") {
      a.old = false;
    } else if (s == "--bmc") {
      a.bmc = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--scenario NAME] [--policy V,V] [--min N] "
                   "[--max N] [--timeout S] [--no-old] [--bmc]\n",
                   argv[0]);
      return 2;
    }
  }
  const ScenarioInfo* sc = FindScenario(a.scenario);
  if (!sc) {
    std::fprintf(stderr, "unknown scenario %s\n", a.scenario.c_str());
    return 2;
  }
  // dax-truncate: the dax_truncate values asked for (NONE EBUSY WAIT by
  // default); any other scenario: its registered variants.
  std::vector<std::vector<PolicySetting>> pols;
  if (a.scenario == "dax-truncate") {
    if (a.policies.empty()) a.policies = {"none", "ebusy", "wait"};
    for (const std::string& v : a.policies)
      pols.push_back({{"dax_truncate", v}});
  } else {
    for (const ScenarioVariant& v : sc->variants) pols.push_back(v.policy);
  }
  if (a.bmc)
    std::printf(
        "| problem | threads x steps | variable fields in the cone | whole "
        "frames "
        "verdict | cpu s | cone verdict | cpu s |\n"
        "|---|---|---|---|---|---|---|\n");
  else
    std::printf(
        "| problem | threads x steps | explicit verdict / states | explicit "
        "cpu ms | old BMC verdict | old BMC cpu s | z3 cpu s | z3 verdict | "
        "learned / certificate clauses | certificate check s | z3 / explicit "
        "| old / z3 |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& pol : pols)
    for (int pages = std::max(a.min, 1);
         pages <= std::min(a.max, sc->max_pages); ++pages)
      for (int pinners = std::max(a.min, 1);
           pinners <= std::min(a.max, sc->max_pinners); ++pinners) {
        absl::StatusOr<Trace> t =
            BuildScenario(a.scenario, pages, pinners, pol);
        if (!t.ok()) {
          std::fprintf(stderr, "%s\n",
                       std::string(t.status().message()).c_str());
          return 2;
        }
        Row(PolicyText(pol) + " " + std::to_string(pages) + "x" +
                std::to_string(pinners),
            *t, a);
      }
  return 0;
}

}  // namespace
}  // namespace lifecheck

int main(int argc, char** argv) { return lifecheck::Main(argc, argv); }
