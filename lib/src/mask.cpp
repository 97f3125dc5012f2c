#include "etl/mask.hpp"

#include <regex>

namespace etl {

std::string mask_address(const std::string& address) {
  static const std::regex userinfo(R"(^([a-zA-Z][a-zA-Z+.-]*://[^:/@?#]*):[^@/?#]*@)");
  static const std::regex secret(
      R"(([?&](?:[^=&#]*(?:token|key|password|passwd|pwd|secret|signature|auth|sig)[^=&#]*)=)[^&#]*)",
      std::regex::icase);
  return std::regex_replace(std::regex_replace(address, userinfo, "$1:***@"), secret, "$1***");
}

}  // namespace etl
