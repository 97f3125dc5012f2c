#pragma once
// The one masking function every address goes through before it is shown or stored (messages,
// summaries, reports, rejects, audit logs, --tag-source values): user:password in a URL and the
// values of secret-looking query parameters (token, key, password, secret, signature, auth…)
// become ***. PostgreSQL, HTTP and every other address alike.
#include <string>

namespace etl {

std::string mask_address(const std::string& address);

}  // namespace etl
