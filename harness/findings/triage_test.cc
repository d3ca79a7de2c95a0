#include "harness/findings/triage.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "harness/findings/artefact.h"
#include "harness/findings/minimize.h"
#include "harness/run/call_order.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"
#include "props/pad.h"

namespace lifecheck {
namespace {

namespace fs = std::filesystem;

std::string Corpus(const std::string& name) {
  return std::string(LIFECHECK_SOURCE_DIR) + "/corpus/regress/" + name;
}

const TriageGroup* Find(const TriageReport& r, const std::string& prefix) {
  for (const TriageGroup& g : r.groups)
    if (g.signature.rfind(prefix, 0) == 0) return &g;
  return nullptr;
}

// Every kind of artefact in one directory: text traces (spec-judged and an
// impl-schedule finding), a diff_fuzzer crash file without a manifest, and
// one under a manifest that says it came from a run with a planted fault.
TEST(Triage, GroupsEveryKindOfFindingBySignature) {
  const fs::path dir = fs::path(testing::TempDir()) / "triage_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "fuzz");
  absl::StatusOr<Trace> mk =
      ReadTraceFile(Corpus("001-mkwrite-old-vs-writeback.trace"));
  ASSERT_TRUE(mk.ok());
  // Two padded copies of one race (different padding): one group.
  for (int seed : {1, 2}) {
    absl::StatusOr<Trace> p = PadTrace(*mk, 40 + seed, seed, JudgeOracle());
    ASSERT_TRUE(p.ok());
    std::ofstream(dir / ("mk" + std::to_string(seed) + ".trace"))
        << PrintTrace(*p);
  }
  fs::copy(Corpus("000-double-discard.trace"), dir / "dd.trace");
  fs::copy(Corpus("000-double-discard-fixed.trace"), dir / "clean.trace");
  fs::copy(Corpus("003-zap-without-ptl-impl.trace"), dir / "zap.trace");
  std::ofstream(dir / "bad.trace") << "lifecheck-trace v1\nthread A: frob\n";
  // A binary crash file of the DAX truncate race, no manifest: a free
  // diff_fuzzer input.
  fs::copy(std::string(LIFECHECK_SOURCE_DIR) +
               "/corpus/diff_fuzzer/003-truncate-none-pinned.bin",
           dir / "crash-dax");
  // An impl bug only the planted fault shows: its manifest says so.
  absl::StatusOr<Trace> unpin = ParseTrace(R"(lifecheck-trace v1
config fs=dax files=1 pages=1 ptes=1 pins=1
thread A: fault pte=0 file=1 index=0
thread A: pin pin=0 pte=0
thread A: unpin pin=0
)",
                                           "u");
  ASSERT_TRUE(unpin.ok());
  FuzzRun run;
  run.faults.unpin_drops_one = true;
  ASSERT_TRUE(WriteManifest((dir / "fuzz").string(), run).ok());
  std::ofstream(dir / "fuzz" / "crash-unpin", std::ios::binary)
      << EncodeTrace(*unpin);
  // The same bytes elsewhere, with no manifest: they reproduce nothing.
  std::ofstream(dir / "crash-unpin-elsewhere", std::ios::binary)
      << EncodeTrace(*unpin);

  std::vector<std::string> paths;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != kManifestName)
      paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  TriageOptions opts;
  opts.known = {Corpus("001-mkwrite-old-vs-writeback.trace")};
  TriageReport r = Triage(paths, opts);
  EXPECT_EQ(r.groups.size(), 5u);
  EXPECT_EQ(r.bad.size(), 1u);
  ASSERT_EQ(r.not_reproduced.size(), 2u);
  EXPECT_NE(r.not_reproduced[0].second.find("judge "), std::string::npos);

  const TriageGroup* diff = Find(r, "DIFF-STATE at call unpin [pg.refcount]");
  ASSERT_NE(diff, nullptr);
  EXPECT_EQ(diff->minimized.judge, Judge::kDiff);
  EXPECT_TRUE(diff->minimized.faults.unpin_drops_one);
  EXPECT_LE(NumCalls(diff->minimized), 3);
  const TriageGroup* zap = Find(r, "I-DAX-1 at impl ");
  ASSERT_NE(zap, nullptr);
  EXPECT_EQ(zap->minimized.judge, Judge::kSched);
  const TriageGroup* dax = Find(r, "I-DAX-1 at truncate.DaxTruncFree");
  ASSERT_NE(dax, nullptr);
  EXPECT_EQ(dax->files.size(), 1u);
  EXPECT_NE(Find(r, "I-DC-2 at "), nullptr);
  const TriageGroup* pg = Find(r, "I-PG-1 at ");
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->files.size(), 2u);
  EXPECT_EQ(NumCalls(pg->minimized), 3);
  EXPECT_EQ(pg->signature,
            "I-PG-1 at write_fault.WfSetPte | fault,write_fault / writeback");
  EXPECT_EQ(pg->known_as, Corpus("001-mkwrite-old-vs-writeback.trace"));
  EXPECT_EQ(diff->known_as, "");
  const std::string md = TriageMarkdown(r, dir.string());
  EXPECT_NE(md.find("5 groups"), std::string::npos) << md;
  EXPECT_NE(md.find("do not reproduce"), std::string::npos) << md;
  EXPECT_NE(md.find("\\|"), std::string::npos) << "table cells escape '|'";
}

}  // namespace
}  // namespace lifecheck
