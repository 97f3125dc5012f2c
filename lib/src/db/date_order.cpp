#include "etl/db/date_order.hpp"

#include <fmt/format.h>

namespace etl {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// One or two digits at text[at], then the separator (the one before, if any): the place after
// it, or npos.
std::size_t number_then(std::string_view text, std::size_t at, char& separator) {
  std::size_t n = 0;
  while (at + n < text.size() && digit(text[at + n]) && n < 3) ++n;
  if (n == 0 || n > 2 || at + n >= text.size()) return std::string_view::npos;
  char c = text[at + n];
  if (c != '/' && c != '.' && c != '-') return std::string_view::npos;
  if (separator != 0 && c != separator) return std::string_view::npos;
  separator = c;
  return at + n + 1;
}

}  // namespace

bool day_month_order_unknown(std::string_view text) {
  std::size_t at = text.find_first_not_of(' ');
  if (at == std::string_view::npos) return false;
  char separator = 0;
  at = number_then(text, at, separator);
  if (at == std::string_view::npos) return false;
  at = number_then(text, at, separator);
  return at != std::string_view::npos && at < text.size() && digit(text[at]);
}

std::string date_order_refusal(std::string_view text, std::string_view how) {
  return fmt::format(
      "'{}' would be read {}; write it as ISO 8601 (YYYY-MM-DD), as a mapping's "
      "parse_time(x, '%m/%d/%Y') or '%d/%m/%Y' reads it",
      text, how);
}

}  // namespace etl
