// What `lifecheck check` and its --table mode share: turning a problem and
// McOptions into a verdict through the engine registry.
#ifndef LIFECHECK_TOOLS_CHECK_COMMON_H_
#define LIFECHECK_TOOLS_CHECK_COMMON_H_

#include <string>

#include "mc/engine.h"
#include "tools/cli.h"

namespace lifecheck::cli {

// `lifecheck check --table [--write FILE]`: the docs/performance.md table.
int CheckTable(const Parsed& p);

// `lifecheck check --all [--budget S] [--engines a,b] [--mainline-only]
// [--report DIR] [--regress-summary F] [--fuzz-summary F]`: every scenario x
// variant x engine, table + report.md + report.html (tools/check_all.cc).
int CheckAll(const Command& c, const Parsed& p);

// "1.23 ms" / "4.56 s".
std::string FormatSeconds(double s);

// The stat named `key` of r, or "".
std::string Stat(const McResult& r, const std::string& key);

}  // namespace lifecheck::cli

#endif  // LIFECHECK_TOOLS_CHECK_COMMON_H_
