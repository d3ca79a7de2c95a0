// Static read/write footprints of spec steps, for partial-order reduction.
//
// The footprint of an instruction is computed by running its step function
// once over the Taint value domain: every scalar of the world starts tainted
// with its own field id, every operator unions the taints of its operands,
// and an assignment (Machine::set, which in a symbolic domain is
// `x = ite(path, v, x)`) marks the field written. This is the symbolic
// instantiation the Z3 layer uses (data-dependent indices visit every element
// under a path condition), so the footprint over-approximates what the step
// can touch in ANY state: it is sound for the independence relation without
// restating a single guard (DESIGN principle 2).
//
//   writes(i) = fields marked written
//   reads(i)  = taint of the guard and of every written field's new value
//
// Field ids are positions in VisitWorld order over the whole World.
#ifndef LIFECHECK_MC_FOOTPRINT_H_
#define LIFECHECK_MC_FOOTPRINT_H_

#include <bitset>

#include "config/config.h"
#include "spec/machine.h"
#include "spec/program.h"
#include "spec/world.h"

namespace lifecheck {

inline constexpr int kMaxScalars = 640;  // >= scalars of World (checked)
using FieldSet = std::bitset<kMaxScalars>;

struct Footprint {
  FieldSet reads;
  FieldSet writes;
};

// The footprint of thread t executing `insn` under `cfg` (the step function
// and the fall-through/return of Machine::finish, without the always-
// invariants: those are the property, see InvariantReads).
Footprint StepFootprint(const Config& cfg, const Insn& insn, int t);

// The footprint of thread t's step `insn` in the concrete state `w`, by
// dynamic taint tracking: the step runs concretely (taking the branches `w`
// takes) over values that carry the set of fields they were computed from;
// every branch condition, array index and written value adds its fields to
// the reads. Exact for `w`, and for every state that agrees with `w` on the
// reads (the step then takes the same path): explicit.h's C1 needs no more.
// A write of the value a field already has, computed from that field alone
// (x = x), is not reported: it changes nothing in any order. A comparison
// of a lock-owner field that does not hold t with t is not a read: no other
// thread can make it hold t (footprint.cc StableNotOwner).
Footprint DynamicFootprint(const Config& cfg, const Insn& insn, int t,
                           const World<Concrete>& w);

// The fields the always-invariants (spec/invariants.h CheckAlways) read, plus
// World::violation: a step that writes none of them cannot change whether a
// state violates an invariant (it is "invisible" for the ample-set C2 rule).
FieldSet InvariantReads(const Config& cfg);

// The lock-owner fields: inode rwsem and mmaplock, page lock_owner,
// ptl_owner, rm_work. They hold a thread id or kNone.
FieldSet OwnerFields();

// Field id of World::violation (a step writes it only to report a finding).
int ViolationFieldId();

// Fields no step and no always-invariant reads, so no finding depends on
// them: each thread's return value (Machine::ret writes it, nothing reads
// it) and the kernel-warning flags (reports show them, findings never
// depend on them). The explicit checker keeps them at 0, so two states that
// differ only there are one: exact for findings. mc/footprint_test.cc
// checks that nothing reads them.
FieldSet DeadFields();

}  // namespace lifecheck

#endif  // LIFECHECK_MC_FOOTPRINT_H_
