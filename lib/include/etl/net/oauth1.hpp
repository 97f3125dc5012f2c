#pragma once
// OAuth 1.0a request signing (RFC 5849), as NetSuite's Token-Based Authentication and Magento's
// integrations use it: every request carries an Authorization header signed with HMAC-SHA256
// (or HMAC-SHA1) over its method, URL and query parameters.
#include <string>

namespace etl {

struct OAuth1Credentials {
  std::string consumer_key, consumer_secret, token, token_secret;
  std::string realm;                   // NetSuite: the account id; may be empty
  std::string method = "HMAC-SHA256";  // or HMAC-SHA1
};

// Reads PREFIX_CONSUMER_KEY, PREFIX_CONSUMER_SECRET, PREFIX_TOKEN and PREFIX_TOKEN_SECRET from
// the environment; throws UsageError naming a variable that is not set (never a value).
OAuth1Credentials oauth1_from_env(const std::string& prefix, const std::string& method,
                                  const std::string& realm);

// RFC 5849 §3.6: unreserved characters stay, everything else is %XX (upper case).
std::string oauth1_encode(const std::string& s);
// The signature base string of §3.4.1: METHOD&base-URL&sorted-parameters, each encoded.
std::string oauth1_base_string(const std::string& method, const std::string& url,
                               const OAuth1Credentials& c, const std::string& nonce,
                               const std::string& timestamp);
// The value of the Authorization header for one request.
std::string oauth1_header(const std::string& method, const std::string& url,
                          const OAuth1Credentials& c, const std::string& nonce,
                          const std::string& timestamp);
// A fresh nonce (random, hex) and the current time in seconds.
std::string oauth1_nonce();
std::string oauth1_timestamp();

}  // namespace etl
