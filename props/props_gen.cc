#include "props/props_gen.h"

#include <cstdlib>
#include <fstream>
#include <functional>

#include "absl/strings/str_cat.h"
#include "harness/findings/report.h"
#include "spec/findings.h"

namespace lifecheck {

rc::Gen<Config> GenConfig(Knobs knobs) {
  return rc::gen::exec([knobs] {
    Config c;  // mainline policies
    for (const ConfigField& f : ConfigFields()) {
      if (f.is_policy && knobs == Knobs::kMainline) continue;
      const int v =
          f.values.empty()
              ? *rc::gen::inRange(f.min, f.max + 1)
              : *rc::gen::inRange(0, static_cast<int>(f.values.size()));
      f.set(c, v);
    }
    if (c.fs == FsKind::kLibfs) c.pins = 0;  // ValidateConfig
    RC_ASSERT(ValidateConfig(c).empty());
    return c;
  });
}

std::vector<Op> CallableOps(const Config& cfg) {
  std::vector<Op> ops;
  for (int o = 0; o < static_cast<int>(Op::kCount); ++o) {
    const OpInfo& info = GetOpInfo(static_cast<Op>(o));
    bool ok = true;
    for (int k = 0; k < info.nargs; ++k) {
      const auto [lo, hi] = ArgRangeOf(info.arg_kinds[k], cfg);
      ok = ok && hi >= lo;
    }
    if (ok) ops.push_back(static_cast<Op>(o));
  }
  return ops;
}

rc::Gen<Call> GenCall(const Config& cfg, std::vector<Op> ops) {
  std::vector<Op> callable = CallableOps(cfg);
  if (!ops.empty()) {
    std::vector<Op> both;
    for (Op o : ops)
      if (std::find(callable.begin(), callable.end(), o) != callable.end())
        both.push_back(o);
    callable = both.empty() ? std::vector<Op>{Op::kUmount} : both;
  }
  return rc::gen::exec([cfg, callable] {
    Call c;
    c.op = *rc::gen::elementOf(callable);
    const OpInfo& info = GetOpInfo(c.op);
    for (int k = 0; k < info.nargs; ++k) {
      const auto [lo, hi] = ArgRangeOf(info.arg_kinds[k], cfg);
      c.args[k] = static_cast<int16_t>(*rc::gen::inRange(lo, hi + 1));
    }
    RC_ASSERT(ValidateCall(c, cfg).empty());
    return c;
  });
}

rc::Gen<ThreadCall> GenThreadCall(const Config& cfg, int threads,
                                  std::vector<Op> ops) {
  return rc::gen::exec([cfg, threads, ops] {
    const int t = *rc::gen::inRange(0, threads);
    return ThreadCall{t, *GenCall(cfg, ops)};
  });
}

rc::Gen<Trace> GenTextTrace() {
  return rc::gen::exec([] {
    Trace t;
    t.config = *GenConfig(Knobs::kAny);
    // Any invariant may be ignored except DEADLOCK and DIFF-* (the parser
    // refuses those).
    for (int i = 1; i < static_cast<int>(Inv::kDeadlock); ++i)
      if (*rc::gen::weightedElement<bool>({{9, false}, {1, true}}))
        t.config.ignore |= uint64_t{1} << i;
    const int n = *rc::gen::inRange(1, kMaxThreads + 1);
    // Names: distinct identifiers; the index keeps them distinct.
    for (int i = 0; i < n; ++i) {
      const std::string stem = *rc::gen::elementOf(
          std::vector<std::string>{"T", "P", "writer", "umount_", "x_y9"});
      t.thread_names.push_back(absl::StrCat(stem, i));
      t.threads.push_back(
          *rc::gen::container<std::vector<Call>>(GenCall(t.config)));
    }
    // The text form has no way to write a thread without calls (a thread
    // exists by its `thread NAME:` lines).
    for (auto& calls : t.threads)
      if (calls.empty()) calls.push_back(*GenCall(t.config));
    t.schedule = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, n));
    std::vector<std::string> expects = {"", "clean", "DEADLOCK"};
    for (int i = 1; i < static_cast<int>(Inv::kCount); ++i)
      expects.emplace_back(InvId(static_cast<Inv>(i)));
    t.expect = *rc::gen::elementOf(expects);
    return t;
  });
}

std::string DumpFailure(const Trace& t, const std::string& what,
                        const std::string& replay_cmd) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string text = PrintTrace(t);
  const std::string path =
      absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/lifecheck-props-", what, "-",
                   std::hash<std::string>{}(text) % 1000000007, ".trace");
  std::ofstream(path) << text;
  return absl::StrCat("trace written to ", path, "\n", text,
                      "replay: ", replay_cmd, " ", path, "\n");
}

void showValue(const Config& c, std::ostream& os) { os << ConfigLine(c); }

void showValue(const Call& c, std::ostream& os) { os << PrintCall(c); }

void showValue(const CallList& l, std::ostream& os) {
  os << ConfigLine(l.config);
  for (const ThreadCall& c : l.calls)
    os << "\n  " << CanonicalThreadName(c.thread) << ": " << PrintCall(c.call);
}

void showValue(const Trace& t, std::ostream& os) { os << PrintTrace(t); }

}  // namespace lifecheck
