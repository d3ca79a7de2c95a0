#include "mc/z3_prove.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "mc/clause_symmetry.h"
#include "mc/inv_mine.h"
#include "mc/sym_domain.h"
#include "mc/z3_certificate.h"
#include "mc/z3_encoding.h"
#include "mc/z3_houdini.h"
#include "mc/z3_invariant.h"

namespace lifecheck {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string Secs(double s) { return absl::StrFormat("%.3f", s); }

}  // namespace

McResult ProveByInvariant(const Trace& problem, const ProveOptions& opts) {
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  auto left = [&] {
    return opts.timeout_s > 0 ? std::max(0.001, opts.timeout_s - Since(t0))
                              : 0.0;
  };
  auto note = [&](const std::string& what) {
    if (opts.progress)
      std::fprintf(stderr, "z3 prove: %s (%.2fs)\n", what.c_str(), Since(t0));
  };
  McResult res;
  std::vector<std::pair<std::string, std::string>>& st = res.stats;
  auto finish = [&](McVerdict v) {
    res.verdict = v;
    res.seconds = Since(t0);
    st.push_back({"cpu s", Secs(static_cast<double>(std::clock() - c0) /
                                CLOCKS_PER_SEC)});
    return res;
  };
  z3::context ctx;
  ScopedSymContext scope(ctx, 16);
  const Z3Encoding enc(ctx, problem, EncodingOptions{false, false});

  // 1. The reachable worlds.
  Terms terms;
  StateSample sample(terms, enc.cone());
  const McResult explored = SampleReachable(problem, left(), &sample);
  st.push_back({"cone of influence",
                absl::StrCat(enc.cone().size(), " of ",
                             enc.num_variable_fields(), " variable fields")});
  st.push_back({"sampled worlds", absl::StrCat(sample.states())});
  note(absl::StrCat("sampled ", sample.states(), " worlds"));
  if (explored.verdict != McVerdict::kVerified) {
    // A counterexample (or no complete sample): nothing to prove. The
    // counterexample's length tells BMC where to look.
    res.inv = explored.inv;
    res.bound = explored.bound;
    st.push_back({"sample", McVerdictName(explored.verdict)});
    return finish(explored.verdict == McVerdict::kCounterexample
                      ? McVerdict::kCounterexample
                      : McVerdict::kUnknown);
  }

  // 2. Candidates.
  const ClauseSymmetry sym(problem);
  std::vector<int> pcs;
  for (int t = 0; t < enc.num_threads(); ++t) pcs.push_back(enc.pc_field(t));
  AddCountTerms(sym, pcs, &terms, &sample);
  const std::vector<InvClause> cands = MineCandidates(sample);
  st.push_back(
      {"count terms", absl::StrCat(terms.size() - terms.num_fields())});
  st.push_back({"candidates", absl::StrCat(cands.size())});
  const double sample_s = Since(t0);

  // 3. Houdini with learning.
  Houdini h(enc, terms, sample, &sym);
  const HoudiniResult hr = h.Run(cands, left());
  const double houdini_s = Since(t0) - sample_s;
  note(absl::StrCat("houdini: ", hr.done ? "inductive" : "out of budget", ", ",
                    hr.kept.size(), " clauses (", hr.learned, " learned, ",
                    hr.dropped, " dropped), ", hr.queries, " queries"));
  st.push_back({"learned clauses", absl::StrCat(hr.learned)});
  st.push_back({"dropped clauses", absl::StrCat(hr.dropped)});
  st.push_back(
      {"houdini queries",
       absl::StrCat(hr.queries, " in ", hr.generations, " generations")});
  int safety = 0;
  for (const InvClause& c : hr.kept) safety += IsSafetyClause(enc, c);
  if (!hr.done || safety != 2) {
    st.push_back({"reason", hr.done ? "the inductive part excludes no bad world"
                                    : "budget"});
    return finish(McVerdict::kUnknown);
  }

  // 4. The certificate, re-checked from its text.
  // The header says what it is the invariant of: the problem's trace.
  std::vector<std::string> header{absl::StrCat(
      "lifecheck inductive invariant, ", hr.kept.size(), " clauses, of:")};
  Trace shown = problem;
  shown.schedule.clear();
  const std::vector<std::string> lines =
      absl::StrSplit(PrintTrace(shown), '\n', absl::SkipEmpty());
  for (const std::string& line : lines) header.push_back("  " + line);
  const std::string text = PrintInvariant(Invariant{terms, hr.kept}, header);
  absl::StatusOr<Invariant> back = ParseInvariant(text, "<certificate>");
  LC_CHECK(back.ok());  // the printer and the parser disagree: a bug
  const CertificateCheck cc = CheckCertificate(problem, *back, left());
  note(absl::StrCat("certificate check: ", cc.ok ? "ok" : cc.why));
  st.push_back({"certificate clauses", absl::StrCat(hr.kept.size())});
  st.push_back({"certificate check", cc.ok ? "ok" : cc.why});
  st.push_back({"sample s", Secs(sample_s)});
  st.push_back({"houdini s", Secs(houdini_s)});
  st.push_back({"check s", Secs(cc.seconds)});
  if (!cc.ok) {
    // Houdini's answer and the independent check disagree: a bug in one
    // of them, said loudly; never a proof.
    std::fprintf(stderr, "lifecheck: internal error in the z3 prover: %s\n",
                 cc.why.c_str());
    return finish(McVerdict::kUnknown);
  }
  res.certificate = text;
  return finish(McVerdict::kProved);
}

}  // namespace lifecheck
