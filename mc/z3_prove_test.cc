// Proofs by an inductive invariant (mc/z3_prove.h): a clean problem is
// proved and its certificate passes the independent check; a lying
// certificate fails it, naming the obligation; a buggy problem is not
// proved, and the z3 engine returns its replayed counterexample.
#include "mc/z3_prove.h"

#include <string>

#include "gtest/gtest.h"
#include "mc/clause_symmetry.h"
#include "mc/engine.h"
#include "mc/invariant.h"
#include "mc/scenario.h"
#include "mc/z3_certificate.h"
#include "mc/z3_test_util.h"

namespace lifecheck {
namespace {

Trace DaxTruncate(const std::string& policy, int pages, int pinners) {
  absl::StatusOr<Trace> t = BuildScenario(
      "dax-truncate", pages, pinners,
      policy.empty() ? std::vector<PolicySetting>{}
                     : std::vector<PolicySetting>{{"dax_truncate", policy}});
  EXPECT_TRUE(t.ok()) << t.status();
  return *t;
}

Invariant Parse(const std::string& text) {
  absl::StatusOr<Invariant> inv = ParseInvariant(text, "<certificate>");
  EXPECT_TRUE(inv.ok()) << inv.status();
  return *inv;
}

class Z3Prove : public ::testing::Test {
 protected:
  // Proved once per test process (ctest runs each test in its own):
  // dax-truncate WAIT with one pinner (th[0] P0, th[1] T, th[2] C), 0.5 s
  // of CPU; tools/cli_test.sh proves and re-checks the 2-pinner problem.
  static void SetUpTestSuite() {
    problem_ = new Trace(DaxTruncate("", 1, 1));
    proof_ = new McResult(ProveByInvariant(*problem_, ProveOptions{}));
  }
  static void TearDownTestSuite() {
    delete problem_;
    delete proof_;
  }
  static Trace* problem_;
  static McResult* proof_;
};
Trace* Z3Prove::problem_ = nullptr;
McResult* Z3Prove::proof_ = nullptr;

TEST_F(Z3Prove, CleanProblemIsProvedWithACheckedCertificate) {
  ASSERT_EQ(proof_->verdict, McVerdict::kProved);
  ASSERT_FALSE(proof_->certificate.empty());
  const Invariant inv = Parse(proof_->certificate);
  // Learned clauses (with conditions) and the safety clauses are there.
  bool learned = false, violation = false, deadlock = false;
  for (const InvClause& c : inv.clauses) {
    learned = learned || !c.when.empty();
    deadlock = deadlock || c.field == InvClause::kNoDeadlock;
    violation = violation ||
                (!c.is_property() && inv.terms.name(c.field) == "violation" &&
                 c.values == std::vector<int>{0});
  }
  EXPECT_TRUE(learned && violation && deadlock);
  const CertificateCheck cc = CheckCertificate(*problem_, inv, 0);
  EXPECT_TRUE(cc.ok) << cc.why;
}

TEST_F(Z3Prove, LyingCertificatesAreRejected) {
  ASSERT_EQ(proof_->verdict, McVerdict::kProved);
  const std::string text = proof_->certificate;
  struct Lie {
    const char* what;
    std::string text;
    const char* obligation;
  } lies[] = {
      // A clause false in the initial world.
      {"false initially", text + "inode[1].size in {0}\n", "initiation:"},
      // True initially, false later: T (thread 1) never gets past its first
      // step.
      {"not inductive", text + "th[1].pc in {0}\n", "consecution:"},
      // Only the safety claims: nothing keeps a reachable world out of them.
      {"too weak", "violation in {0}\nno-deadlock\n", "consecution:"},
      // Nothing at all: a bad world satisfies it.
      {"no safety", "th[1].pc in {0, 1, 2, 3, 4}\n", "safety:"},
  };
  for (const Lie& lie : lies) {
    const CertificateCheck cc = CheckCertificate(*problem_, Parse(lie.text), 0);
    EXPECT_FALSE(cc.ok) << lie.what;
    EXPECT_EQ(cc.why.rfind(lie.obligation, 0), 0u)
        << lie.what << ": " << cc.why;
  }
  // Every learned clause dropped: the value sets alone are not inductive.
  std::string unlearned;
  for (size_t b = 0, e; b < text.size(); b = e + 1) {
    e = text.find('\n', b);
    const std::string line = text.substr(b, e - b);
    if (line.find("->") == std::string::npos) unlearned += line + "\n";
  }
  EXPECT_FALSE(CheckCertificate(*problem_, Parse(unlearned), 0).ok);
  // The true invariant of WAIT, offered for NONE (same threads, truncate
  // without the wait): NONE frees a pinned block, so no invariant of it
  // may pass.
  EXPECT_FALSE(CheckCertificate(DaxTruncate("none", 1, 1), Parse(text), 0).ok);
}

TEST(Z3ProveBuggy, CounterexampleIsNotProvedAndZ3FindsItsOwn) {
  const Trace p = DaxTruncate("none", 1, 1);
  const McResult r = ProveByInvariant(p, ProveOptions{});
  EXPECT_EQ(r.verdict, McVerdict::kCounterexample);
  EXPECT_EQ(r.inv, Inv::kDax1);
  EXPECT_GT(r.bound, 0);  // the sample's shortest counterexample
  EXPECT_TRUE(r.certificate.empty());
  McEngineFn z3 = FindMcEngine("z3");
  ASSERT_NE(z3, nullptr);
  const McResult w = z3(p, McOptions{});
  test::ExpectReplays(w, "z3 engine, dax-truncate none 1x1");
  EXPECT_EQ(w.bound, r.bound);
}

TEST(ClauseSymmetry, ALearnedClauseComesWithItsImages) {
  const Trace p = DaxTruncate("", 1, 3);
  const ClauseSymmetry sym(p);
  Terms t;
  // th[0..2] are the pinners: one orbit of pcs.
  bool pcs = false;
  for (const auto& o : sym.field_orbits())
    pcs = pcs || (o.size() == 3 && t.name(o[0]) == "th[0].pc");
  EXPECT_TRUE(pcs);
  const InvClause c{
      {{t.FindField("th[0].pc"), {2}}}, t.FindField("pin[0].held"), {0}};
  const std::vector<InvClause> orbit = sym.Orbit(t, c);
  ASSERT_EQ(orbit.size(), 3u);
  EXPECT_EQ(PrintClause(orbit[0], t),
            "th[0].pc == 2 -> pin[0].held in {false}");
  bool two = false;
  for (const InvClause& k : orbit)
    two = two || PrintClause(k, t) == "th[2].pc == 2 -> pin[2].held in {false}";
  EXPECT_TRUE(two);
}

}  // namespace
}  // namespace lifecheck
