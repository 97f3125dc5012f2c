#include "etl/mask.hpp"

#include <re2/re2.h>

namespace etl {

// RE2, not std::regex: the address may come from a server (a next-page link), and libstdc++'s
// regex recurses per character, so a long hostile one overflowed the stack (found by
// fuzz_values). RE2 runs in linear time and bounded memory.
std::string mask_address(const std::string& address) {
  static const RE2 userinfo(R"(^([a-zA-Z][a-zA-Z+.-]*://[^:/@?#]*):[^@/?#]*@)");
  static const RE2 secret(
      R"((?i)([?&](?:[^=&#]*(?:token|key|password|passwd|pwd|secret|signature|auth|sig)[^=&#]*)=)[^&#]*)");
  std::string out = address;
  RE2::Replace(&out, userinfo, R"(\1:***@)");
  RE2::GlobalReplace(&out, secret, R"(\1***)");
  return out;
}

}  // namespace etl
