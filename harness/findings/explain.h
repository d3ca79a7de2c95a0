// A picture of a run: the interleaving a kernel engineer pastes into a mail.
//
// One lane (column) per thread, one row per executed step in global order:
// the step as a box `op.Step` in its thread's lane (with ` -> ret` when the
// call returned), an arrow from the previous step's box whenever the
// scheduler switches threads, the step's state changes to the right, and the
// violated invariant — its ID and meaning — on the violating step and in a
// banner below. A deadlock adds a row with a "blocked in op.Step" box in
// every waiting thread's lane.
//
// Which changes are shown: ghost bookkeeping fields (names starting with
// `h_` — ghost holders — or `g_`, spec/world.h) are hidden unless the finding
// is I-REF-1, the invariant that compares counts with their ghost holders;
// the violation slot is drawn as the banner and warnings as `WARN CODE`.
// ExplainOptions::all_changes shows every field.
//
// The SVG is self-contained: no scripts, no external fonts, stylesheets or
// images (generic `monospace` family), so it renders the same in a browser,
// rsvg-convert or a mail client. Each lane is a <g class="lane"> carrying
// data-x0/x1/y0/y1 (its extent below the header): the rendering test checks
// that every lane has step boxes.
#ifndef LIFECHECK_HARNESS_FINDINGS_EXPLAIN_H_
#define LIFECHECK_HARNESS_FINDINGS_EXPLAIN_H_

#include <string>
#include <vector>

#include "harness/findings/judge.h"
#include "harness/trace/trace.h"

namespace lifecheck {

struct ExplainOptions {
  bool all_changes = false;  // show ghost fields too
  std::string trace_path;    // for the replay line ("" = none)
};

// The changes of one step as drawn (filtered as described above).
std::vector<std::string> ShownChanges(const std::vector<std::string>& changes,
                                      Inv finding, bool all_changes);

// The picture of a trace judged by its own judge (harness/findings/judge.h):
//  - spec: the run's steps, as above;
//  - diff: the spec side's steps, and an `impl` lane beside the threads with
//    a box per call the impl ran — agreeing, or, at the call where the two
//    sides part, what the impl did and (DIFF-STATE) the fields that differ,
//    spec -> impl;
//  - sched: one row per spec step boundary the impl passed, with the range
//    of scheduling points the thread ran to reach it, the finding's step
//    marked, and the impl-schedule below.
std::string ExplainSvg(const Trace& t, const Judgement& j,
                       const ExplainOptions& opts = {});

// An HTML page with the SVG inline and the trace text below it.
std::string ExplainHtml(const Trace& t, const Judgement& j,
                        const ExplainOptions& opts = {});

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_EXPLAIN_H_
