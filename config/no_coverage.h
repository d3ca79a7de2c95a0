// LC_NO_COVERAGE: compile a function without libFuzzer's coverage
// instrumentation (-fsanitize-coverage). For checking code that runs over
// every object after every step or call (the spec's always-invariants, the
// abstraction function and its comparison, the impl's lock check, Reset):
// every fuzz input covers all of its edges, so its counters guide nothing
// and cost the engine most of its time per input (docs/performance.md).
// What the function computes, and so every verdict, is unchanged.
#ifndef LIFECHECK_CONFIG_NO_COVERAGE_H_
#define LIFECHECK_CONFIG_NO_COVERAGE_H_

#if defined(__clang__)
#define LC_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define LC_NO_COVERAGE
#endif

#endif  // LIFECHECK_CONFIG_NO_COVERAGE_H_
