#pragma once
// HTTP through libcurl, for REST sources: only http and https (redirects included), TLS
// verified unless insecure, bounded responses, and retries with exponential backoff and jitter
// on connection errors, 429 and 5xx, honouring Retry-After. Header values and URL secrets are
// never printed: messages carry mask_address(url) and no headers.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etl/mask.hpp"
#include "etl/net/http_stream.hpp"
#include "etl/net/oauth1.hpp"

namespace etl {

struct HttpOptions {
  std::vector<std::string> headers;  // "Name: value"; $VAR and ${VAR} come from the environment
  std::string user_env;              // basic auth: the variable that holds user:password
  std::string oauth1_env;            // OAuth 1.0a: PREFIX of the variables with its secrets
  std::string oauth1_signature = "HMAC-SHA256";
  std::string oauth1_realm;
  double rate = 0;             // requests per second; 0: no limit
  int retries = 5;             // attempts after the first
  double retry_wait = 0.5;     // the first backoff, in seconds (doubles, with jitter)
  double max_retry_wait = 60;  // a Retry-After longer than this fails the request
  double connect_timeout = 10;
  double timeout = 60;  // per request, in seconds
  std::size_t max_response = std::size_t{256} << 20;
  bool insecure = false;
};

class HttpClient {
 public:
  explicit HttpClient(const HttpOptions& o);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // Sends the request, retrying what can be retried; throws IoError naming the masked URL when
  // the last attempt fails. Any other status (2xx, 3xx, 4xx but 429) is returned. A stop signal
  // during a wait throws StopRequested. with_credentials false: no --header, no --user-env.
  HttpResponse request(const std::string& method, const std::string& url,
                       const std::string& body = "", bool with_credentials = true);
  // The same, but a 2xx answer's body is left to the stream's read(), as it arrives (a stop
  // signal ends the wait for it). The stream lives until the next request or open.
  // Waits before the attempt-th retry of something that failed: --retry-wait doubled each
  // time (up to 30 s and --max-retry-wait), with jitter. A stop signal throws StopRequested.
  void back_off(int attempt);
  HttpStream& open(const std::string& method, const std::string& url, const std::string& body = "",
                   bool with_credentials = true);

 private:
  void pace();
  HttpStream& exchange(const std::string& method, const std::string& url, const std::string& body,
                       bool with_credentials, bool whole);
  void prepare(const std::string& method, const std::string& url, bool with_credentials);
  HttpOptions m_opts;
  void* m_curl = nullptr;
  void* m_headers = nullptr;        // curl_slist, for GET
  void* m_write_headers = nullptr;  // the same with Content-Type: application/json
  std::string m_userpwd;
  std::optional<OAuth1Credentials> m_oauth;
  double m_last_request = 0;  // steady clock, seconds
  double m_quota_until = 0;   // a platform said its quota is spent until then (steady clock)
  std::string m_body;         // the request's body, which libcurl reads during the transfer
  void* m_signed = nullptr;   // curl_slist: the headers with this request's OAuth signature
  std::unique_ptr<HttpStream> m_stream;
  void note_quota(const HttpResponse& r);
};

// What an error response says, briefly: its "message", "error", "detail" or "title" when it is
// JSON, else the start of the body.
std::string http_error_message(const std::string& body);

// Expands $VAR and ${VAR} from the environment; an unset variable is a UsageError naming it.
std::string expand_env(const std::string& text);

// The target of the rel="next" link in a Link header, or empty.
std::string next_link(const std::string& link_header);

// scheme://host:port of a URL (the default port filled in), for keeping credentials to it.
std::string url_origin(const std::string& url);

// url resolved against base (for relative Link targets).
std::string resolve_url(const std::string& base, const std::string& url);

// url with name=value added to its query (value URL-encoded).
std::string with_query(const std::string& url, const std::string& name, const std::string& value);

}  // namespace etl
