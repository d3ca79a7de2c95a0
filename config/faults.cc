#include "config/faults.h"

namespace lifecheck {
namespace {

struct FaultKnob {
  std::string_view name;
  bool Faults::*flag;
};
// The one table of fault names: the trace parser, the printer, the fuzzers'
// LIFECHECK_FAULT and the CLI all read it.
constexpr FaultKnob kFaultKnobs[] = {
    {"unpin_drops_one", &Faults::unpin_drops_one},
    {"truncate_skips_wait", &Faults::truncate_skips_wait},
    {"dma_reports_efault", &Faults::dma_reports_efault},
};

}  // namespace

bool AddFaultByName(std::string_view name, Faults* f) {
  for (const FaultKnob& k : kFaultKnobs) {
    if (name == k.name) {
      f->*k.flag = true;
      return true;
    }
  }
  return false;
}

std::string KnownFaultNames() {
  std::string out;
  for (const FaultKnob& k : kFaultKnobs) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

std::vector<std::string> FaultNameList(const Faults& f) {
  std::vector<std::string> out;
  for (const FaultKnob& k : kFaultKnobs)
    if (f.*k.flag) out.emplace_back(k.name);
  return out;
}

std::string FaultNames(const Faults& f) {
  std::string out;
  for (const std::string& n : FaultNameList(f)) {
    if (!out.empty()) out += ",";
    out += n;
  }
  return out;
}

}  // namespace lifecheck
