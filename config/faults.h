// Impl faults planted on purpose: each knob is a known one-line bug, so that
// tests and fuzzing runs can show the differential runner and the controlled
// scheduler catch the impl departing from the spec.
//
// The type lives here, beside the configuration, because a trace records the
// faults of the run that found it (`fault:` lines, docs/trace-format.md) and
// both impl copies — the production one and the scheduler's hooked one —
// take the same value (impl/kernel.h aliases it).
#ifndef LIFECHECK_CONFIG_FAULTS_H_
#define LIFECHECK_CONFIG_FAULTS_H_

#include <string>
#include <string_view>
#include <vector>

namespace lifecheck {

struct Faults {
  bool unpin_drops_one = false;  // unpin subtracts 1 instead of the pin bias
  bool truncate_skips_wait = false;  // DAX truncate frees busy blocks at once
  bool dma_reports_efault = false;   // dma_write returns -EFAULT on success
  bool operator==(const Faults&) const = default;
  bool any() const { return !(*this == Faults{}); }
};

// Sets the fault called `name` in *f; false for an unknown name.
bool AddFaultByName(std::string_view name, Faults* f);
// "unpin_drops_one, truncate_skips_wait, dma_reports_efault".
std::string KnownFaultNames();
// The names of the faults set in `f`, in table order.
std::vector<std::string> FaultNameList(const Faults& f);
// The same comma-separated ("" if none): LIFECHECK_FAULT's form.
std::string FaultNames(const Faults& f);

}  // namespace lifecheck

#endif  // LIFECHECK_CONFIG_FAULTS_H_
