// rapidcheck generators and failure dumps shared by the property tests
// (ctest label `props`): configurations, calls and traces that are valid by
// construction (ValidateConfig / ValidateCall), and the replay handle every
// failing property prints (STYLE habit: a replay command on every failure).
#ifndef LIFECHECK_PROPS_PROPS_GEN_H_
#define LIFECHECK_PROPS_PROPS_GEN_H_

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
#include "harness/trace/trace.h"
#include "rapidcheck.h"
#include "spec/program.h"

namespace lifecheck {

// Which policy knobs a generated configuration may set.
enum class Knobs { kMainline, kAny };

// Every size in its ConfigFields() range (pins forced to 0 off disk/dax),
// every policy knob at any value (kAny) or at its mainline default.
rc::Gen<Config> GenConfig(Knobs knobs);

// The ops every argument of which has a non-empty range under `cfg`
// (never empty: umount takes no argument).
std::vector<Op> CallableOps(const Config& cfg);
// A call valid under `cfg` (ValidateCall), among `ops` (default: all
// callable ones).
rc::Gen<Call> GenCall(const Config& cfg, std::vector<Op> ops = {});
// A call by one of `threads` logical threads.
rc::Gen<ThreadCall> GenThreadCall(const Config& cfg, int threads,
                                  std::vector<Op> ops = {});

// Any trace the text format can hold: valid config (any knobs, any ignore
// set), 1..kMaxThreads threads with identifier names, valid calls, a
// schedule of thread indices (not necessarily runnable: the parser does not
// run it), an expect header ("", "clean" or any ID).
rc::Gen<Trace> GenTextTrace();

// Writes `t` as text to a file named after `what` and the trace's content
// under $TMPDIR (or /tmp) and returns "trace written to PATH\nreplay: CMD
// PATH", CMD being e.g. "lifecheck run --diff". Call it from a failing
// property and RC_LOG the result: rapidcheck prints the log of the shrunk
// case next to its RC_PARAMS="reproduce=..." line.
std::string DumpFailure(const Trace& t, const std::string& what,
                        const std::string& replay_cmd);

// How rapidcheck shows generated values in a counterexample (found by ADL).
void showValue(const Config& c, std::ostream& os);
void showValue(const Call& c, std::ostream& os);
void showValue(const CallList& l, std::ostream& os);
void showValue(const Trace& t, std::ostream& os);

}  // namespace lifecheck

#endif  // LIFECHECK_PROPS_PROPS_GEN_H_
