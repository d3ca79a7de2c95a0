#include "tools/cli.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness/findings/artefact.h"

namespace lifecheck::cli {
namespace {

// A function-local static: registrars in other files run during static
// initialisation, in an order the language leaves open.
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}

}  // namespace

RegisterCommand::RegisterCommand(const Command& c) {
  std::vector<Command>& r = Registry();
  r.push_back(c);
  std::stable_sort(r.begin(), r.end(), [](const Command& a, const Command& b) {
    if (a.order != b.order) return a.order < b.order;
    return std::string_view(a.name) < std::string_view(b.name);
  });
}

const std::vector<Command>& Commands() { return Registry(); }

const Command* FindCommand(std::string_view name) {
  for (const Command& c : Commands())
    if (name == c.name) return &c;
  return nullptr;
}

std::string Usage() {
  std::string out =
      "usage: lifecheck <command> [options] [args]\n"
      "\n"
      "lifecheck checks object-lifetime protocols (refcounts, leases, page "
      "locks,\nDMA pins): it replays traces on the executable spec, checks "
      "the optimized\nimplementation against it, and reports invariant "
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

int UsageError(const std::string& msg, const Command* c) {
  std::cerr << "lifecheck: " << msg << "\n"
            << (c != nullptr ? CommandHelp(*c) : Usage());
  return kExitBadInput;
}

bool Parsed::Has(const std::string& flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::string Parsed::Value(const std::string& flag,
                          const std::string& def) const {
  auto it = values.find(flag);
  return it == values.end() || it->second.empty() ? def : it->second.back();
}

bool Parsed::Int(const Command& c, const std::string& flag, int def, int lo,
                 int hi, int* out, int* exit_code) const {
  *out = def;
  auto it = values.find(flag);
  if (it == values.end() || it->second.empty()) return true;
  const std::string& v = it->second.back();
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) {
    *exit_code =
        UsageError(absl::StrCat(c.name, ": ", flag, " wants an ", "integer in ",
                                lo, "..", hi, ", got '", v, "'"),
                   &c);
    return false;
  }
  *out = n;
  return true;
}

bool ParseArgs(const Command& c, const Args& args,
               const std::vector<Flag>& flags, Parsed* p, int* exit_code) {
  bool only_operands = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
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
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const Flag* flag = nullptr;
    for (const Flag& f : flags)
      if (std::find(f.names.begin(), f.names.end(), name) != f.names.end())
        flag = &f;
    if (flag == nullptr || (eq != std::string::npos && !flag->takes_value)) {
      *exit_code =
          UsageError(absl::StrCat(c.name, ": unknown option '", a, "'"), &c);
      return false;
    }
    const std::string& canon = flag->names.front();
    p->flags.push_back(canon);
    if (!flag->takes_value) continue;
    if (eq != std::string::npos) {
      p->values[canon].push_back(a.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      p->values[canon].push_back(args[++i]);
    } else {
      *exit_code = UsageError(
          absl::StrCat(c.name, ": option '", a, "' needs a value"), &c);
      return false;
    }
  }
  if (p->help) {
    std::cout << CommandHelp(c);
    *exit_code = kExitOk;
    return false;
  }
  return true;
}

std::string InputError(const absl::Status& s, const std::string& path) {
  const std::string msg(s.message());
  if (absl::StartsWith(msg, path)) return msg;
  return absl::StrCat(path, ": ", msg);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f),
              std::istreambuf_iterator<char>());
  return !f.bad();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

bool WriteOutput(const std::string& path, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (WriteFile(path, text)) return true;
  std::cerr << "lifecheck: " << path << ": cannot write\n";
  return false;
}

std::optional<Judged> LoadJudged(const std::string& path, int* exit_code) {
  Judged j;
  absl::StatusOr<Trace> t = LoadArtefact(path, &j.how);
  if (!t.ok()) {
    std::cerr << InputError(t.status(), path) << "\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  absl::StatusOr<Judgement> r = JudgeTrace(*t, path);
  if (!r.ok()) {
    std::cerr << InputError(r.status(), path) << "\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  j.trace = *std::move(t);
  j.judgement = *std::move(r);
  return j;
}

std::string ReportPath(const Parsed& p, const std::string& name) {
  const std::string dir = p.Value("--report-dir", kDefaultReportDir);
  return (std::filesystem::path(dir) / name).string();
}

void PrintColumns(const std::vector<std::vector<std::string>>& rows,
                  const std::string& indent) {
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

}  // namespace lifecheck::cli
