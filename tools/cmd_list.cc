// `lifecheck list-ops|list-policies|list-invariants`: the closed vocabularies
// a trace is written in.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/config.h"
#include "spec/findings.h"
#include "spec/program.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

// The commands that take no arguments share their flag handling: false means
// return *rc (help printed, or a usage error).
bool NoArgs(const char* name, const Args& args, int* rc) {
  const Command& c = *FindCommand(name);
  Parsed p;
  if (!ParseArgs(c, args, {}, &p, rc)) return false;
  if (!p.operands.empty()) {
    *rc = UsageError(
        absl::StrCat(name, ": unexpected argument '", p.operands[0], "'"), &c);
    return false;
  }
  return true;
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

int CmdListOps(const Args& args) {
  if (int rc = kExitOk; !NoArgs("list-ops", args, &rc)) return rc;
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
  if (int rc = kExitOk; !NoArgs("list-policies", args, &rc)) return rc;
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
  if (int rc = kExitOk; !NoArgs("list-invariants", args, &rc)) return rc;
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

const RegisterCommand kRegisterListOps(Command{
    "list-ops", "", "list the operations a trace can call",
    "\nOne line per op: its name, its arguments (name=<kind>) and what it\n"
    "models. Argument ranges depend on the trace's config.\n",
    CmdListOps, 80});
const RegisterCommand kRegisterListPolicies(Command{
    "list-policies", "", "list config sizes and policy knobs",
    "\nOne line per config field and policy knob: its values, the default\n"
    "in brackets, and what it selects.\n",
    CmdListPolicies, 81});
const RegisterCommand kRegisterListInvariants(Command{
    "list-invariants", "", "list invariant IDs and kernel warnings",
    "\nThe closed taxonomy of findings (the IDs '# expect:' headers and\n"
    "SUMMARY lines use) and of the kernel warnings the spec models.\n",
    CmdListInvariants, 82});

}  // namespace
}  // namespace lifecheck::cli
