// The plumbing every `lifecheck` subcommand shares: the command registry,
// argument parsing, usage errors and exit codes.
//
// Each command lives in its own tools/cmd_*.cc and registers itself with a
// static RegisterCommand, so adding a command touches no shared file and the
// usage text and the dispatcher cannot disagree. Exit codes follow DESIGN
// principle 7: 0 ok/clean, 1 a finding (or a failing regression), 2 bad usage
// or bad input. Bad input never crashes: it is an absl::Status whose message
// ("FILE:LINE:COL: ...") goes to stderr.
#ifndef LIFECHECK_TOOLS_CLI_H_
#define LIFECHECK_TOOLS_CLI_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "harness/findings/judge.h"
#include "harness/trace/trace.h"

namespace lifecheck::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFinding = 1;
inline constexpr int kExitBadInput = 2;

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* synopsis;  // arguments, for the usage line
  const char* summary;   // one line
  const char* help;      // details for `lifecheck <cmd> --help`
  int (*run)(const Args& args);
  int order;  // position in the usage list (then by name)
};

// `static RegisterCommand r({...});` in a cmd_*.cc adds a command.
struct RegisterCommand {
  explicit RegisterCommand(const Command& c);
};

const std::vector<Command>& Commands();  // sorted by order, then name
const Command* FindCommand(std::string_view name);
std::string Usage();
std::string CommandHelp(const Command& c);

// A usage error: message and the usage text on stderr; returns exit code 2.
int UsageError(const std::string& msg, const Command* c = nullptr);

// A flag and its aliases ("--quiet", "-q"); `takes_value` flags read the next
// argument or "--flag=value" and may repeat.
struct Flag {
  std::vector<std::string> names;
  bool takes_value = false;
};

struct Parsed {
  std::vector<std::string> flags;                          // canonical names
  std::map<std::string, std::vector<std::string>> values;  // by canonical name
  std::vector<std::string> operands;
  bool help = false;

  bool Has(const std::string& flag) const;
  // The last value given for `flag`, or `def` if absent.
  std::string Value(const std::string& flag, const std::string& def) const;
  // Parses an integer value in [lo, hi]; on a bad value prints a usage error
  // and returns false with *exit_code = 2. Absent: *out = def.
  bool Int(const Command& c, const std::string& flag, int def, int lo, int hi,
           int* out, int* exit_code) const;
};

// Parses a command's arguments: known flags and operands; `--` ends the flags.
// Returns false when the caller should return *exit_code: an unknown flag or a
// missing value (usage error, 2), or --help (help printed, 0).
bool ParseArgs(const Command& c, const Args& args,
               const std::vector<Flag>& flags, Parsed* p, int* exit_code);

// A status message that names its file: ParseTrace's errors already start
// with "FILE:", I/O errors may not.
std::string InputError(const absl::Status& s, const std::string& path);

// std::string_view from the spec tables into absl (toolchain gotcha G7).
inline absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

// Reads the whole of `path` as bytes into *out; false on any I/O error.
bool ReadFile(const std::string& path, std::string* out);
// Writes `text` to `path` (created or truncated); false on any I/O error.
bool WriteFile(const std::string& path, const std::string& text);

// Writes `text` to `path`, creating its directory first; on failure prints
// "lifecheck: PATH: cannot write" and returns false.
bool WriteOutput(const std::string& path, const std::string& text);

// A finding's artefact, read and judged by its own judge
// (harness/findings/artefact.h, judge.h): the opening every command that
// takes an artefact shares.
struct Judged {
  Trace trace;
  Judgement judgement;
  std::string how;  // what decoded it (LoadArtefact)
};
// On bad input prints "FILE:LINE:COL: message" and returns nullopt with
// *exit_code = 2.
std::optional<Judged> LoadJudged(const std::string& path, int* exit_code);

// Where a command writes a file it names itself: under --report-dir DIR
// (default `lifecheck-report`), never into the current directory as such.
inline constexpr char kDefaultReportDir[] = "lifecheck-report";
std::string ReportPath(const Parsed& p, const std::string& name);

// Rows of cells printed to stdout as aligned columns (last column unpadded).
void PrintColumns(const std::vector<std::vector<std::string>>& rows,
                  const std::string& indent = "");

}  // namespace lifecheck::cli

#endif  // LIFECHECK_TOOLS_CLI_H_
