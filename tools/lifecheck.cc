// lifecheck: the command-line front end.
//
// Every command is a row of kCommands (name, synopsis, help, handler) so that
// the usage text and the dispatcher cannot disagree. Exit codes follow DESIGN
// principle 7: 0 ok/clean, 1 a finding (or a failing regression), 2 bad usage
// or bad input. Bad input never crashes: it is an absl::Status whose message
// ("FILE:LINE:COL: ...") goes to stderr.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "harness/replay.h"
#include "harness/report.h"
#include "harness/trace.h"
#include "spec/config.h"
#include "spec/findings.h"
#include "spec/program.h"

namespace lifecheck {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFinding = 1;
constexpr int kExitBadInput = 2;

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* synopsis;  // arguments, for the usage line
  const char* summary;   // one line
  const char* help;      // details for `lifecheck <cmd> --help`
  int (*run)(const Args& args);
};

const std::vector<Command>& Commands();

// std::string_view from the spec tables into absl (toolchain gotcha G7).
absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

std::string Usage() {
  std::string out =
      "usage: lifecheck <command> [options] [args]\n"
      "\n"
      "lifecheck replays object-lifetime traces (refcounts, leases, page "
      "locks,\nDMA pins) on the executable spec and reports invariant "
      "violations.\n\ncommands:\n";
  size_t width = 0;
  for (const Command& c : Commands())
    width = std::max(
        width, std::string(c.name).size() + 1 + std::string(c.synopsis).size());
  for (const Command& c : Commands()) {
    std::string head = absl::StrCat(c.name, " ", c.synopsis);
    head.resize(width, ' ');
    absl::StrAppend(&out, "  ", head, "  ", c.summary, "\n");
  }
  absl::StrAppend(&out,
                  "\n'lifecheck <command> --help' describes one command.\n"
                  "exit codes: 0 ok/clean, 1 finding or failed regression, "
                  "2 bad usage or bad input\n");
  return out;
}

std::string CommandHelp(const Command& c) {
  return absl::StrCat("usage: lifecheck ", c.name, " ", c.synopsis, "\n\n",
                      c.summary, ".\n", c.help);
}

// A usage error: message and the usage text on stderr, exit code 2.
int UsageError(const std::string& msg, const Command* c = nullptr) {
  std::cerr << "lifecheck: " << msg << "\n"
            << (c != nullptr ? CommandHelp(*c) : Usage());
  return kExitBadInput;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : Commands())
    if (name == c.name) return &c;
  return nullptr;
}

// Splits a command's arguments into known flags and operands. `flags` lists
// the accepted flags with their aliases; `--` ends the flags. Returns false
// (after printing a usage error) on an unknown flag.
struct Parsed {
  std::vector<std::string> flags;  // canonical names of the flags seen
  std::vector<std::string> operands;
  bool help = false;
};
bool ParseArgs(const Command& c, const Args& args,
               const std::vector<std::vector<std::string>>& flags, Parsed* p,
               int* exit_code) {
  bool only_operands = false;
  for (const std::string& a : args) {
    if (only_operands || a.empty() || a[0] != '-' || a == "-") {
      p->operands.push_back(a);
      continue;
    }
    if (a == "--") {
      only_operands = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      p->help = true;
      continue;
    }
    bool known = false;
    for (const auto& aliases : flags) {
      if (std::find(aliases.begin(), aliases.end(), a) != aliases.end()) {
        p->flags.push_back(aliases.front());
        known = true;
      }
    }
    if (!known) {
      *exit_code =
          UsageError(absl::StrCat(c.name, ": unknown option '", a, "'"), &c);
      return false;
    }
  }
  return true;
}

bool HasFlag(const Parsed& p, const std::string& flag) {
  return std::find(p.flags.begin(), p.flags.end(), flag) != p.flags.end();
}

// A status message that names its file: ParseTrace's errors already start
// with "FILE:", I/O errors may not.
std::string InputError(const absl::Status& s, const std::string& path) {
  const std::string msg(s.message());
  if (absl::StartsWith(msg, path)) return msg;
  return absl::StrCat(path, ": ", msg);
}

// ---- run ----

int RunOne(const std::string& path, bool quiet, bool prefix) {
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<RunResult> r = RunTrace(*t, path);
  if (!r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    return kExitBadInput;
  }
  const bool finding = Finding(*r) != Inv::kNone;
  const std::string verdict =
      finding ? SummaryLine(*t, *r)
              : absl::StrCat("lifecheck: clean (", r->steps.size(), " steps)");
  if (quiet) {
    std::cout << (prefix ? path + ": " : "") << verdict << "\n";
  } else if (finding) {
    std::cout << FindingReport(*t, *r, path);
  } else {
    std::cout << InterleavingTable(*t, *r) << WarningLines(*r) << verdict
              << "\n";
  }
  return finding ? kExitFinding : kExitOk;
}

int CmdRun(const Args& args) {
  const Command& c = *FindCommand("run");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{"--quiet", "-q"}}, &p, &rc)) return rc;
  if (p.help) {
    std::cout << CommandHelp(c);
    return kExitOk;
  }
  if (p.operands.empty()) return UsageError("run: no trace file given", &c);
  const bool quiet = HasFlag(p, "--quiet");
  const bool many = p.operands.size() > 1;
  for (size_t i = 0; i < p.operands.size(); ++i) {
    const std::string& path = p.operands[i];
    if (many && !quiet)
      std::cout << (i > 0 ? "\n" : "") << "==> " << path << " <==\n";
    std::cout.flush();
    rc = std::max(rc, RunOne(path, quiet, many));
  }
  return rc;
}

// ---- regress ----

// Collects the *.trace files under `root` (or `root` itself if it is a
// file). False if `root` does not exist or cannot be read.
bool CollectTraces(const std::string& root, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(root, ec);
  if (ec || !fs::exists(st)) return false;
  if (fs::is_regular_file(st)) {
    out->push_back(root);
    return true;
  }
  if (!fs::is_directory(st)) return false;
  fs::recursive_directory_iterator it(
      root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (const fs::recursive_directory_iterator end; it != end;
       it.increment(ec)) {
    if (ec) return false;
    std::error_code fec;
    if (it->is_regular_file(fec) && it->path().extension() == ".trace")
      out->push_back(it->path().string());
  }
  return !ec;
}

// Runs one regression trace; returns whether it passed and prints its line.
bool RegressOne(const std::string& path, bool quiet) {
  std::string expect, got;
  auto report = [&](bool pass, const std::string& detail) {
    if (!pass || !quiet)
      std::cout << (pass ? "PASS  " : "FAIL  ") << path << "  (" << detail
                << ")\n";
    return pass;
  };
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  if (!t.ok()) return report(false, "error: " + InputError(t.status(), path));
  expect = t->expect;
  if (expect.empty()) return report(false, "no expect header");
  Inv inv;
  if (expect != "clean" && !ParseInvId(expect, &inv))
    return report(false, absl::StrCat("bad expect header '", expect,
                                      "': want clean or an invariant ID"));
  absl::StatusOr<RunResult> r = RunTrace(*t, path);
  if (!r.ok()) return report(false, "error: " + InputError(r.status(), path));
  got = Verdict(*r);
  return report(got == expect, absl::StrCat("expect ", expect, ", got ", got));
}

int CmdRegress(const Args& args) {
  const Command& c = *FindCommand("regress");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {{"--quiet", "-q"}}, &p, &rc)) return rc;
  if (p.help) {
    std::cout << CommandHelp(c);
    return kExitOk;
  }
  if (p.operands.empty()) return UsageError("regress: no directory given", &c);
  std::vector<std::string> traces;
  for (const std::string& root : p.operands) {
    if (!CollectTraces(root, &traces)) {
      std::cerr << "lifecheck: regress: " << root
                << ": no such file or directory (or unreadable)\n";
      return kExitBadInput;
    }
  }
  std::sort(traces.begin(), traces.end());
  traces.erase(std::unique(traces.begin(), traces.end()), traces.end());
  if (traces.empty()) {
    std::cerr << "lifecheck: regress: no *.trace files under "
              << absl::StrJoin(p.operands, " ") << "\n";
    return kExitBadInput;
  }
  int passed = 0, failed = 0;
  for (const std::string& path : traces)
    (RegressOne(path, HasFlag(p, "--quiet")) ? passed : failed) += 1;
  std::cout << "regress: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitOk : kExitFinding;
}

// ---- print ----

int CmdPrint(const Args& args) {
  const Command& c = *FindCommand("print");
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {}, &p, &rc)) return rc;
  if (p.help) {
    std::cout << CommandHelp(c);
    return kExitOk;
  }
  if (p.operands.size() != 1)
    return UsageError("print: exactly one trace file expected", &c);
  absl::StatusOr<Trace> t = ReadTraceFile(p.operands[0]);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), p.operands[0]) << "\n";
    return kExitBadInput;
  }
  const std::string text = PrintTrace(*t);
  std::cout << text << (absl::EndsWith(text, "\n") ? "" : "\n");
  return kExitOk;
}

// ---- list-* ----

// The commands that take no arguments share their flag handling.
int NoArgs(const char* name, const Args& args, std::string* err_or_help,
           bool* help) {
  const Command& c = *FindCommand(name);
  Parsed p;
  int rc = kExitOk;
  if (!ParseArgs(c, args, {}, &p, &rc)) return rc;
  *help = p.help;
  if (p.help) *err_or_help = CommandHelp(c);
  if (!p.operands.empty())
    return UsageError(
        absl::StrCat(name, ": unexpected argument '", p.operands[0], "'"), &c);
  return kExitOk;
}

const char* ArgKindName(ArgKind k) {
  switch (k) {
    case ArgKind::kDentry:
      return "dentry";
    case ArgKind::kFile:
      return "file";
    case ArgKind::kIndex:
      return "index";
    case ArgKind::kSize:
      return "size";
    case ArgKind::kPte:
      return "pte";
    case ArgKind::kPin:
      return "pin";
    case ArgKind::kEvent:
      return "event";
  }
  return "?";
}

// Rows of cells printed as aligned columns (last column unpadded).
void PrintColumns(const std::vector<std::vector<std::string>>& rows,
                  const std::string& indent = "") {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

int CmdListOps(const Args& args) {
  std::string help;
  bool want_help = false;
  if (int rc = NoArgs("list-ops", args, &help, &want_help); rc != 0) return rc;
  if (want_help) {
    std::cout << help;
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (int k = 0; k < static_cast<int>(Op::kCount); ++k) {
    const OpInfo& info = GetOpInfo(static_cast<Op>(k));
    std::vector<std::string> args_text;
    for (int a = 0; a < info.nargs; ++a)
      args_text.push_back(absl::StrCat(A(info.arg_names[a]), "=<",
                                       ArgKindName(info.arg_kinds[a]), ">"));
    rows.push_back({std::string(info.name), absl::StrJoin(args_text, " "),
                    std::string(info.summary)});
  }
  PrintColumns(rows);
  return kExitOk;
}

std::string FieldValueText(const ConfigField& f, int v) {
  if (f.values.empty()) return absl::StrCat(v);
  if (v >= 0 && static_cast<size_t>(v) < f.values.size()) return f.values[v];
  return absl::StrCat(v);
}

int CmdListPolicies(const Args& args) {
  std::string help;
  bool want_help = false;
  if (int rc = NoArgs("list-policies", args, &help, &want_help); rc != 0)
    return rc;
  if (want_help) {
    std::cout << help;
    return kExitOk;
  }
  const Config mainline;
  for (bool policy : {false, true}) {
    std::cout << (policy
                      ? "\npolicy knobs (mainline default in brackets):\n"
                      : "config (filesystem kind and object counts; default in "
                        "brackets):\n");
    std::vector<std::vector<std::string>> rows;
    for (const ConfigField& f : ConfigFields()) {
      if (f.is_policy != policy) continue;
      const std::string values = f.values.empty()
                                     ? absl::StrCat(f.min, "..", f.max)
                                     : absl::StrJoin(f.values, "|");
      rows.push_back(
          {f.name, values,
           absl::StrCat("[", FieldValueText(f, f.get(mainline)), "]"), f.help});
    }
    PrintColumns(rows, "  ");
  }
  return kExitOk;
}

int CmdListInvariants(const Args& args) {
  std::string help;
  bool want_help = false;
  if (int rc = NoArgs("list-invariants", args, &help, &want_help); rc != 0)
    return rc;
  if (want_help) {
    std::cout << help;
    return kExitOk;
  }
  std::cout << "invariants (ID, seed, meaning):\n";
  std::vector<std::vector<std::string>> rows;
  for (int k = 1; k < static_cast<int>(Inv::kCount); ++k) {
    const Inv i = static_cast<Inv>(k);
    rows.push_back({std::string(InvId(i)), std::string(InvSeed(i)),
                    std::string(InvMeaning(i))});
  }
  PrintColumns(rows, "  ");
  std::cout << "\nkernel warnings (code, kernel text):\n";
  rows.clear();
  for (int k = 0; k < static_cast<int>(Warn::kCount); ++k) {
    const Warn w = static_cast<Warn>(k);
    rows.push_back({std::string(WarnCode(w)), std::string(WarnText(w))});
  }
  PrintColumns(rows, "  ");
  return kExitOk;
}

int CmdHelp(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << Usage();
    return kExitOk;
  }
  const Command* c = FindCommand(args[0]);
  if (c == nullptr || args.size() > 1)
    return UsageError(absl::StrCat("help: unknown command '", args[0], "'"));
  std::cout << CommandHelp(*c);
  return kExitOk;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"run", "[--quiet] FILE...",
       "replay traces on the spec and show the interleaving",
       "\nEach FILE is a text trace. Its schedule is followed entry by entry;\n"
       "then every thread runs to completion in the sequential order.\n"
       "A clean run prints the interleaving table and 'lifecheck: clean (N "
       "steps)'.\nA finding prints the report: the invariant ID, the table, "
       "the replay\ncommand and a last line 'SUMMARY: lifecheck: <ID> ...'.\n"
       "\noptions:\n  -q, --quiet   print only the verdict line of each file\n"
       "\nexit: 0 all clean, 1 a finding, 2 bad input (FILE:LINE:COL on "
       "stderr)\n",
       CmdRun},
      {"regress", "[--quiet] DIR...",
       "run every *.trace under DIR and check its '# expect:' header",
       "\nFinds *.trace files recursively (sorted), replays each and compares\n"
       "its verdict (clean, an invariant ID, or DEADLOCK) with the trace's\n"
       "'# expect: <verdict>' header. A trace without the header, or one that\n"
       "does not parse, fails.\n"
       "\noptions:\n  -q, --quiet   print only failing traces and the total\n"
       "\nexit: 0 all pass, 1 some failed, 2 a DIR is missing or holds no "
       "traces\n",
       CmdRegress},
      {"print", "FILE", "print a trace in canonical form",
       "\nParses FILE and prints it back in the canonical text form, which\n"
       "parses to the same trace.\n\nexit: 0 ok, 2 bad input\n",
       CmdPrint},
      {"list-ops", "", "list the operations a trace can call",
       "\nOne line per op: its name, its arguments (name=<kind>) and what it\n"
       "models. Argument ranges depend on the trace's config.\n",
       CmdListOps},
      {"list-policies", "", "list config sizes and policy knobs",
       "\nOne line per config field and policy knob: its values, the default\n"
       "in brackets, and what it selects.\n",
       CmdListPolicies},
      {"list-invariants", "", "list invariant IDs and kernel warnings",
       "\nThe closed taxonomy of findings (the IDs '# expect:' headers and\n"
       "SUMMARY lines use) and of the kernel warnings the spec models.\n",
       CmdListInvariants},
      {"help", "[COMMAND]", "show this text or one command's help", "",
       CmdHelp},
  };
  return kCommands;
}

int Main(int argc, char** argv) {
  Args args(argv + (argc > 0 ? 1 : 0), argv + std::max(argc, 1));
  if (args.empty()) return UsageError("no command given");
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "--help" || cmd == "-h") {
    std::cout << Usage();
    return kExitOk;
  }
  const Command* c = FindCommand(cmd);
  if (c == nullptr)
    return UsageError(absl::StrCat("unknown command '", cmd, "'"));
  return c->run(args);
}

}  // namespace
}  // namespace lifecheck

int main(int argc, char** argv) { return lifecheck::Main(argc, argv); }
