#include "mc/engine.h"

#include <map>

namespace lifecheck {

const char* McVerdictName(McVerdict v) {
  switch (v) {
    case McVerdict::kCounterexample:
      return "counterexample";
    case McVerdict::kVerified:
      return "verified";
    case McVerdict::kVerifiedToBound:
      return "verified-to-bound";
    case McVerdict::kProved:
      return "proved";
    case McVerdict::kUnknown:
      return "unknown";
  }
  return "?";
}

namespace {
std::map<std::string, McEngineFn>& Engines() {
  static std::map<std::string, McEngineFn> engines;
  return engines;
}
}  // namespace

RegisterMcEngine::RegisterMcEngine(const char* name, McEngineFn fn) {
  Engines()[name] = fn;
}

McEngineFn FindMcEngine(const std::string& name) {
  auto it = Engines().find(name);
  return it == Engines().end() ? nullptr : it->second;
}

std::vector<std::string> McEngineNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : Engines()) names.push_back(name);
  return names;
}

}  // namespace lifecheck
