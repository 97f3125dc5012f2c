#include "etl/net/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <thread>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/stop_signal.hpp"

namespace etl {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Retry-After: seconds (Shopify writes them with decimals, "2.0"), or an HTTP date; negative
// when absent or unreadable.
double retry_after(const HttpResponse& r) {
  auto it = r.headers.find("retry-after");
  if (it == r.headers.end()) return -1;
  const std::string& v = it->second;
  auto dot = v.find('.');
  std::string_view whole = std::string_view(v).substr(0, dot);
  std::string_view fraction = dot == std::string::npos ? "" : std::string_view(v).substr(dot + 1);
  auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), ::isdigit); };
  if (!whole.empty() && digits(whole) && digits(fraction) &&
      (dot == std::string::npos || !fraction.empty()))
    return whole.size() > 9 ? 1e9 : std::stod(v);  // longer is beyond any wait anyway
  std::tm tm{};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
  double when = static_cast<double>(timegm(&tm));
  return std::max(0.0, when - static_cast<double>(std::time(nullptr)));
}

}  // namespace

namespace {

// Magento writes its messages with placeholders and their values beside: "Invalid value of
// \"%1\" provided for the %2 field." with "parameters": ["-5", "qty"] (or {"name": …} for %name).
std::string with_parameters(std::string message, const Value* parameters) {
  if (parameters == nullptr) return message;
  auto put = [&](const std::string& mark, const Value& v) {
    std::string text =
        v.kind() == Value::Kind::String || v.kind() == Value::Kind::Number ? v.text() : to_json(v);
    for (std::size_t at = 0; (at = message.find(mark, at)) != std::string::npos; at += text.size())
      message.replace(at, mark.size(), text);
  };
  if (parameters->kind() == Value::Kind::Array)  // %10 before %1
    for (std::size_t i = parameters->items().size(); i-- > 0;)
      put("%" + std::to_string(i + 1), parameters->items()[i]);
  if (parameters->kind() == Value::Kind::Object)
    for (const auto& m : parameters->members()) put("%" + m.key, m.value);
  return message;
}

// Shopify's "errors": a text, a list of texts, or texts by field ({"available": ["must be …"]}).
std::string shopify_errors(const Value& errors) {
  auto texts = [](const Value& v) {
    if (v.kind() == Value::Kind::String) return v.text();
    std::string out;
    if (v.kind() == Value::Kind::Array)
      for (const auto& item : v.items())
        out += (out.empty() ? "" : "; ") +
               (item.kind() == Value::Kind::String ? item.text() : to_json(item));
    return out.empty() ? to_json(v) : out;
  };
  if (errors.kind() != Value::Kind::Object) return texts(errors);
  std::string out;
  for (const auto& m : errors.members())
    out += (out.empty() ? "" : "; ") + (m.key == "base" ? "" : m.key + " ") + texts(m.value);
  return out;
}

}  // namespace

std::string http_error_message(const std::string& body) {
  Value v;
  bool parsed = !parse_json(body, v);
  bool object = parsed && v.kind() == Value::Kind::Object;
  if (object)
    // The common fields, and NetSuite's {"o:errorDetails": [{"detail": …}]}
    // … and OData's {"error": {"code": …, "message": …}}
    for (const char* field :
         {"message", "error", "detail", "o:errorDetails/0/detail", "error/message", "title"}) {
      const Value* m = json_pointer(v, std::string("/") + field);
      if (m && m->kind() == Value::Kind::String) {
        std::string text = with_parameters(m->text(), json_pointer(v, "/parameters"));
        // NetSuite says where in the record: {"o:errorPath": "item.items[1].item"}
        const Value* at = json_pointer(v, "/o:errorDetails/0/o:errorPath");
        if (at && at->kind() == Value::Kind::String && !at->text().empty())
          text += " (at " + at->text() + ")";
        return text;
      }
    }
  if (object)
    if (const Value* errors = json_pointer(v, "/errors")) return shopify_errors(*errors);
  // BigCommerce v2: [{"status": 400, "message": "The field 'status_id' is invalid."}]
  if (parsed && v.kind() == Value::Kind::Array) {
    std::string out;
    for (const auto& item : v.items())
      if (const Value* m = json_pointer(item, "/message"); m && m->kind() == Value::Kind::String)
        out += (out.empty() ? "" : "; ") + m->text();
    if (!out.empty()) return out;
  }
  std::string s = body.substr(0, 200);
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string expand_env(const std::string& text) {
  static const RE2 var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))");
  std::string out;
  re2::StringPiece rest(text);
  std::string braced, bare;
  for (;;) {
    re2::StringPiece before = rest;
    if (!RE2::FindAndConsume(&rest, var, &braced, &bare)) break;
    // FindAndConsume consumed up to the end of the match; the match is its last part.
    std::string name = braced.empty() ? bare : braced;
    std::size_t match_len = name.size() + (braced.empty() ? 1 : 3);
    out.append(before.data(), static_cast<std::size_t>(rest.data() - before.data()) - match_len);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr)
      throw UsageError(fmt::format("environment variable {} is not set (used in --header)", name));
    out += value;
  }
  out.append(rest.data(), rest.size());
  return out;
}

// RE2, not std::regex: the header comes from the server, and libstdc++'s regex recursion
// overflowed the stack on a long hostile one (found by fuzz_values).
std::string next_link(const std::string& link_header) {
  static const RE2 next(
      R"re((?i)<([^>]*)>\s*;[^,]*rel\s*=\s*"?(?:[^",;]*\s)?next(?:[\s"]|$|[,;]))re");
  std::string url;
  return RE2::PartialMatch(link_header, next, &url) ? url : "";
}

std::string resolve_url(const std::string& base, const std::string& url) {
  CURLU* h = curl_url();
  std::string out = url;
  if (curl_url_set(h, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* full = nullptr;
    if (curl_url_get(h, CURLUPART_URL, &full, 0) == CURLUE_OK) out = full;
    curl_free(full);
  }
  curl_url_cleanup(h);
  return out;
}

std::string with_query(const std::string& url, const std::string& name, const std::string& value) {
  CURLU* h = curl_url();
  std::string out = url;
  std::string part = name + "=" + value;
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_set(h, CURLUPART_QUERY, part.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE) ==
          CURLUE_OK) {
    char* full = nullptr;
    if (curl_url_get(h, CURLUPART_URL, &full, 0) == CURLUE_OK) out = full;
    curl_free(full);
  }
  curl_url_cleanup(h);
  return out;
}

HttpClient::HttpClient(const HttpOptions& o) : m_opts(o) {
  // Everything that can throw comes before the handles are made (a throwing constructor runs
  // no destructor).
  std::vector<std::string> headers;
  for (const auto& h : o.headers) {
    if (h.find(':') == std::string::npos)
      throw UsageError("--header must be 'Name: value' (the value is not shown)");
    headers.push_back(expand_env(h));
  }
  if (!o.user_env.empty()) {
    const char* v = std::getenv(o.user_env.c_str());
    if (v == nullptr)
      throw UsageError(fmt::format("environment variable {} is not set (--user-env)", o.user_env));
    m_userpwd = v;
  }
  if (!o.oauth1_env.empty())
    m_oauth = oauth1_from_env(o.oauth1_env, o.oauth1_signature, o.oauth1_realm);
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (initialised) m_curl = curl_easy_init();
  if (!m_curl) throw IoError("cannot initialise libcurl");
  curl_slist* list = nullptr;
  curl_slist* write_list = nullptr;
  bool content_type = false;
  for (const auto& h : headers) {
    list = curl_slist_append(list, h.c_str());
    write_list = curl_slist_append(write_list, h.c_str());
    std::string name = h.substr(0, h.find(':'));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    content_type = content_type || name == "content-type";
  }
  // Bodies are JSON; without this libcurl would announce a form.
  if (!content_type) write_list = curl_slist_append(write_list, "Content-Type: application/json");
  m_headers = list;
  m_write_headers = write_list;
}

HttpClient::~HttpClient() {
  m_stream.reset();  // its transfer uses the handle
  curl_slist_free_all(static_cast<curl_slist*>(m_signed));
  curl_slist_free_all(static_cast<curl_slist*>(m_headers));
  curl_slist_free_all(static_cast<curl_slist*>(m_write_headers));
  curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

namespace {

// Sleeps in short steps, so that a stop signal is noticed within a tenth of a second.
void wait_for(double seconds) {
  double until = now_seconds() + seconds;
  for (double left = seconds; left > 0; left = until - now_seconds()) {
    if (StopSignals::requested()) throw StopRequested{};
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, 0.1)));
  }
  if (StopSignals::requested()) throw StopRequested{};
}

}  // namespace

// The quotas platforms announce, read after each answer so the next request waits instead of
// being refused: BigCommerce's X-Rate-Limit-Requests-Left and X-Rate-Limit-Time-Reset-Ms, and
// Shopify's X-Shopify-Shop-Api-Call-Limit ("39/40": a bucket that leaks two calls a second).
void HttpClient::note_quota(const HttpResponse& r) {
  auto header = [&](const char* name) -> const std::string* {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? nullptr : &it->second;
  };
  double wait = 0;
  const std::string* left = header("x-rate-limit-requests-left");
  const std::string* reset = header("x-rate-limit-time-reset-ms");
  if (left && reset) {
    char* end = nullptr;
    long n = std::strtol(left->c_str(), &end, 10);
    double ms = std::strtod(reset->c_str(), nullptr);
    if (end != left->c_str() && n <= 0 && ms > 0) wait = ms / 1000;
  }
  if (const std::string* calls = header("x-shopify-shop-api-call-limit")) {
    long used = 0, limit = 0;
    if (std::sscanf(calls->c_str(), "%ld/%ld", &used, &limit) == 2 && limit > 0 &&
        used >= limit - 1)
      wait = std::max(wait, 0.5 * static_cast<double>(used - limit + 2));
  }
  if (wait > m_opts.max_retry_wait)
    throw IoError(
        fmt::format("the server's quota resets in {:.0f} s, more than --max-retry-wait {:g} s",
                    wait, m_opts.max_retry_wait));
  if (wait > 0) m_quota_until = now_seconds() + wait;
}

void HttpClient::pace() {
  if (m_quota_until > 0) {
    double wait = m_quota_until - now_seconds();
    m_quota_until = 0;
    if (wait > 0) wait_for(wait);
  }
  if (m_opts.rate <= 0) return;
  double gap = 1.0 / m_opts.rate;
  double wait = m_last_request + gap - now_seconds();
  if (wait > 0) wait_for(wait);
  m_last_request = now_seconds();
}

std::string url_origin(const std::string& url) {
  CURLU* h = curl_url();
  std::string out;
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr, *port = nullptr;
    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(h, CURLUPART_HOST, &host, 0);
    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    out = fmt::format("{}://{}:{}", scheme ? scheme : "", host ? host : "", port ? port : "");
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(h);
  return out;
}

// The handle set for one request: everything but the callbacks, which the stream sets.
void HttpClient::prepare(const std::string& method, const std::string& url, bool with_credentials) {
  CURL* c = static_cast<CURL*>(m_curl);
  curl_easy_reset(c);
  curl_slist_free_all(static_cast<curl_slist*>(m_signed));
  m_signed = nullptr;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_opts.connect_timeout * 1000));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(m_opts.timeout * 1000));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(m_opts.max_response));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, m_opts.insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, m_opts.insecure ? 0L : 2L);
  auto* headers = static_cast<curl_slist*>(method == "GET" ? m_headers : m_write_headers);
  // OAuth 1.0a signs each request afresh (its nonce and time): the headers plus its own.
  if (with_credentials && m_oauth) {
    curl_slist* signed_headers = nullptr;
    for (auto* h = headers; h; h = h->next)
      signed_headers = curl_slist_append(signed_headers, h->data);
    std::string auth = "Authorization: " +
                       oauth1_header(method, url, *m_oauth, oauth1_nonce(), oauth1_timestamp());
    m_signed = curl_slist_append(signed_headers, auth.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(m_signed));
  } else if (with_credentials) {
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  }
  curl_easy_setopt(c, CURLOPT_USERAGENT, "etlkit/0.1");
  if (with_credentials && !m_userpwd.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERPWD, m_userpwd.c_str());
  }
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, m_body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(m_body.size()));
  }
}

HttpResponse HttpClient::request(const std::string& method, const std::string& url,
                                 const std::string& body, bool with_credentials) {
  return exchange(method, url, body, with_credentials, true).head();
}

HttpStream& HttpClient::open(const std::string& method, const std::string& url,
                             const std::string& body, bool with_credentials) {
  return exchange(method, url, body, with_credentials, false);
}

// Sends the request until an answer is not one to retry. whole: a 2xx body is read here too
// (so a transfer that breaks in it is retried); else it is left to the stream.
HttpStream& HttpClient::exchange(const std::string& method, const std::string& url,
                                 const std::string& body, bool with_credentials, bool whole) {
  std::string what = fmt::format("{} {}", method, mask_address(url));
  for (int attempt = 1;; ++attempt) {
    pace();
    m_stream.reset();  // the handle is free again
    m_body = body;
    prepare(method, url, with_credentials);
    m_stream = std::make_unique<HttpStream>(m_curl, what, m_opts.max_response, !whole);
    HttpStream& s = *m_stream;
    s.start(!whole);
    s.wait_for_head();
    long status = s.head().status;
    if (whole || status < 200 || status >= 300) s.read_whole();
    bool retry = false, too_big = false;
    std::string why = s.failure(retry, too_big);
    double wait = -1;
    if (!why.empty()) {
      if (too_big || !retry) throw IoError(fmt::format("{}: {}", what, why));
    } else {
      note_quota(s.head());
      if (status != 429 && status < 500) return s;
      why = fmt::format("HTTP {}", status);
      wait = retry_after(s.head());
      if (wait > m_opts.max_retry_wait)
        throw IoError(fmt::format(
            "{}: HTTP {}: the server asks to retry after {:.0f} s, more than --max-retry-wait "
            "{:g} s",
            what, status, wait, m_opts.max_retry_wait));
    }
    if (attempt > m_opts.retries)
      throw IoError(fmt::format("{}: {} (gave up after {} attempts)", what, why, attempt));
    if (wait < 0)
      back_off(attempt);
    else
      wait_for(std::min(wait, m_opts.max_retry_wait));
  }
}

void HttpClient::back_off(int attempt) {
  static thread_local std::mt19937 jitter_rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  double wait = std::min(30.0, m_opts.retry_wait * std::pow(2.0, attempt - 1)) * jitter(jitter_rng);
  wait_for(std::min(wait, m_opts.max_retry_wait));
}

}  // namespace etl
