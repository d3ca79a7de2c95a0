// The invariant text form: printing and parsing are inverse, clauses hold
// on the worlds they should, and bad input names its line and column.
#include "mc/invariant.h"

#include <string>

#include "gtest/gtest.h"

namespace lifecheck {
namespace {

TEST(Invariant, PrintParseRoundTrip) {
  Invariant inv;
  const int pc0 = inv.terms.FindField("th[0].pc");
  const int pc1 = inv.terms.FindField("th[1].pc");
  const int held = inv.terms.FindField("pin[0].held");
  const int rwsem = inv.terms.FindField("inode[1].rwsem");
  ASSERT_GE(pc0, 0);
  ASSERT_GE(held, 0);
  const int n = inv.terms.AddCount({{pc0, pc1}, 1, 3});
  const int h =
      inv.terms.AddCount({{held, inv.terms.FindField("pin[1].held")}, 1, 1});
  inv.clauses = {
      {{}, rwsem, {-1, 3}},
      {{{pc0, {2}}}, rwsem, {3}},
      {{{pc0, {1, 2, 3}}, {held, {1}}}, rwsem, {}},
      {{{n, {0}}}, h, {0}},
      {{}, InvClause::kNoDeadlock, {}},
      {{}, InvClause::kAlways, {}},
  };
  const std::string text = PrintInvariant(inv, {"a header"});
  EXPECT_NE(text.find("# a header\n"), std::string::npos);
  EXPECT_NE(text.find("th[0].pc == 2 -> inode[1].rwsem in {3}"),
            std::string::npos);
  EXPECT_NE(text.find("th[0].pc in {1, 2, 3} && pin[0].held == true -> "
                      "inode[1].rwsem in {}"),
            std::string::npos);
  EXPECT_NE(text.find("count{th[0].pc th[1].pc in 1..3} == 0 -> "
                      "count{pin[0].held pin[1].held in true} in {0}"),
            std::string::npos);
  absl::StatusOr<Invariant> back = ParseInvariant(text, "t.inv");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(PrintInvariant(*back, {"a header"}), text);
  ASSERT_EQ(back->clauses.size(), inv.clauses.size());
}

TEST(Invariant, HoldsOnAWorld) {
  Terms t;
  CWorld w{};
  w.th[0].pc = 2;
  w.th[1].pc = 7;
  w.ino[1].rwsem = 3;
  const std::vector<int> v = Terms::FieldValues(w);
  const int pc0 = t.FindField("th[0].pc"), pc1 = t.FindField("th[1].pc");
  const int rwsem = t.FindField("inode[1].rwsem");
  const int n = t.AddCount({{pc0, pc1}, 1, 3});
  EXPECT_EQ(t.Value(n, v), 1);
  EXPECT_TRUE(HoldsOn(t, {{{pc0, {2}}}, rwsem, {3}}, v));
  EXPECT_FALSE(HoldsOn(t, {{{pc0, {2}}}, rwsem, {-1}}, v));
  EXPECT_TRUE(HoldsOn(t, {{{pc0, {1}}}, rwsem, {-1}}, v));  // condition false
  EXPECT_FALSE(HoldsOn(t, {{}, n, {0, 2}}, v));
}

TEST(Invariant, BadInputNamesLineAndColumn) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"th[0].pc in {1}\nth[9].pc in {1}\n", "f.inv:2:1: unknown field"},
      {"th[0].pc == 1 && pg[0].st == 1\n", "f.inv:1:31: expected '&&' or '->'"},
      {"th[0].pc == 1 -> pg[0].st == 1\n", "f.inv:1:27: expected 'in'"},
      {"pin[0].held in {1}\n", "f.inv:1:17: expected true or false"},
      {"th[0].pc in {1, 2\n", "f.inv:1:18: expected ',' or '}'"},
      {"count{th[0].pc in 1} in {0}\n", "f.inv:1:18: a count needs two fields"},
      {"no-deadlock now\n", "f.inv:1:13: unexpected text after the clause"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Invariant> r = ParseInvariant(c.text, "f.inv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(std::string(r.status().message()).find(c.error),
              std::string::npos)
        << r.status() << " for " << c.text;
  }
  // Comments and blank lines are skipped; "inode..." is no "in".
  absl::StatusOr<Invariant> ok = ParseInvariant(
      "# c\n\ncount{inode[1].h_thr[0] inode[1].h_thr[1] in 1} "
      "in {0, 1}\n",
      "f.inv");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->clauses.size(), 1u);
}

}  // namespace
}  // namespace lifecheck
