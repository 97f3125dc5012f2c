#include "etl/mapping/time_support.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <cctype>
#include <sstream>

#include "date_parse.hpp"
#include "etl/mapping/zone_rules.hpp"

namespace etl::mapping {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

std::string show_local(std::int64_t local) {
  return date::format("%F %T",
                      date::local_time<seconds>(std::chrono::floor<seconds>(microseconds(local))));
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// +01:00, -04:56:02: the seconds of a local mean time are kept, so the text reads back exactly.
std::string offset_text(std::int32_t off) {
  int a = std::abs(off);
  std::string out = fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  if (a % 60 != 0) out += fmt::format(":{:02}", a % 60);
  return out;
}

}  // namespace

std::optional<DstPolicy> parse_dst_policy(std::string_view name) {
  if (name == "reject") return DstPolicy::Reject;
  if (name == "earliest") return DstPolicy::Earliest;
  if (name == "latest") return DstPolicy::Latest;
  return std::nullopt;
}

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string zone_name(const TimeValue& t) {
  if (t.zone) return std::string(t.zone->name());
  if (t.offset_seconds == 0) return "UTC";
  return offset_text(t.offset_seconds);
}

TimeValue utc_instant(std::int64_t micros) {
  return TimeValue{micros, nullptr, 0};
}

TimeValue from_local(std::int64_t local, const ZoneSettings& z) {
  if (!z.zone) return utc_instant(local);
  std::int64_t secs = floor_div(local, kMicrosPerSecond);
  LocalAt at = local_at(z.zone, secs);
  std::int64_t offset = at.first;
  switch (at.kind) {
    case LocalAt::Unique:
      break;
    case LocalAt::Nonexistent:
      if (z.dst == DstPolicy::Reject)
        throw EvalError(fmt::format(
            "local time {} does not exist in {} (skipped by a daylight-saving change); the "
            "mapping's dst policy is reject",
            show_local(local), z.zone->name()));
      // earliest/latest: the instant of the gap, as both sides name it
      return TimeValue{at.gap_end * kMicrosPerSecond, z.zone, 0};
    case LocalAt::Ambiguous:
      if (z.dst == DstPolicy::Reject)
        throw EvalError(fmt::format(
            "local time {} happens twice in {} (repeated by a daylight-saving change); the "
            "mapping's dst policy is reject",
            show_local(local), z.zone->name()));
      offset = z.dst == DstPolicy::Earliest ? at.first : at.second;
      break;
  }
  return TimeValue{local - offset * kMicrosPerSecond, z.zone, 0};
}

TimeValue in_zone(const TimeValue& t, const date::time_zone* zone) {
  return TimeValue{t.micros, zone, 0};
}

std::int32_t utc_offset(const TimeValue& t) {
  if (!t.zone) return t.offset_seconds;
  return offset_at(t.zone, floor_div(t.micros, kMicrosPerSecond)).offset;
}

std::int64_t local_micros(const TimeValue& t) {
  return t.micros + std::int64_t{utc_offset(t)} * kMicrosPerSecond;
}

std::optional<TimeValue> parse_iso8601(std::string_view s, const ZoneSettings& z) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                           date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  std::size_t i = 10;
  std::int64_t fraction = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    if (i + 2 < s.size() && s[i + 2] == ':') {  // a one-digit hour: read as if it had two
      if (!digits(s, i + 1, 1, h)) return std::nullopt;
      --i;
    } else if (!digits(s, i + 1, 2, h)) {
      return std::nullopt;
    }
    if (i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, mi)) return std::nullopt;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!digits(s, i + 1, 2, sec)) return std::nullopt;
      i += 3;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        int n = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
          if (n < 6) fraction = fraction * 10 + (s[i] - '0');
        if (n == 0) return std::nullopt;
        for (; n < 6; ++n) fraction *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  std::int64_t days = date::sys_days(ymd).time_since_epoch().count();
  std::int64_t local =
      days * kMicrosPerDay + (std::int64_t{h} * 3600 + mi * 60 + sec) * kMicrosPerSecond + fraction;
  if (i == s.size()) return from_local(local, z);
  int offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om = 0, os = 0;
    if (!digits(s, i + 1, 2, oh)) return std::nullopt;
    std::size_t j = i + 3;
    bool colon = j < s.size() && s[j] == ':';
    if (colon) ++j;
    if (j < s.size()) {
      if (!digits(s, j, 2, om)) return std::nullopt;
      j += 2;
    }
    if (colon && j < s.size() && s[j] == ':') {  // seconds, as a local mean time has them
      if (!digits(s, j + 1, 2, os)) return std::nullopt;
      j += 3;
    }
    if (oh > 23 || om > 59 || os > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60 + os) * (s[i] == '-' ? -1 : 1);
    i = j;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return TimeValue{local - std::int64_t{offset} * kMicrosPerSecond, nullptr, offset};
}

std::optional<TimeValue> parse_timestamp(std::string_view s, const ZoneSettings& z) {
  static constexpr const char* kRfc2822[] = {"%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z",
                                             "%a, %d %b %Y %H:%M:%S GMT",
                                             "%a, %d %b %Y %H:%M:%S UTC", "%a, %d %b %Y %H:%M %z"};
  if (auto t = parse_iso8601(s, z)) return t;
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return std::nullopt;
  for (const char* f : kRfc2822)
    if (auto t = parse_with_format(s, f, z)) return t;
  return std::nullopt;
}

char unknown_time_conversion(std::string_view format, bool printing) {
  static constexpr std::string_view kPrinted = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
  static constexpr std::string_view kParsed = "aAbBdDeFhHIjmMnpRStTyYzZ%";  // date_parse.cpp
  const std::string_view kKnown = printing ? kPrinted : kParsed;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (++i == format.size()) return '%';  // a lone % at the end
    if (printing && format[i] == 'f') continue;
    if ((format[i] == 'E' || format[i] == 'O') && i + 1 < format.size()) ++i;
    if (kKnown.find(format[i]) == std::string_view::npos) return format[i];
  }
  return 0;
}

std::optional<TimeValue> parse_with_format(std::string_view s, std::string_view format,
                                           const ZoneSettings& z) {
  if (unknown_time_conversion(format)) return std::nullopt;
  auto parsed = date_parse(s, format);
  if (!parsed) return std::nullopt;
  if (!parsed->offset_secs) return from_local(parsed->local_micros, z);
  std::int32_t off = *parsed->offset_secs;
  return TimeValue{parsed->local_micros - std::int64_t{off} * kMicrosPerSecond, nullptr, off};
}

std::string format_time(const TimeValue& t, std::string_view format) {
  if (unknown_time_conversion(format, true)) return "";
  std::int32_t off = utc_offset(t);
  std::string abbrev;
  if (t.zone)
    abbrev = offset_at(t.zone, floor_div(t.micros, kMicrosPerSecond)).abbrev;
  else
    abbrev = off == 0 ? "UTC" : zone_name(t);
  seconds off_s(off);
  std::ostringstream out;
  std::int64_t local = local_micros(t);
  std::int64_t whole = floor_div(local, kMicrosPerSecond);
  // %S is whole seconds, always two digits wide; %f writes the microseconds (six digits, as
  // Python's strftime), so a column of times has one width whatever their fractions.
  std::string fmt_text;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      if (format[i + 1] == 'f')
        fmt_text += fmt::format("{:06d}", local - whole * kMicrosPerSecond);
      else
        fmt_text.append(format.substr(i, 2));
      ++i;
      continue;
    }
    fmt_text.push_back(format[i]);
  }
  date::to_stream(out, fmt_text.c_str(), date::local_time<seconds>(seconds(whole)), &abbrev,
                  &off_s);
  return out.str();
}

std::string format_rfc3339(const TimeValue& t) {
  std::int32_t off = utc_offset(t);
  std::int64_t local = local_micros(t);
  auto day = std::chrono::floor<date::days>(date::sys_time<microseconds>(microseconds(local)));
  date::year_month_day ymd{day};
  std::int64_t in_day = local - day.time_since_epoch().count() * kMicrosPerDay;
  std::int64_t secs = in_day / kMicrosPerSecond, frac = in_day % kMicrosPerSecond;
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), secs / 3600, secs / 60 % 60, secs % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:06}", frac);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  if (off == 0) return out + "Z";
  return out + offset_text(off);
}

}  // namespace etl::mapping
