// A strptime of our own for parse_time's formats. The date library's from_stream overflowed
// signed integers (undefined behaviour) on one hostile input after another under fuzz_values
// (a %z sign without digits, %t at the end of the text, a %S fraction…); this reads the
// conversions mapping files use, with every number bounded before it is multiplied.
#include "date_parse.hpp"

#include <date/date.h>

#include <array>
#include <cctype>
#include <string>

namespace etl::mapping {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"january",   "february", "march",    "april",
                                                   "may",       "june",     "july",     "august",
                                                   "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kDays{"sunday",   "monday", "tuesday", "wednesday",
                                                "thursday", "friday", "saturday"};

struct Fields {
  int year = 0, month = 0, day = 0, yday = 0;
  bool has_year = false;
  int hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
  int pm = -1;  // %p: 0 AM, 1 PM, -1 not read
  bool twelve_hour = false;
  std::optional<std::int32_t> offset;
};

class Reader {
 public:
  explicit Reader(std::string_view s) : m_s(s) {}
  bool at_end() const { return m_i >= m_s.size(); }
  char peek() const { return at_end() ? '\0' : m_s[m_i]; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
  }
  void skip(std::size_t n) { m_i += n; }
  bool literal(char c) {
    if (at_end() || m_s[m_i] != c) return false;  // (peek() is '\0' at the end, as c may be)
    ++m_i;
    return true;
  }
  // min..max digits as a number (at most 9 digits: no overflow).
  bool number(int min, int max, int& out) {
    int n = 0, v = 0;
    while (n < max && !at_end() && std::isdigit(static_cast<unsigned char>(m_s[m_i]))) {
      v = v * 10 + (m_s[m_i++] - '0');
      ++n;
    }
    out = v;
    return n >= min;
  }
  // A month or day name, full or abbreviated to three letters, in any case; its index.
  template <std::size_t N>
  bool name(const std::array<std::string_view, N>& names, int& out) {
    for (std::size_t k = 0; k < N; ++k)
      for (std::size_t len : {names[k].size(), std::size_t{3}})
        if (matches(names[k].substr(0, len))) {
          m_i += len;
          out = static_cast<int>(k);
          return true;
        }
    return false;
  }
  bool matches(std::string_view word) const {
    if (m_s.size() - m_i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(m_s[m_i + k])) != word[k]) return false;
    return true;
  }
  // ±hh[mm] (%z) or ±h[h][:mm] (%Ez), or Z.
  bool offset(bool modified, std::optional<std::int32_t>& out) {
    if (literal('Z') || literal('z')) {
      out = 0;
      return true;
    }
    char sign = peek();
    if (sign != '+' && sign != '-') return false;
    ++m_i;
    int h = 0, m = 0;
    if (!number(modified ? 1 : 2, 2, h)) return false;
    if (modified ? literal(':') : std::isdigit(static_cast<unsigned char>(peek())) != 0)
      if (!number(2, 2, m)) return false;
    if (h > 23 || m > 59) return false;
    out = (h * 3600 + m * 60) * (sign == '-' ? -1 : 1);
    return true;
  }
  // A fraction after the seconds: .123 or ,123 (up to microseconds kept, more digits read).
  void fraction(std::int64_t& micros) {
    if ((peek() != '.' && peek() != ',') || m_i + 1 >= m_s.size() ||
        !std::isdigit(static_cast<unsigned char>(m_s[m_i + 1])))
      return;
    ++m_i;
    int n = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(m_s[m_i]))) {
      if (n < 6) micros = micros * 10 + (m_s[m_i] - '0');
      ++n;
      ++m_i;
    }
    for (; n < 6; ++n) micros *= 10;
  }
  bool zone_name() {  // %Z: an abbreviation (CET, EST); read, not interpreted
    std::size_t start = m_i;
    while (!at_end() && std::isalpha(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
    return m_i > start;
  }

 private:
  std::string_view m_s;
  std::size_t m_i = 0;
};

bool conversion(Reader& in, char c, bool modified, Fields& f);

// A format inside a format (%T, %D, %F, %R).
bool composite(Reader& in, std::string_view parts, Fields& f) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == '%') {
      if (!conversion(in, parts[++i], false, f)) return false;
    } else if (!in.literal(parts[i])) {
      return false;
    }
  }
  return true;
}

bool conversion(Reader& in, char c, bool modified, Fields& f) {
  int v = 0;
  switch (c) {
    case 'Y':
      f.has_year = true;
      return in.number(1, 4, f.year);
    case 'y':  // POSIX: 69–99 are 1969–1999, 00–68 are 2000–2068
      if (!in.number(2, 2, v)) return false;
      f.year = v < 69 ? 2000 + v : 1900 + v;
      f.has_year = true;
      return true;
    case 'm':
      return in.number(1, 2, f.month);
    case 'd':
    case 'e':
      in.skip_space();
      return in.number(1, 2, f.day);
    case 'j':
      return in.number(1, 3, f.yday);
    case 'b':
    case 'B':
    case 'h':
      if (!in.name(kMonths, v)) return false;
      f.month = v + 1;
      return true;
    case 'a':
    case 'A':
      return in.name(kDays, v);
    case 'H':
      return in.number(1, 2, f.hour);
    case 'I':
      f.twelve_hour = true;
      return in.number(1, 2, f.hour);
    case 'p':
      if (!in.matches("am") && !in.matches("pm")) return false;
      f.pm = in.matches("pm") ? 1 : 0;
      in.skip(2);
      return true;
    case 'M':
      return in.number(1, 2, f.minute);
    case 'S':
      if (!in.number(1, 2, f.second)) return false;
      in.fraction(f.micros);
      return true;
    case 'z':
      return in.offset(modified, f.offset);
    case 'Z':
      return in.zone_name();
    case 'T':
      return composite(in, "%H:%M:%S", f);
    case 'R':
      return composite(in, "%H:%M", f);
    case 'D':
      return composite(in, "%m/%d/%y", f);
    case 'F':
      return composite(in, "%Y-%m-%d", f);
    case 'n':
      if (!std::isspace(static_cast<unsigned char>(in.peek()))) return false;
      return in.literal(in.peek());
    case 't':
      if (std::isspace(static_cast<unsigned char>(in.peek()))) in.literal(in.peek());
      return true;
    case '%':
      return in.literal('%');
    default:
      return false;  // refused when the mapping was compiled (unknown_time_conversion)
  }
}

// The local time the fields name, when they name a real one.
std::optional<std::int64_t> local_micros_of(Fields& f) {
  if (!f.has_year) return std::nullopt;
  if (f.twelve_hour) {
    if (f.hour < 1 || f.hour > 12 || f.pm < 0) return std::nullopt;
    f.hour = f.hour % 12 + (f.pm == 1 ? 12 : 0);
  } else if (f.pm >= 0) {
    return std::nullopt;  // %p without %I
  }
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return std::nullopt;
  date::sys_days days;
  if (f.yday > 0 && f.month == 0 && f.day == 0) {
    auto first = date::year(f.year) / date::January / 1;
    days = date::sys_days(first) + date::days(f.yday - 1);
    if (f.yday > (date::year(f.year).is_leap() ? 366 : 365)) return std::nullopt;
  } else {
    date::year_month_day ymd{date::year(f.year), date::month(static_cast<unsigned>(f.month)),
                             date::day(static_cast<unsigned>(f.day))};
    if (!ymd.ok()) return std::nullopt;
    days = date::sys_days(ymd);
  }
  std::int64_t secs = std::int64_t{days.time_since_epoch().count()} * 86400 +
                      std::int64_t{f.hour} * 3600 + f.minute * 60 + f.second;
  return secs * 1000000 + f.micros;
}

}  // namespace

std::optional<ParsedLocal> date_parse(std::string_view s, std::string_view format) {
  Reader in(s);
  Fields f;
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      in.skip_space();  // white space in the format matches any amount, as in strptime
    } else if (c != '%') {
      if (!in.literal(c)) return std::nullopt;
    } else {
      if (++i == format.size()) return std::nullopt;
      bool modified = (format[i] == 'E' || format[i] == 'O') && i + 1 < format.size();
      if (modified) ++i;
      if (!conversion(in, format[i], modified, f)) return std::nullopt;
    }
  }
  if (!in.at_end()) return std::nullopt;  // text left over
  auto local = local_micros_of(f);
  if (!local) return std::nullopt;
  return ParsedLocal{*local, f.offset};
}

}  // namespace etl::mapping
