#include "etl/db/sqlite_affinity.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace etl {
namespace {

bool contains_ci(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < word.size() && (text[i + k] & ~0x20) == word[k]) ++k;
    if (k == word.size()) return true;
  }
  return false;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trimmed(std::string_view t) {
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  return t;
}

std::string shortest(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// A number's text (is_sql_number, trimmed) as its value alone: sign, significant digits and the
// exponent of the last, so that two texts are equal exactly when their values are ("19.990" and
// "19.99", "1e2" and "100", "-0" and "0"), with no limit on digits.
std::string value_form(std::string_view t) {
  bool negative = !t.empty() && t.front() == '-';
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
  std::string digits;
  long long exponent = 0;
  std::size_t i = 0;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') {
      for (++i; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
        digits.push_back(t[i]);
        --exponent;
      }
      break;
    }
    digits.push_back(t[i]);
  }
  if (i < t.size()) {  // the exponent (its size is bounded: longer ones are infinite anyway)
    long long e = 0;
    bool minus = t[i + 1] == '-';
    for (std::size_t k = i + 1; k < t.size(); ++k)
      if (t[k] >= '0' && t[k] <= '9' && e < 100000000) e = e * 10 + (t[k] - '0');
    exponent += minus ? -e : e;
  }
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  digits.erase(0, first);
  while (digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  return (negative ? "-" : "") + digits + "e" + std::to_string(exponent);
}

}  // namespace

Affinity affinity_of(std::string_view d) {
  if (contains_ci(d, "INT")) return Affinity::Integer;
  if (contains_ci(d, "CHAR") || contains_ci(d, "CLOB") || contains_ci(d, "TEXT"))
    return Affinity::Text;
  if (d.empty() || contains_ci(d, "BLOB")) return Affinity::Blob;
  if (contains_ci(d, "REAL") || contains_ci(d, "FLOA") || contains_ci(d, "DOUB"))
    return Affinity::Real;
  return Affinity::Numeric;
}

bool is_sql_number(std::string_view text) {
  std::string_view t = trimmed(text);
  std::size_t i = 0, n = t.size();
  auto digits = [&] {
    std::size_t from = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    return i - from;
  };
  if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t whole = digits(), part = 0;
  if (i < n && t[i] == '.') {
    ++i;
    part = digits();
  }
  if (whole + part == 0) return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

std::optional<std::string> sqlite_stored_number(std::string_view text, Affinity a) {
  if (a != Affinity::Integer && a != Affinity::Real && a != Affinity::Numeric) return std::nullopt;
  if (!is_sql_number(text)) return std::nullopt;
  std::string t(trimmed(text));
  if (t.find_first_of(".eE") == std::string::npos) {  // an integer: kept so when it fits
    std::int64_t i = 0;
    const char* from = t.data() + (t[0] == '+' ? 1 : 0);
    auto r = std::from_chars(from, t.data() + t.size(), i);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size())
      return a == Affinity::Real ? shortest(static_cast<double>(i)) : std::to_string(i);
  }
  double d = std::strtod(t.c_str(), nullptr);
  if (!std::isfinite(d)) return d > 0 ? "Infinity" : "-Infinity";  // as the reader reads it
  if (a != Affinity::Real && d == std::floor(d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0)
    return std::to_string(static_cast<std::int64_t>(d));
  return shortest(d);
}

bool sqlite_keeps_value(std::string_view text, Affinity a) {
  std::optional<std::string> stored = sqlite_stored_number(text, a);
  if (!stored || *stored == trimmed(text)) return true;
  if (*stored == "Infinity" || *stored == "-Infinity") return false;  // no number has its value
  return value_form(trimmed(text)) == value_form(*stored);
}

}  // namespace etl
