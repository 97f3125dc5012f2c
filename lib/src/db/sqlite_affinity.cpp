#include "etl/db/sqlite_affinity.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "etl/db/sql_number.hpp"
#include "etl/db/table_schema.hpp"

namespace etl {

bool declares(std::string_view declared, std::string_view word) {
  return ascii_lower(declared).find(ascii_lower(word)) != std::string::npos;
}

Affinity affinity_of(std::string_view d) {
  if (declares(d, "INT")) return Affinity::Integer;
  if (declares(d, "CHAR") || declares(d, "CLOB") || declares(d, "TEXT")) return Affinity::Text;
  if (d.empty() || declares(d, "BLOB")) return Affinity::Blob;
  if (declares(d, "REAL") || declares(d, "FLOA") || declares(d, "DOUB")) return Affinity::Real;
  return Affinity::Numeric;
}

std::optional<std::string> sqlite_stored_number(std::string_view text, Affinity a) {
  if (a != Affinity::Integer && a != Affinity::Real && a != Affinity::Numeric) return std::nullopt;
  if (!is_sql_number(text)) return std::nullopt;
  std::string t(sql_trimmed(text));
  if (t.find_first_of(".eE") == std::string::npos) {  // an integer: kept so when it fits
    std::int64_t i = 0;
    const char* from = t.data() + (t[0] == '+' ? 1 : 0);
    auto r = std::from_chars(from, t.data() + t.size(), i);
    if (r.ec == std::errc() && r.ptr == t.data() + t.size())
      return a == Affinity::Real ? shortest_text(static_cast<double>(i)) : std::to_string(i);
  }
  double d = std::strtod(t.c_str(), nullptr);
  if (!std::isfinite(d)) return d > 0 ? "Infinity" : "-Infinity";  // as the reader reads it
  if (a != Affinity::Real && d == std::floor(d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0)
    return std::to_string(static_cast<std::int64_t>(d));
  return shortest_text(d);
}

namespace {

// Digits alone (a '-' before them), no leading zero, at most 18: an int64, kept as it is.
bool small_integer(std::string_view t) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  if (t.empty() || t.size() > 18 || (t.front() == '0' && t.size() > 1)) return false;
  for (char c : t)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool sqlite_keeps_value(std::string_view text, Affinity a) {
  // (most values: no work)
  if ((a != Affinity::Real && small_integer(text)) || short_decimal(text, 15)) return true;
  std::optional<std::string> stored = sqlite_stored_number(text, a);
  if (!stored || *stored == sql_trimmed(text)) return true;
  if (*stored == "Infinity" || *stored == "-Infinity") return false;  // no number has its value
  return number_value_form(text) == number_value_form(*stored);
}

}  // namespace etl
