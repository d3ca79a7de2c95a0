// sched_fuzzer's logic (fuzz/sched_fuzzer.cc is one line, STYLE habit 10):
// bytes -> (configuration, per-thread calls, schedule choices) -> the impl
// under the controlled scheduler, judged like one `lifecheck explore` run.
//
// Layout: [len_lo len_hi] then `len` bytes of the binary trace
// (harness/trace/binary_trace.h: header + calls; LIFECHECK_CONFIG pins the
// configuration as for diff_fuzzer), then one byte per scheduling point
// at which more than one thread can run: the chosen thread is
// runnable[b % count]. When the bytes run out: the last thread if it can
// run, else the lowest (a fixed rule). Every byte string decodes.
//
// Calls: the calls the spec's call-order run makes (a call whose caller
// contract fails at its turn is dropped, as diff_fuzzer skips it, and the
// list ends with the call that ends the run); a pin slot's pin/dma/unpin
// calls only from the first thread that uses it; without umount when
// several threads run (harness/run/call_contract.h). A finding of a
// run in which some call started without its contract (judged on the spec
// taking the run's recorded steps: whether a lookup took its reference can
// depend on the interleaving) is dropped as a bad test program.
//
// Findings: every ID of the scheduler and its spec cross-check except
// DEADLOCK (a random program that waits for a pin it never drops is a bad
// test program, as in diff_fuzzer). On a finding: the report and the text
// trace (with impl-schedule:) on stderr, then abort().
#ifndef LIFECHECK_HARNESS_SCHED_SCHED_FUZZ_H_
#define LIFECHECK_HARNESS_SCHED_SCHED_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/sched/sched.h"
#include "harness/trace/binary_trace.h"
#include "harness/trace/trace.h"

namespace lifecheck::sched {

struct SchedFuzzRun {
  Trace trace;  // config, threads, impl-schedule (the run's decisions),
                // schedule if step-serial, expect = verdict
  SchedOutcome outcome;
  // Every call the run started kept its caller contract (judged on the
  // spec taking the run's steps); a finding of a run where one did not is
  // a bad test program, not a finding.
  bool contracts_held = true;
};

// Decodes and runs one input with `faults` planted in the impl. Total. The
// trace says `judge: sched` and carries the faults.
SchedFuzzRun RunSchedInput(const uint8_t* data, size_t size,
                           const DecodeOptions& opts,
                           const Faults& faults = {});

// The bytes of a trace with an impl-schedule: the calls part and the choice
// bytes of its decisions. RunSchedInput(Encode(t)) replays t's run when t's
// threads are TraceOfCalls-ordered (names A, B, ...).
std::string EncodeSchedInput(const Trace& t);

}  // namespace lifecheck::sched

#endif  // LIFECHECK_HARNESS_SCHED_SCHED_FUZZ_H_
