#include "mc/engine.h"

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

}  // namespace lifecheck
