// The independent check of a proof certificate: an invariant (mc/invariant.h)
// that is claimed to be inductive and to exclude every bad world of a
// problem. Nothing from the prover is reused: a fresh Z3 context, a fresh
// encoding of the problem (the spec's step code over Sym, without
// reductions), the invariant from its parsed text, and a different
// formulation of the step: the BMC's monolithic transition relation
// (Z3Encoding::Trans, one scheduler choice over every thread) instead of
// the prover's per-step split. Three obligations, each one unsat query:
//
//   initiation   Init(a) && !Inv(a)
//   consecution  Inv(a) && Trans(a, b) && !Inv(b)
//   safety       Inv(a) && Bad(a)          (a violation, or a deadlock)
//
// All three unsat: no run of any length reaches a bad world.
#ifndef LIFECHECK_MC_Z3_CERTIFICATE_H_
#define LIFECHECK_MC_Z3_CERTIFICATE_H_

#include <string>

#include "harness/trace/trace.h"
#include "mc/invariant.h"

namespace lifecheck {

struct CertificateCheck {
  bool ok = false;
  // Which obligation failed and how ("consecution: thread 3 at pc 2 breaks
  // `th[3].pc == 2 -> ...`"), or why the check could not finish.
  std::string why;
  double seconds = 0;
};

// Precondition: problem.config and threads are valid.
CertificateCheck CheckCertificate(const Trace& problem, const Invariant& inv,
                                  double timeout_s);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_Z3_CERTIFICATE_H_
