// SHA-1 of a byte string as 40 lowercase hex digits: the name libFuzzer
// gives an artefact ("crash-" + SHA-1 of the input), so the harness can put
// the decoded trace beside it. Not for security.
#ifndef LIFECHECK_HARNESS_FINDINGS_SHA1_H_
#define LIFECHECK_HARNESS_FINDINGS_SHA1_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace lifecheck {

std::string Sha1Hex(const uint8_t* data, size_t size);

}  // namespace lifecheck

#endif  // LIFECHECK_HARNESS_FINDINGS_SHA1_H_
