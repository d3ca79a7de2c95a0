// LC_NO_COVERAGE: compile a function without libFuzzer's coverage
// instrumentation (-fsanitize-coverage). Two kinds of code get it:
//   - checking code that runs over every object after every step or call
//     (the spec's always-invariants, the abstraction function and its
//     comparison, the impl's lock check, Reset): every fuzz input covers all
//     of its edges, so its counters guide nothing;
//   - the harness's plumbing around each call (the binary decoder, the
//     differential loop, the op tables, the caller contracts, the op ->
//     Kernel method switch): its edges and their hit counts say which ops an
//     input calls and how many, which the spec's step functions and the
//     impl's operations (both instrumented) already say with their paths.
// libFuzzer processes every counter an input hits, so these edges cost the
// engine most of its time per input (docs/performance.md) and their hit
// counts would fill the corpus with inputs that differ only in length.
// What the function computes, and so every verdict, is unchanged.
#ifndef LIFECHECK_CONFIG_NO_COVERAGE_H_
#define LIFECHECK_CONFIG_NO_COVERAGE_H_

#if defined(__clang__)
#define LC_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define LC_NO_COVERAGE
#endif

// LC_COVERAGE_BUILD: 1 when this translation unit is compiled with coverage
// instrumentation (the fuzz presets), where a branch costs an edge; code may
// then trade a predictable branch for a few branch-free instructions.
#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define LC_COVERAGE_BUILD 1
#endif
#endif
#ifndef LC_COVERAGE_BUILD
#define LC_COVERAGE_BUILD 0
#endif

#endif  // LIFECHECK_CONFIG_NO_COVERAGE_H_
