// Internal-bug checks (DESIGN principle 7: an internal bug is a CHECK that
// aborts). Debian's Abseil 20220623 has no CHECK macros (toolchain G8).
#ifndef LIFECHECK_SPEC_CHECK_H_
#define LIFECHECK_SPEC_CHECK_H_

namespace lifecheck {

[[noreturn]] void CheckFailed(const char* file, int line, const char* cond);

}  // namespace lifecheck

#define LC_CHECK(cond) \
  ((cond) ? (void)0 : ::lifecheck::CheckFailed(__FILE__, __LINE__, #cond))

#endif  // LIFECHECK_SPEC_CHECK_H_
