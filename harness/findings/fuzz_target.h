// The logic behind the fuzz entry points (fuzz/*.cc are one-liners, STYLE
// habit 10): decode the bytes, run, and on a finding print the report,
// leave the decoded trace beside the crash file, and abort() so that
// libFuzzer and AFL++ both record a crash.
//
// Environment (read once; it steers the fuzzing run and is never needed to
// replay what it finds, docs/fuzzing.md "Artefacts"):
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
//
// What a finding leaves behind, so that its artefact alone replays:
//   - libFuzzer: CRASH.trace beside the crash file libFuzzer writes
//     (-exact_artifact_path, or -artifact_prefix + "crash-" + SHA-1 of the
//     input): the decoded, complete, self-describing trace;
//   - the manifest (harness/findings/artefact.h) in the artefact directory
//     (libFuzzer's -artifact_prefix / -exact_artifact_path, AFL++'s -o
//     directory), written at initialisation: the harness, pin and faults,
//     which decode any input under it the way this run did.
#ifndef LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_
#define LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/findings/artefact.h"
#include "harness/run/call_order.h"
#include "harness/run/diff.h"
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
// call) with this process's faults, skipping each call whose caller
// contract does not hold at its turn (harness/run/call_contract.h).
FuzzVerdict RunFuzzCalls(const CallList& l);

// LLVMFuzzerInitialize of a harness: reads the environment (exits with
// status 2 and a message on a malformed variable), notes where libFuzzer
// writes artefacts (its -artifact_prefix / -exact_artifact_path flags) and
// writes the manifest there (or in AFL++'s -o directory). `default_pin`
// pins the configuration when LIFECHECK_CONFIG is unset (OSS-Fuzz builds:
// "mainline"; "" otherwise).
void FuzzInitialize(int argc, char** argv, Harness harness,
                    const char* default_pin);

// Entry points. Return 0 (the input may enter the corpus); abort() on a
// finding after printing its report and the trace to stderr.
int DiffFuzzOneInput(const uint8_t* data, size_t size);
int SchedFuzzOneInput(const uint8_t* data, size_t size);
int ParserFuzzOneInput(const uint8_t* data, size_t size);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_FUZZ_TARGET_H_
