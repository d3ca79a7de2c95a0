#include "harness/trace/trace.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "spec/findings.h"
#include "spec/thread_body.h"

namespace lifecheck {
namespace {

// Grammar constants; docs/trace-format.md documents each one.
constexpr std::string_view kMagic = "lifecheck-trace";
constexpr std::string_view kVersion = "v1";
constexpr std::string_view kExpectTag = "expect:";
constexpr std::string_view kClean = "clean";
constexpr int kMaxNameLen = 16;
constexpr int kMaxRepeat = 100000;           // N in NAME*N
constexpr size_t kMaxScheduleLen = 1000000;  // expanded schedule entries
constexpr size_t kMaxCallsPerThread = 1000;  // keeps Flatten's int16 pcs safe
constexpr int kSchedTokensPerLine = 16;      // printer only
constexpr int kMaxArgValue = INT16_MAX;      // Call::args is int16_t
// Choices (docs/trace-format.md "Choices"). A junction's alternatives are
// numbered in a byte by the explicit checker, and a program's pcs are int16.
constexpr size_t kMaxAlternatives = 64;  // per call line
constexpr int kMaxRepeatCount = 16;      // HI of `repeat LO..HI {`
constexpr size_t kMaxJunctionTargets = 255;
constexpr size_t kMaxProgramSteps = 30000;  // a body, unrolled
constexpr std::string_view kChoiceNeedsCheck =
    "a choice ('|'), an argument range ('LO..HI') or a 'repeat' makes a "
    "problem for 'lifecheck check', which explores every resolution; this "
    "command runs one concrete trace";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int ClampInt(size_t v) {
  return v > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(v);
}

// A token quoted for an error message: non-printable bytes escaped, long
// tokens cut, so that binary input cannot produce a huge or garbled message.
std::string Quote(std::string_view s) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'') {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

// Decimal digits only (no sign, no spaces). Values above `cap` saturate to
// cap + 1 so callers can report "out of range" without overflow.
bool ParseDecimal(std::string_view s, long long cap, long long* out) {
  if (s.empty()) return false;
  long long v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    if (v <= cap) v = v * 10 + (c - '0');
  }
  *out = v > cap ? cap + 1 : v;
  return true;
}

// A digit string (already checked) for a message, cut if very long.
std::string ShortNum(std::string_view digits) {
  if (digits.size() <= 20) return std::string(digits);
  return std::string(digits.substr(0, 20)) + "...";
}

struct Tok {
  std::string_view text;
  int col = 0;  // 1-based
};

// One physical line, split into whitespace-separated tokens up to a comment.
struct Line {
  int lineno = 0;
  std::string_view text;  // without "\n" and one trailing "\r"
  std::vector<Tok> toks;  // tokens before any comment
  int end_col = 1;        // column just after the last token
  int comment_col = 0;    // column of a comment's '#', 0 if none
};

// Splits text[start..] into tokens. A token starting with '#' begins a
// comment that runs to the end of the line.
void Tokenize(std::string_view text, size_t start, Line* line) {
  size_t i = start;
  line->end_col = ClampInt(start + 1);
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '#') {
      line->comment_col = ClampInt(i + 1);
      return;
    }
    size_t j = i;
    while (j < text.size() && !IsSpace(text[j])) ++j;
    line->toks.push_back(Tok{text.substr(i, j - i), ClampInt(i + 1)});
    line->end_col = ClampInt(j + 1);
    i = j;
  }
}

const ConfigField* FindField(std::string_view name, int* index) {
  const std::vector<ConfigField>& fields = ConfigFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (std::string_view(fields[i].name) == name) {
      *index = static_cast<int>(i);
      return &fields[i];
    }
  }
  return nullptr;
}

std::string JoinValues(const ConfigField& f) {
  std::string out;
  for (size_t i = 0; i < f.values.size(); ++i) {
    if (i) out += ", ";
    out += f.values[i];
  }
  return out;
}

bool OpInRange(Op op) {
  return static_cast<int>(op) < static_cast<int>(Op::kCount);  // Op is unsigned
}

int NumArgs(const OpInfo& info) { return std::clamp(info.nargs, 0, kMaxArgs); }

std::string ArgList(const OpInfo& info) {
  std::string out;
  for (int k = 0; k < NumArgs(info); ++k) {
    if (k) out += ", ";
    out += std::string(info.arg_names[k]);
  }
  return out;
}

class Parser {
 public:
  Parser(const std::string& text, const std::string& filename,
         const ParseOptions& opts)
      : text_(text),
        filename_(filename),
        opts_(opts),
        set_at_(ConfigFields().size()) {}

  absl::StatusOr<Trace> Run() {
    std::string_view rest(text_);
    int lineno = 0;
    while (true) {
      if (lineno == INT_MAX) return Err(lineno, 1, "too many lines");
      ++lineno;
      const size_t nl = rest.find('\n');
      std::string_view raw =
          nl == std::string_view::npos ? rest : rest.substr(0, nl);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      Line line;
      line.lineno = lineno;
      line.text = raw;
      Tokenize(raw, 0, &line);
      absl::Status s = DoLine(line);
      if (!s.ok()) return s;
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    if (!header_seen_) return Err(1, 1, "missing header 'lifecheck-trace v1'");
    absl::Status s = FinishConfig();
    if (!s.ok()) return s;
    s = CheckJudge();
    if (!s.ok()) return s;
    s = FinishBodies();
    if (!s.ok()) return s;
    return std::move(trace_);
  }

 private:
  absl::Status Err(int line, int col, const std::string& msg) const {
    return absl::InvalidArgumentError(filename_ + ":" + std::to_string(line) +
                                      ":" + std::to_string(col) + ": " + msg);
  }
  absl::Status Err(const Line& l, int col, const std::string& msg) const {
    return Err(l.lineno, col, msg);
  }

  absl::Status DoLine(const Line& l) {
    if (l.toks.empty()) {
      if (l.comment_col > 0) return DoComment(l);
      return absl::OkStatus();
    }
    if (!header_seen_) return DoHeader(l);
    const Tok& kw = l.toks[0];
    if (kw.text == "config") return DoConfig(l, /*policy=*/false);
    if (kw.text == "policy") return DoConfig(l, /*policy=*/true);
    if (kw.text == "thread") return DoThread(l);
    if (kw.text == "ignore:") return DoIgnore(l);
    if (kw.text == "judge:") return DoJudge(l);
    if (kw.text == "fault:") return DoFault(l);
    if (kw.text == "schedule:") return DoSchedule(l);
    if (kw.text == "impl-schedule:") return DoSchedule(l, /*impl=*/true);
    if (kw.text == "cycle:") return DoSchedule(l, /*impl=*/false, true);
    if (kw.text == "schedule")
      return Err(l, kw.col + 8, "missing ':' after 'schedule'");
    if (kw.text.substr(0, 9) == "schedule:")
      return Err(l, kw.col + 9, "expected whitespace after 'schedule:'");
    return Err(l, kw.col, "unknown keyword " + Quote(kw.text));
  }

  absl::Status DoHeader(const Line& l) {
    const Tok& magic = l.toks[0];
    if (magic.text != kMagic)
      return Err(l, magic.col, "missing header 'lifecheck-trace v1'");
    if (l.toks.size() < 2)
      return Err(l, l.end_col,
                 "missing version after 'lifecheck-trace' (expected v1)");
    if (l.toks[1].text != kVersion)
      return Err(l, l.toks[1].col,
                 "unsupported trace version " + Quote(l.toks[1].text) +
                     " (expected v1)");
    if (l.toks.size() > 2)
      return Err(l, l.toks[2].col,
                 "unexpected " + Quote(l.toks[2].text) + " after the header");
    header_seen_ = true;
    header_line_ = l.lineno;
    return absl::OkStatus();
  }

  // A whole-line comment; only `# expect: ID` means anything.
  absl::Status DoComment(const Line& l) {
    const size_t hash = static_cast<size_t>(l.comment_col - 1);
    size_t i = hash + 1;
    while (i < l.text.size() && IsSpace(l.text[i])) ++i;
    if (l.text.substr(i, kExpectTag.size()) != kExpectTag)
      return absl::OkStatus();
    if (body_started_)
      return Err(l, l.comment_col,
                 "'# expect:' must come before the first 'thread' line");
    if (expect_line_ > 0)
      return Err(l, l.comment_col,
                 "duplicate '# expect:' (first at line " +
                     std::to_string(expect_line_) + ")");
    Line rest;
    Tokenize(l.text, i + kExpectTag.size(), &rest);
    if (rest.toks.empty())
      return Err(l, rest.end_col, "missing invariant ID after '# expect:'");
    const Tok& id = rest.toks[0];
    Inv inv;
    const std::string_view sv = id.text;
    if (sv != kClean && !ParseInvId(sv, &inv))
      return Err(l, id.col,
                 "unknown invariant ID " + Quote(sv) +
                     " (expected an ID such as I-DAX-1, DEADLOCK, "
                     "or 'clean')");
    if (rest.toks.size() > 1)
      return Err(
          l, rest.toks[1].col,
          "unexpected " + Quote(rest.toks[1].text) + " after the invariant ID");
    trace_.expect = std::string(sv);
    expect_line_ = l.lineno;
    return absl::OkStatus();
  }

  // `ignore: ID...`: invariants this trace does not check (Config::ignore).
  absl::Status DoIgnore(const Line& l) {
    const Tok& kw = l.toks[0];
    if (body_started_)
      return Err(l, kw.col,
                 "'ignore:' must come before the first 'thread' line");
    if (l.toks.size() < 2)
      return Err(l, l.end_col, "missing invariant ID after 'ignore:'");
    for (size_t t = 1; t < l.toks.size(); ++t) {
      const Tok& tok = l.toks[t];
      Inv inv;
      // Run-level verdicts (DEADLOCK, DIFF-*, LIVELOCK) are not state
      // invariants.
      if (!ParseInvId(tok.text, &inv) ||
          static_cast<int>(inv) >= static_cast<int>(Inv::kDeadlock))
        return Err(l, tok.col,
                   "unknown invariant ID " + Quote(tok.text) +
                       " (DEADLOCK and DIFF-* cannot be ignored)");
      const uint64_t bit = uint64_t{1} << static_cast<int>(inv);
      if (trace_.config.ignore & bit)
        return Err(l, tok.col,
                   "duplicate " + Quote(tok.text) + " in 'ignore:'");
      trace_.config.ignore |= bit;
    }
    return absl::OkStatus();
  }

  // `judge: spec|diff|sched`: how the trace is judged (Trace::judge).
  absl::Status DoJudge(const Line& l) {
    const Tok& kw = l.toks[0];
    if (body_started_)
      return Err(l, kw.col,
                 "'judge:' must come before the first 'thread' line");
    if (judge_line_ > 0)
      return Err(l, kw.col,
                 "duplicate 'judge:' (first at line " +
                     std::to_string(judge_line_) + ")");
    if (l.toks.size() < 2)
      return Err(l, l.end_col,
                 "missing judge after 'judge:' (expected spec, diff or sched)");
    if (!ParseJudge(l.toks[1].text, &trace_.judge))
      return Err(l, l.toks[1].col,
                 "unknown judge " + Quote(l.toks[1].text) +
                     " (expected spec, diff or sched)");
    if (l.toks.size() > 2)
      return Err(l, l.toks[2].col,
                 "unexpected " + Quote(l.toks[2].text) + " after the judge");
    judge_line_ = l.lineno;
    return absl::OkStatus();
  }

  // `fault: NAME...`: impl faults planted in the run (Trace::faults).
  absl::Status DoFault(const Line& l) {
    const Tok& kw = l.toks[0];
    if (body_started_)
      return Err(l, kw.col,
                 "'fault:' must come before the first 'thread' line");
    if (l.toks.size() < 2)
      return Err(l, l.end_col,
                 "missing fault name after 'fault:' (known: " +
                     KnownFaultNames() + ")");
    for (size_t t = 1; t < l.toks.size(); ++t) {
      const Tok& tok = l.toks[t];
      Faults one;
      if (!AddFaultByName(tok.text, &one))
        return Err(l, tok.col,
                   "unknown fault " + Quote(tok.text) +
                       " (known: " + KnownFaultNames() + ")");
      Faults both = trace_.faults;
      AddFaultByName(tok.text, &both);
      if (both == trace_.faults)
        return Err(l, tok.col, "duplicate fault " + Quote(tok.text));
      trace_.faults = both;
    }
    if (fault_pos_.line == 0) fault_pos_ = SrcPos{l.lineno, kw.col};
    return absl::OkStatus();
  }

  // What the judge allows, checked once the whole file is read.
  absl::Status CheckJudge() const {
    if (trace_.faults.any() && trace_.judge == Judge::kSpec)
      return Err(fault_pos_.line, fault_pos_.col,
                 "'fault:' plants impl faults, which only a judge that runs "
                 "the impl sees: add 'judge: diff' or 'judge: sched'");
    if (!trace_.impl_schedule.empty() && trace_.judge != Judge::kSched)
      return Err(impl_sched_pos_.line, impl_sched_pos_.col,
                 "'impl-schedule:' is a schedule of the impl under the "
                 "controlled scheduler: add 'judge: sched'");
    return absl::OkStatus();
  }

  absl::Status DoConfig(const Line& l, bool policy) {
    const Tok& kw = l.toks[0];
    const std::string kwname = policy ? "policy" : "config";
    if (body_started_)
      return Err(l, kw.col,
                 "'" + kwname + "' must come before the first 'thread' line");
    if (first_cfg_.line == 0 && !policy) first_cfg_ = SrcPos{l.lineno, kw.col};
    if (first_policy_.line == 0 && policy)
      first_policy_ = SrcPos{l.lineno, kw.col};
    if (l.toks.size() < 2)
      return Err(l, l.end_col, "missing KEY=VALUE after '" + kwname + "'");
    for (size_t t = 1; t < l.toks.size(); ++t) {
      const Tok& tok = l.toks[t];
      const size_t eq = tok.text.find('=');
      if (eq == std::string_view::npos)
        return Err(l, tok.col, "expected KEY=VALUE, got " + Quote(tok.text));
      const std::string_view key = tok.text.substr(0, eq);
      const std::string_view val = tok.text.substr(eq + 1);
      const int val_col = ClampInt(static_cast<size_t>(tok.col) + eq + 1);
      if (key.empty()) return Err(l, tok.col, "missing key before '='");
      int index = -1;
      const ConfigField* f = FindField(key, &index);
      if (f == nullptr)
        return Err(l, tok.col,
                   std::string(policy ? "unknown policy knob "
                                      : "unknown config key ") +
                       Quote(key));
      if (f->is_policy && !policy)
        return Err(l, tok.col,
                   Quote(key) +
                       " is a policy knob; set it on a 'policy' "
                       "line");
      if (!f->is_policy && policy)
        return Err(l, tok.col,
                   Quote(key) +
                       " is not a policy knob; set it on a "
                       "'config' line");
      SrcPos& prev = set_at_[static_cast<size_t>(index)];
      if (prev.line > 0)
        return Err(l, tok.col,
                   "duplicate key " + Quote(key) + " (first set at " +
                       std::to_string(prev.line) + ":" +
                       std::to_string(prev.col) + ")");
      if (val.empty())
        return Err(l, val_col, "missing value for " + Quote(key));
      int value = 0;
      if (!f->values.empty()) {
        bool found = false;
        for (size_t v = 0; v < f->values.size(); ++v) {
          if (std::string_view(f->values[v]) == val) {
            value = static_cast<int>(v);
            found = true;
            break;
          }
        }
        if (!found)
          return Err(l, val_col,
                     "invalid value " + Quote(val) + " for " + Quote(key) +
                         " (expected one of: " + JoinValues(*f) + ")");
      } else {
        long long n = 0;
        if (!ParseDecimal(val, INT_MAX, &n))
          return Err(l, val_col,
                     "expected a decimal number for " + Quote(key) + ", got " +
                         Quote(val));
        if (n < f->min || n > f->max)
          return Err(l, val_col,
                     std::string(key) + "=" + ShortNum(val) +
                         " is out of range " + std::to_string(f->min) + ".." +
                         std::to_string(f->max));
        value = static_cast<int>(n);
      }
      f->set(trace_.config, value);
      prev = SrcPos{l.lineno, tok.col};
    }
    return absl::OkStatus();
  }

  // Called when the configuration is final (first thread/schedule line or
  // end of input): validate it as a whole.
  absl::Status FinishConfig() {
    if (config_done_) return absl::OkStatus();
    config_done_ = true;
    const std::string msg = ValidateConfig(trace_.config);
    if (msg.empty()) return absl::OkStatus();
    SrcPos at = first_cfg_.line      ? first_cfg_
                : first_policy_.line ? first_policy_
                                     : SrcPos{header_line_, 1};
    return Err(at.line, at.col, "invalid configuration: " + msg);
  }

  absl::Status DoThread(const Line& l) {
    absl::Status s = FinishConfig();
    if (!s.ok()) return s;
    body_started_ = true;
    if (l.toks.size() < 2)
      return Err(l, l.end_col, "missing 'NAME:' after 'thread'");
    const Tok& nt = l.toks[1];
    const size_t colon = nt.text.find(':');
    if (colon == std::string_view::npos)
      return Err(l, ClampInt(static_cast<size_t>(nt.col) + nt.text.size()),
                 "missing ':' after thread name " + Quote(nt.text));
    if (colon + 1 != nt.text.size())
      return Err(l, ClampInt(static_cast<size_t>(nt.col) + colon + 1),
                 "expected whitespace after ':'");
    const std::string_view name = nt.text.substr(0, colon);
    s = CheckName(l, name, nt.col);
    if (!s.ok()) return s;
    int tid = FindThread(name);
    if (tid < 0) {
      if (trace_.thread_names.size() >= static_cast<size_t>(kMaxThreads))
        return Err(l, nt.col,
                   "too many threads: " + Quote(name) + " would be thread " +
                       std::to_string(kMaxThreads + 1) + " (max " +
                       std::to_string(kMaxThreads) + ")");
      tid = static_cast<int>(trace_.thread_names.size());
      trace_.thread_names.emplace_back(name);
      trace_.threads.emplace_back();
      trace_.call_pos.emplace_back();
      bodies_.emplace_back();
      open_.emplace_back();
      forever_closed_.push_back(false);
      first_line_.push_back(SrcPos{l.lineno, nt.col});
    }
    if (l.toks.size() < 3)
      return Err(l, l.end_col, "missing operation after " + Quote(nt.text));
    const Tok& ot = l.toks[2];
    if (ForeverClosed(tid))
      return Err(l, ot.col,
                 "thread " + Quote(trace_.thread_names[tid]) +
                     " has a line after its 'repeat ..* { }' block, which "
                     "must be its last");
    if (ot.text == "repeat") return DoRepeat(l, tid);
    if (ot.text == "}") return DoBlockEnd(l, tid);
    // Alternatives separated by '|' tokens, each an operation and its
    // arguments (a value or a range LO..HI).
    BodyItem item;
    for (size_t first = 2;;) {
      size_t end = first;
      while (end < l.toks.size() && l.toks[end].text != "|") ++end;
      if (end == first)
        return Err(l, l.toks[first].col, "missing operation before '|'");
      s = ParseAlternatives(l, first, end, &item.alts);
      if (!s.ok()) return s;
      if (end == l.toks.size()) break;
      s = NoteChoice(l, l.toks[end].col);
      if (!s.ok()) return s;
      first = end + 1;
      if (first == l.toks.size())
        return Err(l, l.end_col, "missing operation after '|'");
    }
    if (item.alts.size() > kMaxAlternatives)
      return Err(l, ot.col,
                 "more than " + std::to_string(kMaxAlternatives) +
                     " alternatives on one line (" +
                     std::to_string(item.alts.size()) + ")");
    return AddItem(l, tid, std::move(item), ot.col);
  }

  // Operation tokens [first, end) of line l: one call, or with argument
  // ranges every combination of their values, appended to *alts.
  absl::Status ParseAlternatives(const Line& l, size_t first, size_t end,
                                 std::vector<Call>* alts) {
    const Tok& ot = l.toks[first];
    Call call;
    if (!ParseOp(ot.text, &call.op))
      return Err(l, ot.col, "unknown operation " + Quote(ot.text));
    const OpInfo& info = GetOpInfo(call.op);
    const int nargs = NumArgs(info);
    int given_col[kMaxArgs] = {0, 0, 0};
    int hi[kMaxArgs] = {0, 0, 0};  // a range's upper end (else = the value)
    for (size_t t = first + 1; t < end; ++t) {
      const Tok& tok = l.toks[t];
      const size_t eq = tok.text.find('=');
      if (eq == std::string_view::npos)
        return Err(l, tok.col, "expected ARG=VALUE, got " + Quote(tok.text));
      const std::string_view key = tok.text.substr(0, eq);
      const std::string_view val = tok.text.substr(eq + 1);
      const int val_col = ClampInt(static_cast<size_t>(tok.col) + eq + 1);
      if (key.empty())
        return Err(l, tok.col, "missing argument name before '='");
      int k = 0;
      while (k < nargs && info.arg_names[k] != key) ++k;
      if (k == nargs)
        return Err(l, tok.col,
                   "unknown argument " + Quote(key) + " of '" +
                       std::string(info.name) + "'" +
                       (nargs == 0 ? " (it takes no arguments)"
                                   : " (expected " + ArgList(info) + ")"));
      if (given_col[k] > 0)
        return Err(l, tok.col,
                   "duplicate argument " + Quote(key) + " (first at column " +
                       std::to_string(given_col[k]) + ")");
      if (val.empty())
        return Err(l, val_col, "missing value for argument " + Quote(key));
      const size_t dots = val.find("..");
      long long n = 0, m = 0;
      absl::Status vs = ParseValue(l, key, val.substr(0, dots), val_col, &n);
      if (!vs.ok()) return vs;
      m = n;
      if (dots != std::string_view::npos) {
        vs = NoteChoice(l, val_col);
        if (!vs.ok()) return vs;
        const int hi_col = ClampInt(static_cast<size_t>(val_col) + dots + 2);
        vs = ParseValue(l, key, val.substr(dots + 2), hi_col, &m);
        if (!vs.ok()) return vs;
        if (m < n)
          return Err(l, val_col,
                     "empty range " + Quote(val) + " for argument " +
                         Quote(key) + " (expected LO..HI with LO <= HI)");
      }
      call.args[k] = static_cast<int16_t>(n);
      hi[k] = static_cast<int>(m);
      given_col[k] = tok.col;
    }
    for (int k = 0; k < nargs; ++k) {
      if (given_col[k] == 0)
        return Err(l, l.end_col,
                   "missing argument '" + std::string(info.arg_names[k]) +
                       "' of '" + std::string(info.name) + "'");
    }
    // Every combination, the last argument varying fastest; each must be a
    // valid call (its first bad value is named).
    size_t count = 1;
    for (int k = 0; k < nargs; ++k) count *= hi[k] - call.args[k] + 1;
    if (alts->size() + count > kMaxAlternatives)
      return Err(l, l.toks[2].col,
                 "more than " + std::to_string(kMaxAlternatives) +
                     " alternatives on one line");
    Call c = call;
    for (;;) {
      const std::string msg = ValidateCall(c, trace_.config);
      if (!msg.empty())
        return Err(l, ot.col,
                   "invalid call '" + std::string(info.name) + "': " + msg);
      alts->push_back(c);
      int k = nargs - 1;
      while (k >= 0 && c.args[k] == hi[k]) c.args[k] = call.args[k], --k;
      if (k < 0) break;
      ++c.args[k];
    }
    return absl::OkStatus();
  }

  // A decimal argument value.
  absl::Status ParseValue(const Line& l, std::string_view key,
                          std::string_view val, int col, long long* n) {
    if (!ParseDecimal(val, kMaxArgValue, n))
      return Err(l, col,
                 "expected a decimal number for argument " + Quote(key) +
                     ", got " + Quote(val));
    if (*n > kMaxArgValue)
      return Err(l, col,
                 std::string(key) + "=" + ShortNum(val) +
                     " is too large (max " + std::to_string(kMaxArgValue) +
                     ")");
    return absl::OkStatus();
  }

  // A choice, range or repeat at (l, col): only where choices are allowed.
  absl::Status NoteChoice(const Line& l, int col) {
    if (!opts_.choices) return Err(l, col, std::string(kChoiceNeedsCheck));
    any_choice_ = true;
    return absl::OkStatus();
  }

  // Appends `item` to thread tid's innermost open repeat, or its body; a
  // plain call outside any repeat is also one of its concrete calls.
  // Thread tid's loop calls, `loops` grown to one entry per thread.
  std::vector<Call>& LoopOf(int tid) {
    trace_.loops.resize(trace_.threads.size());
    return trace_.loops[static_cast<size_t>(tid)];
  }
  bool ForeverClosed(int tid) const {
    return static_cast<size_t>(tid) < forever_closed_.size() &&
           forever_closed_[static_cast<size_t>(tid)];
  }

  absl::Status AddItem(const Line& l, int tid, BodyItem item, int col) {
    auto& open = open_[static_cast<size_t>(tid)];
    if (item.alts.size() == 1 && open.empty()) {
      std::vector<Call>& calls = trace_.threads[static_cast<size_t>(tid)];
      if (calls.size() >= kMaxCallsPerThread)
        return Err(l, col,
                   "thread " + Quote(trace_.thread_names[tid]) +
                       " has more than " + std::to_string(kMaxCallsPerThread) +
                       " calls");
      calls.push_back(item.alts[0]);
      trace_.call_pos[static_cast<size_t>(tid)].push_back(
          SrcPos{l.lineno, col});
    }
    (open.empty() ? bodies_[static_cast<size_t>(tid)] : open.back().block)
        .push_back(std::move(item));
    return absl::OkStatus();
  }

  // `thread NAME: repeat COUNT {` with COUNT = N or LO..HI: the lines of
  // NAME up to its matching `}` are a block run LO..HI times.
  absl::Status DoRepeat(const Line& l, int tid) {
    const Tok& kw = l.toks[2];
    if (l.toks.size() < 4)
      return Err(l, l.end_col, "missing count after 'repeat' (N or LO..HI)");
    const Tok& ct = l.toks[3];
    // `repeat * {` (a lasso's loop, in any trace) or `repeat LO..* {` (a
    // problem's): the block may run for ever; it is the thread's last item.
    const bool forever =
        ct.text == "*" ||
        (ct.text.size() > 3 && ct.text.substr(ct.text.size() - 3) == "..*");
    const bool star = ct.text == "*";  // a lasso's loop: no choice
    if (!star) {
      absl::Status s = NoteChoice(l, kw.col);
      if (!s.ok()) return s;
    }
    const size_t dots = ct.text.find("..");
    long long lo = 0, hi = 0;
    const std::string_view lo_text =
        ct.text == "*" ? std::string_view("0") : ct.text.substr(0, dots);
    const std::string_view hi_text =
        dots == std::string_view::npos ? lo_text : ct.text.substr(dots + 2);
    if (!ParseDecimal(lo_text, kMaxRepeatCount, &lo) ||
        (!forever && (!ParseDecimal(hi_text, kMaxRepeatCount, &hi) || lo > hi ||
                      hi > kMaxRepeatCount)))
      return Err(l, ct.col,
                 "expected a repeat count N, LO..HI with 0 <= LO <= HI <= " +
                     std::to_string(kMaxRepeatCount) + ", LO..* or *, got " +
                     Quote(ct.text));
    if (forever) {
      hi = kForever;
      if (!open_[static_cast<size_t>(tid)].empty())
        return Err(l, kw.col,
                   "an unbounded 'repeat' is a thread's last item, not "
                   "inside another 'repeat'");
    }
    if (l.toks.size() < 5 || l.toks[4].text != "{")
      return Err(l, l.toks.size() < 5 ? l.end_col : l.toks[4].col,
                 "expected '{' after the repeat count");
    if (l.toks.size() > 5)
      return Err(l, l.toks[5].col,
                 "unexpected " + Quote(l.toks[5].text) + " after '{'");
    open_[static_cast<size_t>(tid)].push_back(Open{static_cast<int>(lo),
                                                   static_cast<int>(hi),
                                                   {},
                                                   SrcPos{l.lineno, kw.col},
                                                   star});
    return absl::OkStatus();
  }

  // `thread NAME: }` closes NAME's innermost open repeat.
  absl::Status DoBlockEnd(const Line& l, int tid) {
    const Tok& kw = l.toks[2];
    auto& open = open_[static_cast<size_t>(tid)];
    // A lasso's `repeat * {` is no choice (DoRepeat).
    const bool lasso_loop = !open.empty() && open.back().star;
    if (!lasso_loop) {
      absl::Status s = NoteChoice(l, kw.col);
      if (!s.ok()) return s;
    }
    if (l.toks.size() > 3)
      return Err(l, l.toks[3].col,
                 "unexpected " + Quote(l.toks[3].text) + " after '}'");
    if (open.empty())
      return Err(l, kw.col,
                 "'}' closes no 'repeat' of thread " +
                     Quote(trace_.thread_names[tid]));
    Open o = std::move(open.back());
    open.pop_back();
    if (o.hi == kForever) {
      if (o.block.empty())
        return Err(l, kw.col, "an unbounded 'repeat' needs at least one call");
      forever_closed_[static_cast<size_t>(tid)] = true;
      if (o.star) {  // a lasso's loop: plain calls
        std::vector<Call>& loop = LoopOf(tid);
        for (const BodyItem& it : o.block) {
          if (it.alts.size() != 1)
            return Err(o.pos.line, o.pos.col,
                       "a 'repeat * {' loop holds plain calls ('repeat "
                       "0..* {' for a problem's choices)");
          loop.push_back(it.alts[0]);
        }
      }
    }
    return AddItem(l, tid, RepeatItem(o.lo, o.hi, std::move(o.block)), kw.col);
  }

  // Instructions of `body` unrolled (pseudo-instructions included), or more
  // than `cap`.
  size_t UnrolledSize(const ThreadBody& body, size_t cap) const {
    size_t n = 0;
    for (const BodyItem& it : body) {
      if (it.is_call()) {
        n += 1;  // a junction
        for (const Call& c : it.alts) n += StepsOf(c.op, trace_.config).size();
      } else {
        const int copies = it.hi == kForever ? it.lo + 1 : it.hi;
        n += static_cast<size_t>(copies) * (UnrolledSize(it.block, cap) + 1);
      }
      if (n > cap) return cap + 1;
    }
    return n;
  }

  // Once the file is read: every repeat closed; a problem with choices has
  // no schedule and is judged by the spec; its bodies fit a program.
  absl::Status FinishBodies() {
    for (size_t t = 0; t < open_.size(); ++t)
      if (!open_[t].empty())
        return Err(open_[t].back().pos.line, open_[t].back().pos.col,
                   "'repeat' of thread " + Quote(trace_.thread_names[t]) +
                       " is not closed (expected 'thread " +
                       trace_.thread_names[t] + ": }')");
    if (!any_choice_) return absl::OkStatus();
    if (!trace_.cycle.empty())
      return Err(trace_.cycle_pos[0].line, trace_.cycle_pos[0].col,
                 "a trace with choices has no cycle: 'lifecheck check' "
                 "finds the cycles of every resolution");
    if (!trace_.schedule.empty())
      return Err(trace_.schedule_pos[0].line, trace_.schedule_pos[0].col,
                 "a trace with choices has no schedule: 'lifecheck check' "
                 "explores every schedule of every resolution");
    if (trace_.judge != Judge::kSpec)
      return Err(judge_line_, 1,
                 "a trace with choices is judged by the spec alone (the "
                 "model checker); no 'judge:' line");
    bool concrete = true;
    for (size_t t = 0; t < bodies_.size(); ++t) {
      concrete = concrete && IsConcrete(bodies_[t]);
      const SrcPos at = first_line_[t];
      if (UnrolledSize(bodies_[t], kMaxProgramSteps) > kMaxProgramSteps)
        return Err(at.line, at.col,
                   "thread " + Quote(trace_.thread_names[t]) +
                       " unrolls to more than " +
                       std::to_string(kMaxProgramSteps) + " steps");
      const ThreadProgram prog = FlattenBody(bodies_[t], trace_.config);
      for (const Junction& j : prog.junctions)
        if (j.targets.size() > kMaxJunctionTargets)
          return Err(at.line, at.col,
                     "thread " + Quote(trace_.thread_names[t]) +
                         " can go on with more than " +
                         std::to_string(kMaxJunctionTargets) +
                         " different calls at one point");
    }
    if (concrete) return absl::OkStatus();  // ranges of one value: calls
    trace_.bodies = std::move(bodies_);
    trace_.loops.clear();  // in the bodies
    for (auto& calls : trace_.threads) calls.clear();
    for (auto& pos : trace_.call_pos) pos.clear();
    return absl::OkStatus();
  }

  absl::Status DoSchedule(const Line& l, bool impl = false,
                          bool cycle = false) {
    std::vector<int>& dst = impl    ? trace_.impl_schedule
                            : cycle ? trace_.cycle
                                    : trace_.schedule;
    const char* what = impl ? "impl-schedule" : cycle ? "cycle" : "schedule";
    if (impl && impl_sched_pos_.line == 0)
      impl_sched_pos_ = SrcPos{l.lineno, l.toks[0].col};
    absl::Status s = FinishConfig();
    if (!s.ok()) return s;
    body_started_ = true;
    if (l.toks.size() < 2)
      return Err(l, l.end_col,
                 std::string("missing thread name after '") + what + ":'");
    for (size_t t = 1; t < l.toks.size(); ++t) {
      const Tok& tok = l.toks[t];
      const size_t star = tok.text.find('*');
      const std::string_view name = tok.text.substr(0, star);
      if (name.empty())
        return Err(l, tok.col, "missing thread name before '*'");
      const int tid = FindThread(name);
      if (tid < 0)
        return Err(l, tok.col,
                   "unknown thread " + Quote(name) +
                       " (not declared by an earlier 'thread' line)");
      long long count = 1;
      if (star != std::string_view::npos) {
        const std::string_view num = tok.text.substr(star + 1);
        const int num_col = ClampInt(static_cast<size_t>(tok.col) + star + 1);
        if (num.empty())
          return Err(l, num_col, "missing repeat count after '*'");
        if (!ParseDecimal(num, kMaxRepeat, &count))
          return Err(l, num_col,
                     "expected a decimal repeat count, got " + Quote(num));
        if (count < 1 || count > kMaxRepeat)
          return Err(l, num_col,
                     "repeat count " + ShortNum(num) + " is out of range 1.." +
                         std::to_string(kMaxRepeat));
      }
      if (dst.size() + static_cast<size_t>(count) > kMaxScheduleLen)
        return Err(l, tok.col,
                   std::string(what) + " is longer than " +
                       std::to_string(kMaxScheduleLen) + " steps");
      const SrcPos pos{l.lineno, tok.col};
      dst.insert(dst.end(), static_cast<size_t>(count), tid);
      if (!impl)
        (cycle ? trace_.cycle_pos : trace_.schedule_pos)
            .insert((cycle ? trace_.cycle_pos : trace_.schedule_pos).end(),
                    static_cast<size_t>(count), pos);
    }
    return absl::OkStatus();
  }

  absl::Status CheckName(const Line& l, std::string_view name, int col) const {
    if (name.empty()) return Err(l, col, "missing thread name before ':'");
    bool ok = IsAlpha(name[0]);
    for (char c : name) ok = ok && (IsAlpha(c) || IsDigit(c) || c == '_');
    if (!ok)
      return Err(l, col,
                 "invalid thread name " + Quote(name) +
                     " (expected a letter, then letters, digits or '_')");
    if (name.size() > static_cast<size_t>(kMaxNameLen))
      return Err(l, col,
                 "thread name " + Quote(name) + " is longer than " +
                     std::to_string(kMaxNameLen) + " characters");
    return absl::OkStatus();
  }

  int FindThread(std::string_view name) const {
    for (size_t i = 0; i < trace_.thread_names.size(); ++i)
      if (trace_.thread_names[i] == name) return static_cast<int>(i);
    return -1;
  }

  // A repeat being read: `repeat LO..HI {` and the items so far.
  struct Open {
    int lo, hi;
    ThreadBody block;
    SrcPos pos;
    bool star = false;  // `repeat * {`: a lasso's loop
  };

  const std::string& text_;
  const std::string& filename_;
  const ParseOptions opts_;
  Trace trace_;
  std::vector<ThreadBody> bodies_;       // per thread
  std::vector<std::vector<Open>> open_;  // per thread, innermost last
  std::vector<bool> forever_closed_;     // per thread: its last item is read
  std::vector<SrcPos> first_line_;       // per thread
  bool any_choice_ = false;
  bool header_seen_ = false;
  int header_line_ = 1;
  bool config_done_ = false;
  bool body_started_ = false;  // a thread or schedule line was seen
  int expect_line_ = 0;
  int judge_line_ = 0;
  SrcPos first_cfg_, first_policy_, fault_pos_, impl_sched_pos_;
  std::vector<SrcPos> set_at_;  // per ConfigFields() row; line 0 = unset
};

std::string FieldText(const ConfigField& f, const Config& c) {
  const int v = f.get(c);
  if (f.values.empty() || v < 0 || static_cast<size_t>(v) >= f.values.size())
    return std::to_string(v);
  return f.values[static_cast<size_t>(v)];
}

std::string ThreadName(const Trace& t, int i) {
  if (i >= 0 && static_cast<size_t>(i) < t.thread_names.size())
    return t.thread_names[static_cast<size_t>(i)];
  return "?" + std::to_string(i);  // not parseable: the trace is malformed
}

}  // namespace

std::string_view JudgeName(Judge j) {
  switch (j) {
    case Judge::kSpec:
      return "spec";
    case Judge::kDiff:
      return "diff";
    case Judge::kSched:
      return "sched";
  }
  return "spec";
}

bool ParseJudge(std::string_view name, Judge* out) {
  for (Judge j : {Judge::kSpec, Judge::kDiff, Judge::kSched}) {
    if (name == JudgeName(j)) {
      *out = j;
      return true;
    }
  }
  return false;
}

absl::StatusOr<Trace> ParseTrace(const std::string& text,
                                 const std::string& filename,
                                 const ParseOptions& opts) {
  Parser p(text, filename, opts);
  return p.Run();
}

absl::StatusOr<Trace> ReadTraceFile(const std::string& path,
                                    const ParseOptions& opts) {
  errno = 0;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return absl::NotFoundError(
        path + ": cannot read: " + std::strerror(errno ? errno : EIO));
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const int err = std::ferror(f) ? (errno ? errno : EIO) : 0;
  std::fclose(f);
  if (err != 0)
    return absl::NotFoundError(path + ": cannot read: " + std::strerror(err));
  return ParseTrace(text, path, opts);
}

std::string PrintCall(const Call& c) {
  if (!OpInRange(c.op))
    return "op#" + std::to_string(static_cast<int>(c.op));  // malformed
  const OpInfo& info = GetOpInfo(c.op);
  std::string out(info.name);
  for (int k = 0; k < NumArgs(info); ++k) {
    out += ' ';
    out += std::string(info.arg_names[k]);
    out += '=';
    out += std::to_string(c.args[k]);
  }
  return out;
}

namespace {

// Whether `alts` are every combination of contiguous argument ranges, the
// last argument varying fastest (what one line with ranges parses to);
// then *line is that line.
bool AsRanges(const std::vector<Call>& alts, std::string* line) {
  const OpInfo& info = GetOpInfo(alts[0].op);
  const int nargs = NumArgs(info);
  int lo[kMaxArgs] = {0, 0, 0}, hi[kMaxArgs] = {0, 0, 0};
  for (int k = 0; k < nargs; ++k) {
    lo[k] = hi[k] = alts[0].args[k];
    for (const Call& c : alts) {
      if (c.op != alts[0].op) return false;
      lo[k] = std::min<int>(lo[k], c.args[k]);
      hi[k] = std::max<int>(hi[k], c.args[k]);
    }
  }
  Call c = alts[0];
  for (int k = 0; k < nargs; ++k) c.args[k] = static_cast<int16_t>(lo[k]);
  for (size_t i = 0;; ++i) {
    if (i == alts.size() || !(alts[i] == c)) return false;
    int k = nargs - 1;
    while (k >= 0 && c.args[k] == hi[k])
      c.args[k] = static_cast<int16_t>(lo[k]), --k;
    if (k < 0) {
      if (i + 1 != alts.size()) return false;
      break;
    }
    ++c.args[k];
  }
  *line = std::string(info.name);
  for (int k = 0; k < nargs; ++k) {
    *line += " " + std::string(info.arg_names[k]) + "=" + std::to_string(lo[k]);
    if (hi[k] > lo[k]) *line += ".." + std::to_string(hi[k]);
  }
  return true;
}

// A call's alternatives: runs of one operation as ranges where they are
// exactly that, the rest one by one, joined by " | ".
std::string PrintAlternatives(const std::vector<Call>& alts) {
  std::string out;
  for (size_t i = 0; i < alts.size();) {
    size_t j = i;
    while (j < alts.size() && alts[j].op == alts[i].op) ++j;
    std::string line;
    if (!AsRanges({alts.begin() + i, alts.begin() + j}, &line)) {
      line = PrintCall(alts[i]);
      j = i + 1;
    }
    out += (out.empty() ? "" : " | ") + line;
    i = j;
  }
  return out;
}

void PrintBody(const ThreadBody& body, const std::string& prefix,
               std::string* out) {
  for (const BodyItem& it : body) {
    if (it.is_call()) {
      *out += prefix + PrintAlternatives(it.alts) + "\n";
      continue;
    }
    *out += prefix + "repeat " + std::to_string(it.lo) +
            (it.hi == kForever ? std::string("..*")
             : it.hi > it.lo   ? ".." + std::to_string(it.hi)
                               : "") +
            " {\n";
    PrintBody(it.block, prefix, out);
    *out += prefix + "}\n";
  }
}

}  // namespace

std::string PrintTrace(const Trace& t) {
  std::string out;
  out += std::string(kMagic) + " " + std::string(kVersion) + "\n";
  if (!t.expect.empty()) out += "# expect: " + t.expect + "\n";

  const Config defaults;
  std::string config = "config", policy = "policy";
  for (const ConfigField& f : ConfigFields()) {
    if (!f.is_policy) {
      config += " " + std::string(f.name) + "=" + FieldText(f, t.config);
    } else if (f.get(t.config) != f.get(defaults)) {
      policy += " " + std::string(f.name) + "=" + FieldText(f, t.config);
    }
  }
  out += config + "\n";
  if (policy.size() > 6) out += policy + "\n";
  if (t.config.ignore != 0) {
    out += "ignore:";
    for (int i = 1; i < static_cast<int>(Inv::kCount); ++i)
      if (t.config.ignored(i))
        out += " " + std::string(InvId(static_cast<Inv>(i)));
    out += "\n";
  }

  if (t.judge != Judge::kSpec)
    out += "judge: " + std::string(JudgeName(t.judge)) + "\n";
  if (t.faults.any()) {
    out += "fault:";
    for (const std::string& name : FaultNameList(t.faults)) out += " " + name;
    out += "\n";
  }

  for (size_t i = 0; i < t.threads.size(); ++i) {
    const std::string prefix =
        "thread " + ThreadName(t, static_cast<int>(i)) + ": ";
    if (!t.bodies.empty()) {
      PrintBody(t.bodies[i], prefix, &out);
      continue;
    }
    for (const Call& c : t.threads[i]) out += prefix + PrintCall(c) + "\n";
    if (t.loop(static_cast<int>(i)).empty()) continue;
    out += prefix + "repeat * {\n";
    for (const Call& c : t.loop(static_cast<int>(i)))
      out += prefix + PrintCall(c) + "\n";
    out += prefix + "}\n";
  }

  // Run-length encoded, at most kSchedTokensPerLine tokens per line.
  auto rle = [&](const std::vector<int>& sched, const char* kw) {
    int on_line = 0;
    for (size_t i = 0; i < sched.size();) {
      const int tid = sched[i];
      size_t run = 1;
      while (i + run < sched.size() && sched[i + run] == tid &&
             run < static_cast<size_t>(kMaxRepeat))
        ++run;
      out += on_line == 0 ? kw : "";
      out += " " + ThreadName(t, tid);
      if (run >= 2) out += "*" + std::to_string(run);
      if (++on_line == kSchedTokensPerLine) {
        out += "\n";
        on_line = 0;
      }
      i += run;
    }
    if (on_line > 0) out += "\n";
  };
  rle(t.schedule, "schedule:");
  rle(t.impl_schedule, "impl-schedule:");
  rle(t.cycle, "cycle:");
  return out;
}

}  // namespace lifecheck
