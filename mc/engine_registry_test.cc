// The engines register themselves from static objects in lifecheck_mc; a
// binary that only names the registry (like `lifecheck check --engine NAME`)
// must still find them, i.e. the library is linked whole (mc/CMakeLists.txt).
// This file deliberately includes no engine header.
#include "gtest/gtest.h"
#include "mc/engine.h"

namespace lifecheck {
namespace {

TEST(EngineRegistry, ExplicitIsRegisteredWithoutBeingNamed) {
  EXPECT_NE(FindMcEngine("explicit"), nullptr);
  EXPECT_EQ(FindMcEngine("no-such-engine"), nullptr);
  bool listed = false;
  for (const std::string& n : McEngineNames())
    listed = listed || n == "explicit";
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace lifecheck
