#include "mc/invariant.h"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lifecheck {

Terms::Terms() {
  const CWorld w{};
  VisitWorld(w, [&](const char* kind, int oi, const char* field, int ei,
                    const auto& v) {
    names_.push_back(WorldFieldName(kind, oi, field, ei));
    is_bool_.push_back(std::is_same_v<std::decay_t<decltype(v)>, bool>);
  });
  num_fields_ = size();
}

int Terms::FindField(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.begin() + num_fields_, name);
  return it == names_.begin() + num_fields_
             ? -1
             : static_cast<int>(it - names_.begin());
}

int Terms::AddCount(CountTerm c) {
  std::sort(c.fields.begin(), c.fields.end());
  for (size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i] == c) return num_fields_ + static_cast<int>(i);
  // "count{th[0].pc th[1].pc in 1..3}"; one value without a range.
  std::string n = "count{";
  for (size_t i = 0; i < c.fields.size(); ++i)
    absl::StrAppend(&n, i ? " " : "", names_[c.fields[i]]);
  auto v = [&](int x) {
    return is_bool_[c.fields[0]] ? std::string(x ? "true" : "false")
                                 : absl::StrCat(x);
  };
  absl::StrAppend(&n, " in ", v(c.lo));
  if (c.hi != c.lo) absl::StrAppend(&n, "..", v(c.hi));
  n += "}";
  counts_.push_back(std::move(c));
  names_.push_back(std::move(n));
  is_bool_.push_back(false);
  return size() - 1;
}

int Terms::Value(int id, const std::vector<int>& fields) const {
  if (!is_count(id)) return fields[id];
  const CountTerm& c = count(id);
  int n = 0;
  for (int f : c.fields) n += fields[f] >= c.lo && fields[f] <= c.hi;
  return n;
}

std::vector<int> Terms::FieldValues(const CWorld& w) {
  std::vector<int> out;
  VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
    out.push_back(static_cast<int>(v));
  });
  return out;
}

bool HoldsOn(const Terms& t, const InvClause& c,
             const std::vector<int>& fields) {
  if (c.is_property()) return true;
  for (const Cond& k : c.when)
    if (!std::binary_search(k.values.begin(), k.values.end(),
                            t.Value(k.term, fields)))
      return true;
  return std::binary_search(c.values.begin(), c.values.end(),
                            t.Value(c.field, fields));
}

namespace {

std::string Value(const Terms& t, int term, int v) {
  if (t.is_bool(term)) return v ? "true" : "false";
  return absl::StrCat(v);
}

// A hand-written scanner: the grammar is one line of
//   NAME == VALUE (&& NAME == VALUE)* -> NAME in { VALUE (, VALUE)* }
//   | NAME in { VALUE (, VALUE)* } | no-deadlock | always-invariants
class LineParser {
 public:
  LineParser(const std::string& line, int lineno, const std::string& file,
             Terms& terms)
      : s_(line), lineno_(lineno), file_(file), terms_(terms) {}

  absl::StatusOr<InvClause> Clause() {
    InvClause c;
    Skip();
    if (Word("no-deadlock")) return End(c);
    if (Word("always-invariants")) {
      c.field = InvClause::kAlways;
      return End(c);
    }
    // Conditions "NAME == V" or "NAME in {...}" joined by && and closed by
    // ->, then the conclusion "NAME in {...}"; a clause with no condition
    // is its conclusion alone.
    bool concluding = false;
    for (;;) {
      const size_t at = i_;
      int term = 0;
      if (absl::Status st = Name(&term); !st.ok()) return st;
      Skip();
      Cond k{term, {}};
      if (Word("in")) {
        if (absl::Status st = Set(term, &k.values); !st.ok()) return st;
      } else if (!concluding && Word("==")) {
        int v = 0;
        if (absl::Status st = Val(term, &v); !st.ok()) return st;
        k.values = {v};
      } else {
        return Error(i_,
                     concluding ? "expected 'in'" : "expected '==' or 'in'");
      }
      Skip();
      if (i_ == s_.size()) {
        // Conditions end with "->": "a == 1 && b == 2" is no clause.
        if (!c.when.empty() && !concluding)
          return Error(i_, "expected '&&' or '->'");
        c.field = k.term;
        c.values = std::move(k.values);
        return End(c);
      }
      if (concluding) return Error(i_, "unexpected text after the clause");
      for (const Cond& o : c.when)
        if (o.term == term) return Error(at, "a term appears twice");
      c.when.push_back(std::move(k));
      if (Word("&&")) continue;
      if (!Word("->")) return Error(i_, "expected '&&' or '->'");
      concluding = true;
    }
  }

 private:
  void Skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  // The literal `w`; a word of letters must not run on into a name
  // ("in" is not the start of "inode[1].size").
  bool Word(const std::string& w) {
    if (s_.compare(i_, w.size(), w) != 0) return false;
    const size_t e = i_ + w.size();
    if (std::isalpha(static_cast<unsigned char>(w.back())) && e < s_.size() &&
        (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_' ||
         s_[e] == '[' || s_[e] == '.' || s_[e] == '-'))
      return false;
    i_ = e;
    return true;
  }
  absl::Status Error(size_t col, const std::string& msg) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ":", lineno_, ":", col + 1, ": ", msg));
  }
  // A field name, or a count "count{NAME NAME ... in V[..W]}".
  absl::Status Name(int* term) {
    Skip();
    if (!Word("count{")) return Field(term);
    CountTerm c;
    for (;;) {
      Skip();
      if (Word("in")) break;
      int f = 0;
      if (absl::Status st = Field(&f); !st.ok()) return st;
      c.fields.push_back(f);
    }
    if (c.fields.size() < 2) return Error(i_, "a count needs two fields");
    for (int f : c.fields)
      if (terms_.is_bool(f) != terms_.is_bool(c.fields[0]))
        return Error(i_, "a count's fields must have one sort");
    if (absl::Status st = Val(c.fields[0], &c.lo); !st.ok()) return st;
    c.hi = c.lo;
    if (Word("..")) {
      if (absl::Status st = Val(c.fields[0], &c.hi); !st.ok()) return st;
    }
    Skip();
    if (!Word("}")) return Error(i_, "expected '}'");
    *term = terms_.AddCount(std::move(c));
    return absl::OkStatus();
  }
  absl::Status Field(int* field) {
    Skip();
    const size_t b = i_;
    while (i_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
            s_[i_] == '[' || s_[i_] == ']' || s_[i_] == '.'))
      ++i_;
    // A trailing ".." belongs to a range, not to the name.
    while (i_ > b && s_[i_ - 1] == '.') --i_;
    if (i_ == b) return Error(b, "expected a field name");
    *field = terms_.FindField(s_.substr(b, i_ - b));
    if (*field < 0)
      return Error(b, absl::StrCat("unknown field '", s_.substr(b, i_ - b),
                                   "' (fields are named as in the changes "
                                   "column of a run's table)"));
    return absl::OkStatus();
  }
  absl::Status Val(int field, int* v) {
    Skip();
    const size_t b = i_;
    if (terms_.is_bool(field)) {
      if (Word("true")) return *v = 1, absl::OkStatus();
      if (Word("false")) return *v = 0, absl::OkStatus();
      return Error(b, "expected true or false");
    }
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    const size_t d = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])))
      ++i_;
    if (i_ == d || i_ - d > 5) return Error(b, "expected an integer");
    const int x = std::stoi(s_.substr(b, i_ - b));
    if (x < -32768 || x > 32767) return Error(b, "integer out of range");
    *v = x;
    return absl::OkStatus();
  }
  absl::Status Set(int field, std::vector<int>* out) {
    Skip();
    if (!Word("{")) return Error(i_, "expected '{'");
    Skip();
    if (Word("}")) return absl::OkStatus();  // no value: the term cannot be
    for (;;) {
      int v = 0;
      if (absl::Status st = Val(field, &v); !st.ok()) return st;
      out->push_back(v);
      Skip();
      if (Word("}")) break;
      if (!Word(",")) return Error(i_, "expected ',' or '}'");
    }
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
    return absl::OkStatus();
  }
  absl::StatusOr<InvClause> End(InvClause c) {
    Skip();
    if (i_ != s_.size()) return Error(i_, "unexpected text after the clause");
    return c;
  }

  const std::string& s_;
  size_t i_ = 0;
  int lineno_;
  const std::string& file_;
  Terms& terms_;
};

}  // namespace

std::string PrintClause(const InvClause& c, const Terms& f) {
  if (c.field == InvClause::kNoDeadlock) return "no-deadlock";
  if (c.field == InvClause::kAlways) return "always-invariants";
  std::string s;
  for (const Cond& k : c.when) {
    absl::StrAppend(&s, s.empty() ? "" : " && ", f.name(k.term));
    if (k.values.size() == 1) {
      absl::StrAppend(&s, " == ", Value(f, k.term, k.values[0]));
      continue;
    }
    std::vector<std::string> vs;
    for (int v : k.values) vs.push_back(Value(f, k.term, v));
    absl::StrAppend(&s, " in {", absl::StrJoin(vs, ", "), "}");
  }
  if (!s.empty()) s += " -> ";
  std::vector<std::string> vs;
  for (int v : c.values) vs.push_back(Value(f, c.field, v));
  absl::StrAppend(&s, f.name(c.field), " in {", absl::StrJoin(vs, ", "), "}");
  return s;
}

std::string PrintInvariant(const Invariant& inv,
                           const std::vector<std::string>& header) {
  std::string s;
  for (const std::string& h : header) absl::StrAppend(&s, "# ", h, "\n");
  for (const InvClause& c : inv.clauses)
    absl::StrAppend(&s, PrintClause(c, inv.terms), "\n");
  return s;
}

absl::StatusOr<Invariant> ParseInvariant(const std::string& text,
                                         const std::string& filename) {
  Invariant inv;
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string body = line;
    if (!body.empty() && body.back() == '\r') body.pop_back();
    LineParser p(body, lineno, filename, inv.terms);
    absl::StatusOr<InvClause> c = p.Clause();
    if (!c.ok()) return c.status();
    inv.clauses.push_back(*std::move(c));
  }
  return inv;
}

}  // namespace lifecheck
