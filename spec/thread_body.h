// A thread's program when it may be any of several: calls with alternatives
// and repeats of a block (docs/trace-format.md "Choices"), bounded, or
// unbounded as the thread's last item (`repeat LO..*`: a thread that may go
// on for ever, the other side of a starvation, docs/liveness.md).
//
// `thread P: fault pte=0 file=1 index=0..2` is a call with three
// alternatives; `pin pin=0 pte=0 | munmap pte=0` is a choice between two
// calls; a repeat runs its block lo..hi times. A choice is resolved when the
// thread takes the first step of one alternative, never earlier: until then
// the thread waits at a junction (spec/program.h) and is blocked only if
// every alternative's first step is. So the model checker explores every
// resolution in one search, and a counterexample is a concrete trace: the
// calls the run took.
//
// Flattening lays every call of every alternative out once, as Flatten does
// for a list of calls, with a junction pseudo-instruction wherever a thread
// can wait with more than one possible next call. Where alternatives meet
// again (after a choice, after an optional copy of a repeat) their calls
// return to one pc, so two runs that took different alternatives and are
// back at the same point are in the same state.
#ifndef LIFECHECK_SPEC_THREAD_BODY_H_
#define LIFECHECK_SPEC_THREAD_BODY_H_

#include <vector>

#include "config/config.h"
#include "spec/program.h"

namespace lifecheck {

// One item of a thread's program: a call (with its alternatives), or a
// repeat of a block.
// A repeat's `hi` when its block may run for ever.
inline constexpr int kForever = -1;

struct BodyItem {
  std::vector<Call> alts;  // a call: its alternatives (>= 1); empty: repeat
  int lo = 0, hi = 0;      // a repeat: its block runs lo..hi (kForever) times
  std::vector<BodyItem> block;
  bool operator==(const BodyItem&) const = default;
  bool is_call() const { return !alts.empty(); }
};
using ThreadBody = std::vector<BodyItem>;

// The body of a list of concrete calls.
ThreadBody BodyOfCalls(const std::vector<Call>& calls);
// A single-alternative call: BodyItem{{c}}.
BodyItem CallItem(const Call& c);
// A choice between calls.
BodyItem ChoiceItem(std::vector<Call> alts);
// A repeat of `block`, lo..hi times (0 <= lo <= hi, or hi == kForever).
BodyItem RepeatItem(int lo, int hi, std::vector<BodyItem> block);
// The body runs for ever if it may: its last item is an unbounded repeat.
bool HasForever(const ThreadBody& body);

// Every item is a call with one alternative (no repeat): a list of calls.
bool IsConcrete(const ThreadBody& body);
// Their calls (requires IsConcrete).
std::vector<Call> CallsOfBody(const ThreadBody& body);

// The flattened program of `body` (see above). For a concrete body it is
// Flatten(CallsOfBody(body), cfg) exactly: no junction, every call returning
// to the next instruction. Insn::call numbers the laid-out calls, so a call
// of a loop body unrolled twice has two numbers. An unbounded repeat is laid
// out once more than its `lo`, its last call returning to the junction
// before its first: the program's one back edge.
ThreadProgram FlattenBody(const ThreadBody& body, const Config& cfg);

// The thread may stop at `pc`: it is past its last instruction, or at a
// junction that allows it.
bool MayStop(const ThreadProgram& prog, int pc);

// The concrete calls of a run of `prog`: `executed` lists the pcs of the
// instructions the thread executed, in order. The calls it started, then,
// from where it stands, the shortest way on to a point where it may stop
// (the first alternative at each junction, leaving every optional repeat):
// a thread blocked at a junction with every alternative disabled stays
// blocked on the one chosen, so a deadlock replays as one.
std::vector<Call> ResolveCalls(const ThreadProgram& prog,
                               const std::vector<int>& executed);

// Whether `calls` is one of the programs `prog` (a flattened body) stands
// for: a way through its choices and repeats that ends where it may stop.
bool IsProgramOf(const std::vector<Call>& calls, const ThreadProgram& prog);

}  // namespace lifecheck

#endif  // LIFECHECK_SPEC_THREAD_BODY_H_
