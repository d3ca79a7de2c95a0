// The logic behind the fuzz entry points (fuzz/*.cc are one-liners, STYLE
// habit 10): decode the bytes, run, and on a finding print the report and
// abort() so that libFuzzer and AFL++ both record a crash.
//
// Environment (read once, at the first input; never changes between inputs):
//   LIFECHECK_CONFIG  pin the configuration (harness/trace/binary_trace.h
//                     ParseConfigPin): mainline, mainline-dax, mainline-disk,
//                     mainline-libfs, a text trace path; unset/free: the
//                     input's header chooses.
//   LIFECHECK_FAULT   plant impl faults (comma-separated): unpin_drops_one,
//                     truncate_skips_wait, dma_reports_efault.
//   LIFECHECK_FIND    comma-separated IDs: only these findings abort (the
//                     others count as clean); for time-to-find figures.
//   LIFECHECK_FUZZ_STATS=1  print "lifecheck-fuzz-stats: inputs=N calls=M"
//                     at exit (the benchmarks compute ops/s from it).
#ifndef LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_
#define LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/run/diff.h"
#include "harness/trace/binary_trace.h"
#include "impl/kernel.h"
#include "spec/findings.h"

namespace lifecheck {

// What a run of one decoded input found. DEADLOCK and a blocked call are not
// findings here: a random program that waits for a pin it never drops is a
// bad test program, not a protocol bug.
struct FuzzVerdict {
  Inv inv = Inv::kNone;
  int calls_run = 0;
};

// Runs one call list on the differential runner (spec vs impl, call by
// call), skipping each call whose caller contract does not hold at its turn
// (harness/run/call_contract.h).
FuzzVerdict RunFuzzCalls(const CallList& l);

// RunFuzzCalls with the full outcome (detail and replayable trace).
DiffOutcome RunFuzzCallsFull(const CallList& l);

// The faults of LIFECHECK_FAULT (exits with status 2 on an unknown name).
impl::Faults ProcessFaults();

// The report of a finding of `l`: first line the ID, the interleaving table,
// the decode and replay commands, last the SUMMARY line.
std::string FuzzFindingReport(const CallList& l, const FuzzVerdict& v);

// The decode options of this process (LIFECHECK_CONFIG). Exits with status 2
// and a message if the variable is malformed.
const DecodeOptions& ProcessDecodeOptions();

// Entry points. Return 0 (the input may enter the corpus); abort() on a
// finding after printing FuzzFindingReport to stderr.
int DiffFuzzOneInput(const uint8_t* data, size_t size);
int ParserFuzzOneInput(const uint8_t* data, size_t size);
// sched_fuzzer (harness/sched/sched_fuzz.h).
int SchedFuzzOneInput(const uint8_t* data, size_t size);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_
