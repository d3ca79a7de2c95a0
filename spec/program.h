// Operations, their atomic steps, and a thread's flattened program.
//
// A thread's calls are flattened into one instruction list: call c with an op
// of n steps contributes n instructions. The thread's pc indexes this list, so
// "which call, which step" is one integer — the same in the concrete and the
// symbolic domain. Step lists can depend on the configuration (a DAX truncate
// is not a page-cache truncate), never on state.
#ifndef LIFECHECK_SPEC_PROGRAM_H_
#define LIFECHECK_SPEC_PROGRAM_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace lifecheck {

// Argument kinds: what range an argument must be in for a configuration.
enum class ArgKind : uint8_t {
  kDentry,
  kFile,
  kIndex,
  kSize,
  kPte,
  kPin,
  kEvent
};

// Every operation a thread can call. spec/program.cc holds the table of names,
// arguments and summaries (GetOpInfo).
enum class Op : uint8_t {
  kLookup,
  kDput,
  kDiscard,
  kUnlink,
  kUmount,
  kIgrab,
  kIput,
  kEvLookup,
  kEvRemove,
  kEvOpen,
  kEvClose,
  kFault,
  kWriteFault,
  kStore,
  kWriteback,
  kTruncate,
  kMunmap,
  kAlloc,
  kPin,
  kPinLongterm,
  kPinFast,
  kDma,
  kUnpin,
  kReap,
  kBreakWork,
  kBreakLease,
  kRemoveWork,
  kEvFormat,
  kStat,
  kUnpinDirty,
  kShrinkDcache,
  kPruneIcache,
  kWritebackSync,
  kCount
};

inline constexpr int kMaxArgs = 3;

struct OpInfo {
  Op op;
  std::string_view name;
  int nargs;
  std::array<std::string_view, kMaxArgs> arg_names;
  std::array<ArgKind, kMaxArgs> arg_kinds;
  std::string_view summary;
};
const OpInfo& GetOpInfo(Op op);
bool ParseOp(std::string_view name, Op* out);

struct Call {
  Op op = Op::kLookup;
  std::array<int16_t, kMaxArgs> args{};
  bool operator==(const Call&) const = default;
};

// The values an argument of `kind` may take under `cfg`: [lo, hi]; hi < lo
// when the configuration has no such object. The one range table that
// validation, decoding and generators share.
struct ArgRange {
  int lo, hi;
  int size() const { return hi - lo + 1; }
};
ArgRange ArgRangeOf(ArgKind kind, const Config& cfg);

// Empty if every argument of `c` is in range for `cfg`, else a message.
std::string ValidateCall(const Call& c, const Config& cfg);

// Every atomic step of every op. The step functions live in spec/*_steps.h;
// spec/step_table.h maps each enumerator to its function.
// clang-format off
#define LC_STEP_NAMES(X) \
  X(LookupGet) \
  X(DputFast) \
  X(DputSlow) \
  X(DentryKill) \
  X(IputDec) \
  X(EvictBarrier) \
  X(EvictWait) \
  X(EvictFree) \
  X(DiscardFlag) \
  X(UnlinkNlink) \
  X(KillSbQuiesce) \
  X(UmountLitter) \
  X(UmountShrink) \
  X(UmountCheck) \
  X(UmountEvict) \
  X(RmWorkGet) \
  X(RmWorkDiscard) \
  X(RmWorkDput) \
  X(IgrabGet) \
  X(EvLookupInst) \
  X(EvLookupPut) \
  X(EvRemoveDir) \
  X(EvOpenWalk) \
  X(EvOpenRevalidate) \
  X(EvOpenGet) \
  X(EvOpenCallback) \
  X(EvCloseRelease) \
  X(EvFormatRead) \
  X(EvFormatRelease) \
  X(FaultMap) \
  X(WfGetPage) \
  X(WfMkwrite) \
  X(WfLockPage) \
  X(WfSetPte) \
  X(WfWaitLocked) \
  X(WfSetDirty) \
  X(WfUnlock) \
  X(StoreUser) \
  X(WbLockClean) \
  X(WbWaitWriteback) \
  X(WbStartIo) \
  X(WbIoDone) \
  X(TruncSetSize) \
  X(TruncLockPage) \
  X(TruncInvalidate) \
  X(TruncUnmapAgain) \
  X(DaxScanUnmap) \
  X(DaxScan) \
  X(DaxWaitIdle) \
  X(DaxBreakLeases) \
  X(DaxWaitLeases) \
  X(DaxTruncFree) \
  X(MunmapZap) \
  X(AllocBlock) \
  X(PinLeaseSetup) \
  X(PinLockPtl) \
  X(PinGrab) \
  X(PinFaultMap) \
  X(PinLeasePages) \
  X(PinLeaseUnlink) \
  X(PinLeaseFail) \
  X(PinFastRead) \
  X(PinFastGrab) \
  X(PinFastRecheck) \
  X(DmaWrite) \
  X(UnpinPut) \
  X(UnpinDirty) \
  X(ShrinkDentry) \
  X(PruneIsolate) \
  X(ReapQueued) \
  X(ReapBreak) \
  X(ReapWait) \
  X(ReapPut) \
  X(BreakWorkQueued) \
  X(BreakWorkWait) \
  X(BreakWorkUnlock) \
  X(BreakWorkUnlink) \
  X(BreakWorkPut)
// clang-format on

enum class Step : uint8_t {
#define LC_STEP_ENUM(e) k##e,
  LC_STEP_NAMES(LC_STEP_ENUM)
#undef LC_STEP_ENUM
      kCount
};
std::string_view StepName(Step s);  // "DputFast"

// A work item's first step waits for the item to be queued (a kworker
// with nothing queued is idle, not stuck): a thread blocked there has no
// work left. Every engine counts such a thread as finished when it decides
// DEADLOCK (spec/exec.h SpecExec::idle).
bool IsIdleWaitStep(Step s);
bool IsIdleWaitStep(std::string_view step_name);

// A sleep that re-checks its condition when woken (wait_var_event,
// folio_wait_writeback, a delayed work's poll): a condition that holds only
// between other threads' steps may never be seen, so the waiter is owed
// weak fairness only. Every other wait is a lock (mutex, rwsem, spinlock,
// folio lock) whose release hands it to a waiter: strong fairness
// (docs/liveness.md "Fairness").
bool IsConditionWaitStep(Step s);

// The steps of `op` under `cfg`, in program order.
const std::vector<Step>& StepsOf(Op op, const Config& cfg);
// StepsOf(op, cfg) for every op, indexed by op: a caller that looks up many
// calls of one configuration finds the row once.
const std::vector<Step>* StepLists(const Config& cfg);
// Position of `s` in StepsOf(op, cfg), or -1.
int StepIndex(Op op, const Config& cfg, Step s);

// One instruction of a flattened thread program.
struct Insn {
  Op op;
  Step step;
  int16_t k;     // position of `step` within the op's steps
  int16_t len;   // number of steps of the op
  int16_t base;  // pc of the call's first step
  int16_t call;  // index of the call within the thread
  std::array<int16_t, kMaxArgs> args;
  // Where the thread goes when the call returns; -1: base + len, the next
  // instruction. A call that is one alternative of a choice returns to
  // where the alternatives meet again (spec/thread_body.h).
  int16_t ret_to = -1;

  int return_pc() const { return ret_to >= 0 ? ret_to : base + len; }
};

// A point where a thread waits with more than one possible next call: a
// choice between calls, or the end of an optional repeat (spec/
// thread_body.h). It is a pseudo-instruction at its own pc that no step
// runs: the thread leaves it by taking the first step of one of `targets`
// (the choice is resolved at that step), or, if `may_end`, it may also stop
// there. Programs of concrete calls have none.
struct Junction {
  std::vector<int16_t> targets;  // pcs of first steps of calls
  bool may_end = false;
  bool operator==(const Junction&) const = default;
};

// A thread's flattened program: its instructions, of which the junctions
// (step == Step::kCount, args[0] = index into `junctions`) are pseudo-
// instructions. Indexed by pc like the instruction list it wraps.
struct ThreadProgram {
  std::vector<Insn> insns;
  std::vector<Junction> junctions;

  size_t size() const { return insns.size(); }
  bool empty() const { return insns.empty(); }
  const Insn& operator[](size_t pc) const { return insns[pc]; }
  const Insn& back() const { return insns.back(); }
  std::vector<Insn>::const_iterator begin() const { return insns.begin(); }
  std::vector<Insn>::const_iterator end() const { return insns.end(); }
  // The junction at `pc`, or nullptr for an instruction a step runs.
  const Junction* junction(int pc) const {
    const Insn& in = insns[pc];
    return in.step == Step::kCount ? &junctions[in.args[0]] : nullptr;
  }
  bool has_junctions() const { return !junctions.empty(); }
  // Empties the program, keeping the capacity (SpecExec reuses buffers).
  void clear() {
    insns.clear();
    junctions.clear();
  }
};

ThreadProgram Flatten(const std::vector<Call>& calls, const Config& cfg);
// Appends call `c` (the thread's next call) to `prog`: what Flatten does for
// each call in turn.
void AppendCall(ThreadProgram& prog, const Call& c, const Config& cfg);

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_PROGRAM_H_
