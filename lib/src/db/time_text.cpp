#include "etl/db/time_text.hpp"

#include <fmt/format.h>

#include <algorithm>

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

bool letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// +00, +0000, +00:00 (and -): an offset of zero.
bool zero_offset(std::string_view offset) {
  return offset.find_first_not_of("+-0:") == std::string_view::npos;
}

}  // namespace

std::string_view zone_not_utc(std::string_view text) {
  std::size_t colon = text.find(':');  // the time's: a zone comes after it
  if (colon == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(' ');
  std::string_view tail = text.substr(colon, end + 1 - colon);
  if (std::size_t sign = tail.find_first_of("+-"); sign != std::string_view::npos) {
    std::string_view offset = tail.substr(sign);
    return zero_offset(offset) ? std::string_view() : offset;
  }
  // A name after the time: a word of letters (AM and PM are the hour's), or Region/City.
  std::size_t at = tail.find_last_of(' ');
  std::string_view word = at == std::string_view::npos ? tail : tail.substr(at + 1);
  if (word.find('/') != std::string_view::npos) return word;
  if (word.empty() || !std::all_of(word.begin(), word.end(), letter)) return {};
  for (std::string_view utc : {"Z", "z", "UTC", "utc", "GMT", "gmt", "AM", "PM", "am", "pm"})
    if (word == utc) return {};
  return word;
}

std::size_t second_fraction_places(std::string_view text) {
  std::size_t minutes = text.find(':');
  if (minutes == std::string_view::npos) return 0;
  std::size_t seconds = text.find(':', minutes + 1);
  if (seconds == std::string_view::npos) return 0;
  std::size_t at = seconds + 1;
  while (at < text.size() && digit(text[at])) ++at;
  if (at >= text.size() || (text[at] != '.' && text[at] != ',')) return 0;
  std::size_t places = 0;
  for (std::size_t i = at + 1; i < text.size() && digit(text[i]); ++i)
    if (text[i] != '0') places = i - at;
  return places;
}

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
