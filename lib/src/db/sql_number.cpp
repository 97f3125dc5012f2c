#include "etl/db/sql_number.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace etl {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

std::string_view sql_trimmed(std::string_view t) {
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  return t;
}

std::string shortest_text(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::string shortest_text(float f) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::string(buf, r.ptr);
}

bool is_sql_number(std::string_view text) {
  std::string_view t = sql_trimmed(text);
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

std::string number_value_form(std::string_view text) {
  std::string_view t = sql_trimmed(text);
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

long long last_digit_exponent(const std::string& value_form) {
  auto e = value_form.rfind('e');
  if (e == std::string::npos) return 1LL << 40;  // zero: any scale holds it
  return std::stoll(value_form.substr(e + 1));
}

bool short_decimal(std::string_view t, std::size_t digits) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  // Short enough that its value is well inside the type's range, far from 0 too: a float holds
  // 1e-37 to 1e37, a double 1e-307 to 1e307.
  if (t.empty() || t.size() > (digits <= 6 ? 36 : 300)) return false;
  std::size_t seen = 0, significant = 0;
  bool point = false;
  for (char c : t) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    ++seen;
    if (c != '0' || significant > 0) ++significant;
  }
  return seen > 0 && significant <= digits;
}

std::optional<std::string> float_changes(std::string_view text, int bytes) {
  if (short_decimal(text, bytes == 4 ? 6 : 15) || !is_sql_number(text)) return std::nullopt;
  std::string t(sql_trimmed(text));
  std::string stored;
  if (bytes == 4) {
    float f = std::strtof(t.c_str(), nullptr);
    if (!std::isfinite(f)) return std::nullopt;
    stored = shortest_text(f);
  } else {
    double d = std::strtod(t.c_str(), nullptr);
    if (!std::isfinite(d)) return std::nullopt;
    stored = shortest_text(d);
  }
  if (number_value_form(stored) == number_value_form(t)) return std::nullopt;
  return stored;
}

}  // namespace etl
