// date::from_stream behind one call, and the inputs it must not see. The date library (3.0.1)
// overflows a signed integer (undefined behaviour) on two parses that fail anyway; both are
// refused before it reads them (found by fuzz_values; the inputs are in the corpus):
// - %z meeting a minus sign without the digits it needs negates its "no offset" sentinel;
// - %t or %n at the end of the text leaves the conversion open, so digits after it in the
//   format are read as a field width, which overflows when they are many.
#include "date_parse.hpp"

// from_stream inlines a read of a seconds field that GCC 12 cannot prove is initialised.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>

#include <sstream>
#include <string>

namespace etl::mapping {
namespace {

bool digit(std::string_view s, std::size_t i) {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// Whether every %z of `format` (%Ez, %Oz) meets an offset the library reads without the overflow:
// the text before each is read by the format before it, which says where the offset starts.
bool offsets_readable(std::string_view s, std::string_view format) {
  for (std::size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    bool modified = (format[i + 1] == 'E' || format[i + 1] == 'O') && i + 2 < format.size();
    char conv = format[i + (modified ? 2 : 1)];
    if (conv == 'z') {
      std::istringstream in{std::string(s)};
      date::fields<std::chrono::microseconds> fields;
      date::from_stream(in, std::string(format.substr(0, i)).c_str(), fields);
      if (in.fail()) return true;  // the whole parse fails before this offset, and safely
      std::size_t at = in.eof() ? s.size() : static_cast<std::size_t>(in.tellg());
      if (at < s.size() && s[at] == '-' && !(digit(s, at + 1) && (modified || digit(s, at + 2))))
        return false;
    }
    i += modified ? 2 : 1;  // past the conversion (and %% as a whole)
  }
  return true;
}

}  // namespace

std::optional<ParsedLocal> date_parse(std::string_view s, std::string_view format) {
  if (!offsets_readable(s, format)) return std::nullopt;
  for (std::size_t i = 0; i + 2 < format.size(); ++i)
    if (format[i] == '%' && (format[i + 1] == 't' || format[i + 1] == 'n') && digit(format, i + 2))
      return std::nullopt;
    else if (format[i] == '%')
      ++i;  // %% is one character
  std::istringstream in{std::string(s)};
  date::local_time<std::chrono::microseconds> lt;
  std::string abbrev;
  std::chrono::minutes offset{std::chrono::minutes::min()};
  date::from_stream(in, std::string(format).c_str(), lt, &abbrev, &offset);
  if (in.fail()) return std::nullopt;
  in.peek();
  if (!in.eof()) return std::nullopt;  // text left over
  ParsedLocal out;
  out.local_micros = lt.time_since_epoch().count();
  if (offset != std::chrono::minutes::min())
    out.offset_secs = static_cast<std::int32_t>(offset.count() * 60);
  return out;
}

}  // namespace etl::mapping
