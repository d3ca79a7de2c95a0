// lifecheck: the command-line front end. Each subcommand is a tools/cmd_*.cc
// that registers itself (tools/cli.h); this file only dispatches.
#include <algorithm>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/cli.h"

namespace lifecheck::cli {
namespace {

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

const RegisterCommand kRegisterHelp(Command{
    "help", "[COMMAND]", "show this text or one command's help", "", CmdHelp,
    99});

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
}  // namespace lifecheck::cli

int main(int argc, char** argv) { return lifecheck::cli::Main(argc, argv); }
