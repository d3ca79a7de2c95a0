#include "harness/findings/triage.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "harness/findings/minimize.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

namespace fs = std::filesystem;

std::string Corpus(const std::string& name) {
  return std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress/" + name;
}

TEST(Triage, GroupsBySignatureAndMinimisesOnePerGroup) {
  const fs::path dir = fs::path(testing::TempDir()) / "triage_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  absl::StatusOr<Trace> mk =
      ReadTraceFile(Corpus("001-mkwrite-old-vs-writeback.trace"));
  ASSERT_TRUE(mk.ok());
  // Two padded copies of one race (different padding): one group.
  for (int seed : {1, 2}) {
    absl::StatusOr<Trace> p = PadTrace(*mk, 40 + seed, seed, SpecOracle());
    ASSERT_TRUE(p.ok());
    std::ofstream(dir / ("mk" + std::to_string(seed) + ".trace"))
        << PrintTrace(*p);
  }
  fs::copy(Corpus("000-double-discard.trace"), dir / "dd.trace");
  fs::copy(Corpus("000-double-discard-fixed.trace"), dir / "clean.trace");
  std::ofstream(dir / "bad.trace") << "lifecheck-trace v1\nthread A: frob\n";
  // A binary crash file (harness/trace/binary_trace.h) of the DAX truncate
  // race.
  fs::copy(std::string(LIFECHECK_SOURCE_DIR) +
               "/corpus/diff_fuzzer/003-truncate-none-pinned.bin",
           dir / "crash-dax");

  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir))
    paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  TriageReport r = Triage(paths, SpecOracle());
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.clean.size(), 1u);
  EXPECT_EQ(r.bad.size(), 1u);
  // Groups are sorted by signature: I-DAX-1 < I-DC-2 < I-PG-1.
  const TriageGroup& dax = r.groups[0];
  const TriageGroup& dd = r.groups[1];
  const TriageGroup& pg = r.groups[2];
  EXPECT_EQ(dd.verdict, "I-DC-2");
  EXPECT_EQ(dax.verdict, "I-DAX-1");
  EXPECT_EQ(dax.files.size(), 1u);
  EXPECT_EQ(pg.verdict, "I-PG-1");
  EXPECT_EQ(pg.files.size(), 2u);
  EXPECT_EQ(NumCalls(pg.minimized), 3);
  EXPECT_EQ(pg.signature,
            "I-PG-1 at write_fault.WfSetPte | fault,write_fault / writeback");
  const std::string md = TriageMarkdown(r, dir.string());
  EXPECT_NE(md.find("3 groups"), std::string::npos) << md;
  EXPECT_NE(md.find("lifecheck minimize"), std::string::npos);
  EXPECT_NE(md.find("\\|"), std::string::npos) << "table cells escape '|'";
}

}  // namespace
}  // namespace lifecheck
