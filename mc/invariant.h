// A candidate or proved invariant of a problem: a conjunction of clauses over
// terms, each of the shape
//
//     t1 == x1 && t2 in {x2, x3} -> u in {y1, y2, ...}
//
// (no condition: a term's value set; one condition: a pair table's row,
// e.g. "th[3].pc == 2 -> inode[1].rwsem in {3}", which thread owns which
// lock at which pc; more: what a learned clause needs), plus two clauses that
// name a property of the spec: "no-deadlock" (some thread with work left is
// enabled, or none has work left) and "always-invariants" (the spec's
// CheckAlways finds nothing: spec/invariants.h).
//
// A term is a world field, named as everywhere else (WorldFieldName:
// "pg[0].refcount", "th[2].pc"; bools take the values false/true), or a
// count over the same field of each member of a group of identical threads:
// "count{th[0].pc th[1].pc th[2].pc in 1..3}" is how many pinners are in
// the window between fault and munmap, "count{pin[0].held pin[1].held in
// true}" how
// many hold their pin. Counts state what a pair of fields cannot: "the PTE
// is mapped only while some pinner is inside that window".
//
// The text form is the proof certificate `lifecheck check --engine z3`
// prints: one clause per line, '#' comments. ParseInvariant reads it back
// (errors "FILE:LINE:COL: message") so that a certificate is re-checked from
// its text (mc/z3_certificate.h), not from the prover's memory.
#ifndef LIFECHECK_MC_INVARIANT_H_
#define LIFECHECK_MC_INVARIANT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "spec/exec.h"

namespace lifecheck {

// A condition: term `term` has one of `values` (sorted). Printed
// "t == x" for one value, "t in {x, y}" for more.
struct Cond {
  int term;
  std::vector<int> values;
  auto operator<=>(const Cond&) const = default;
};

struct InvClause {
  // Conditions, all of which must hold; empty: always.
  std::vector<Cond> when;
  int field = kNoDeadlock;  // term id (Terms), or a property
  std::vector<int> values;  // sorted: the values `field` may take

  static constexpr int kNoDeadlock = -1;
  static constexpr int kAlways = -2;
  bool is_property() const { return field < 0; }
  bool operator==(const InvClause&) const = default;
};

// A count term: how many of `fields` hold a value in [lo, hi].
struct CountTerm {
  std::vector<int> fields;  // field ids, sorted
  int lo = 0, hi = 0;
  bool operator==(const CountTerm&) const = default;
};

// Term ids: 0..num_fields()-1 are the world fields in VisitWorld order;
// count terms come after, in the order they were added.
class Terms {
 public:
  Terms();
  int size() const { return static_cast<int>(names_.size()); }
  int num_fields() const { return num_fields_; }
  bool is_count(int id) const { return id >= num_fields_; }
  const CountTerm& count(int id) const { return counts_[id - num_fields_]; }
  // The id of the count term (an existing one if equal).
  int AddCount(CountTerm c);
  const std::string& name(int id) const { return names_[id]; }
  bool is_bool(int id) const { return id < num_fields_ && is_bool_[id]; }
  int FindField(const std::string& name) const;  // -1 if none
  // Term id's value in a world given as FieldValues().
  int Value(int id, const std::vector<int>& fields) const;
  // Every field of `w`, in id order (bools as 0/1).
  static std::vector<int> FieldValues(const CWorld& w);

 private:
  int num_fields_ = 0;
  std::vector<std::string> names_;
  std::vector<bool> is_bool_;
  std::vector<CountTerm> counts_;
};

struct Invariant {
  Terms terms;
  std::vector<InvClause> clauses;
};

// Whether the clause holds in a world given as Terms::FieldValues(); the
// property clauses are not decided here (they need the programs): true.
bool HoldsOn(const Terms& t, const InvClause& c,
             const std::vector<int>& fields);

std::string PrintClause(const InvClause& c, const Terms& t);
// The certificate text: `header` lines (each prefixed "# "), then clauses.
std::string PrintInvariant(const Invariant& inv,
                           const std::vector<std::string>& header);
absl::StatusOr<Invariant> ParseInvariant(const std::string& text,
                                         const std::string& filename);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_INVARIANT_H_
