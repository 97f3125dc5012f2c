#include "etl/net/oauth1.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>
#include <vector>

#include "etl/base64.hpp"
#include "etl/error.hpp"

namespace etl {
namespace {

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

struct UrlParts {
  std::string base;  // scheme://host[:port]/path, lower-case scheme and host, no default port
  std::vector<std::pair<std::string, std::string>> query;  // decoded
};

UrlParts split_url(const std::string& url) {
  UrlParts out;
  CURLU* h = curl_url();
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    curl_url_cleanup(h);
    throw UsageError("OAuth 1.0a: cannot read the URL to sign");
  }
  char *scheme = nullptr, *host = nullptr, *port = nullptr, *path = nullptr, *query = nullptr;
  curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(h, CURLUPART_HOST, &host, 0);
  curl_url_get(h, CURLUPART_PORT, &port, 0);
  curl_url_get(h, CURLUPART_PATH, &path, 0);
  curl_url_get(h, CURLUPART_QUERY, &query, 0);
  std::string s = scheme ? scheme : "", hst = host ? host : "";
  for (auto* text : {&s, &hst})
    for (auto& ch : *text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string p = port ? port : "";
  bool default_port = (s == "http" && p == "80") || (s == "https" && p == "443");
  out.base = s + "://" + hst + (p.empty() || default_port ? "" : ":" + p) + (path ? path : "/");
  std::string q = query ? query : "";
  for (std::size_t start = 0; start < q.size();) {
    std::size_t end = q.find('&', start);
    if (end == std::string::npos) end = q.size();
    std::string pair = q.substr(start, end - start);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      out.query.emplace_back(percent_decode(pair.substr(0, eq)),
                             eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  for (char* part : {scheme, host, port, path, query}) curl_free(part);
  curl_url_cleanup(h);
  return out;
}

std::vector<std::pair<std::string, std::string>> oauth_params(const OAuth1Credentials& c,
                                                              const std::string& nonce,
                                                              const std::string& timestamp) {
  return {{"oauth_consumer_key", c.consumer_key},
          {"oauth_nonce", nonce},
          {"oauth_signature_method", c.method},
          {"oauth_timestamp", timestamp},
          {"oauth_token", c.token},
          {"oauth_version", "1.0"}};
}

std::string sign(const OAuth1Credentials& c, const std::string& base) {
  std::string key = oauth1_encode(c.consumer_secret) + "&" + oauth1_encode(c.token_secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const EVP_MD* md = c.method == "HMAC-SHA1" ? EVP_sha1() : EVP_sha256();
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &length))
    throw IoError("OAuth 1.0a: the signature could not be computed");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace

OAuth1Credentials oauth1_from_env(const std::string& prefix, const std::string& method,
                                  const std::string& realm) {
  if (method != "HMAC-SHA256" && method != "HMAC-SHA1")
    throw UsageError(
        fmt::format("--oauth1-signature must be HMAC-SHA256 or HMAC-SHA1, not '{}'", method));
  OAuth1Credentials c;
  c.method = method;
  c.realm = realm;
  for (auto [suffix, field] :
       {std::pair{"_CONSUMER_KEY", &c.consumer_key},
        std::pair{"_CONSUMER_SECRET", &c.consumer_secret}, std::pair{"_TOKEN", &c.token},
        std::pair{"_TOKEN_SECRET", &c.token_secret}}) {
    std::string name = prefix + suffix;
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0')
      throw UsageError(fmt::format("environment variable {} is not set (--oauth1-env)", name));
    *field = v;
  }
  return c;
}

std::string oauth1_encode(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
      out.push_back(static_cast<char>(ch));
    else
      out += fmt::format("%{:02X}", ch);
  }
  return out;
}

std::string oauth1_base_string(const std::string& method, const std::string& url,
                               const OAuth1Credentials& c, const std::string& nonce,
                               const std::string& timestamp) {
  UrlParts parts = split_url(url);
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [k, v] : parts.query) params.emplace_back(oauth1_encode(k), oauth1_encode(v));
  for (const auto& [k, v] : oauth_params(c, nonce, timestamp))
    params.emplace_back(oauth1_encode(k), oauth1_encode(v));
  std::sort(params.begin(), params.end());
  std::string joined;
  for (const auto& [k, v] : params) joined += (joined.empty() ? "" : "&") + k + "=" + v;
  return method + "&" + oauth1_encode(parts.base) + "&" + oauth1_encode(joined);
}

std::string oauth1_header(const std::string& method, const std::string& url,
                          const OAuth1Credentials& c, const std::string& nonce,
                          const std::string& timestamp) {
  std::string signature = sign(c, oauth1_base_string(method, url, c, nonce, timestamp));
  std::string out = "OAuth ";
  if (!c.realm.empty()) out += "realm=\"" + oauth1_encode(c.realm) + "\",";
  for (const auto& [k, v] : oauth_params(c, nonce, timestamp))
    out += k + "=\"" + oauth1_encode(v) + "\",";
  return out + "oauth_signature=\"" + oauth1_encode(signature) + "\"";
}

std::string oauth1_nonce() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw IoError("OAuth 1.0a: no random nonce");
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::string oauth1_timestamp() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

}  // namespace etl
