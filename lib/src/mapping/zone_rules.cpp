#include "etl/mapping/zone_rules.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace etl::mapping {
namespace {

constexpr std::int64_t kDay = 86400;
// A period of the zone file that ends after this has no end: it is the last one, past the file's
// list of transitions.
constexpr std::int64_t kNoEnd = 16725225600;  // 2500-01-01

// [+-]hh[:mm[:ss]] in seconds; hours up to 167 (RFC 8536 allows that in rule times).
bool read_hms(std::string_view s, std::size_t& i, std::int32_t& out) {
  int sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  std::int32_t parts[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p) {
    if (p > 0) {
      if (i >= s.size() || s[i] != ':') break;
      ++i;
    }
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - from < 3)
      parts[p] = parts[p] * 10 + (s[i++] - '0');
    if (i == from) return false;
  }
  if (parts[0] > 167 || parts[1] > 59 || parts[2] > 59) return false;
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool read_abbrev(std::string_view s, std::size_t& i, std::string& out) {
  if (i < s.size() && s[i] == '<') {
    std::size_t close = s.find('>', i);
    if (close == std::string_view::npos) return false;
    out = std::string(s.substr(i + 1, close - i - 1));
    i = close + 1;
    return !out.empty();
  }
  std::size_t from = i;
  while (i < s.size() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) ++i;
  out = std::string(s.substr(from, i - from));
  return out.size() >= 3;
}

bool read_number(std::string_view s, std::size_t& i, int& out) {
  std::size_t from = i;
  out = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - from < 4)
    out = out * 10 + (s[i++] - '0');
  return i > from;
}

bool read_when(std::string_view s, std::size_t& i, PosixRule::When& w) {
  if (i >= s.size()) return false;
  if (s[i] == 'M') {
    w.kind = 'M';
    ++i;
    if (!read_number(s, i, w.month) || i >= s.size() || s[i++] != '.' ||
        !read_number(s, i, w.week) || i >= s.size() || s[i++] != '.' ||
        !read_number(s, i, w.weekday))
      return false;
    if (w.month < 1 || w.month > 12 || w.week < 1 || w.week > 5 || w.weekday > 6) return false;
  } else if (s[i] == 'J') {
    w.kind = 'J';
    ++i;
    if (!read_number(s, i, w.day) || w.day < 1 || w.day > 365) return false;
  } else {
    w.kind = 'D';
    if (!read_number(s, i, w.day) || w.day > 365) return false;
  }
  w.time = 7200;
  if (i < s.size() && s[i] == '/') return read_hms(s, ++i, w.time);
  return true;
}

// Days since 1970-01-01 of the rule's day in year y.
std::int64_t rule_day(const PosixRule::When& w, int y) {
  using namespace date;
  if (w.kind == 'J') {
    bool leap = year(y).is_leap();
    return (sys_days(year(y) / January / 1) + days(w.day - 1 + (leap && w.day >= 60 ? 1 : 0)))
        .time_since_epoch()
        .count();
  }
  if (w.kind == 'D')
    return (sys_days(year(y) / January / 1) + days(w.day)).time_since_epoch().count();
  auto month_start = year(y) / month(static_cast<unsigned>(w.month)) / 1;
  weekday first{sys_days(month_start)};
  int to_first = (w.weekday - static_cast<int>(first.c_encoding()) + 7) % 7;
  sys_days day = sys_days(month_start) + days(to_first + (w.week - 1) * 7);
  sys_days last = sys_days(year(y) / month(static_cast<unsigned>(w.month)) / date::last);
  while (day > last) day -= days(7);
  return day.time_since_epoch().count();
}

struct Transition {
  std::int64_t at;  // UTC seconds
  bool to_dst;
};

// The rule's transitions in the years around UTC instant t, in order.
std::vector<Transition> transitions_around(const PosixRule& r, std::int64_t t) {
  int y = static_cast<int>(
      date::year_month_day(date::sys_days(date::days(t >= 0 ? t / kDay : (t - kDay + 1) / kDay)))
          .year());
  std::vector<Transition> out;
  for (int year = y - 1; year <= y + 1; ++year) {
    // The change to DST happens on standard time, the change back on DST.
    out.push_back({rule_day(r.start, year) * kDay + r.start.time - r.std_offset, true});
    out.push_back({rule_day(r.end, year) * kDay + r.end.time - r.dst_offset, false});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return out;
}

OffsetAt rule_offset(const PosixRule& r, std::int64_t t) {
  bool dst = false;
  for (const auto& tr : transitions_around(r, t))
    if (tr.at <= t) dst = tr.to_dst;
  return dst ? OffsetAt{r.dst_offset, r.dst_abbrev} : OffsetAt{r.std_offset, r.std_abbrev};
}

// The rule in the footer of the zone's file (RFC 8536 version 2 and later), read once per zone.
const PosixRule* footer_rule(const date::time_zone* zone) {
  static std::mutex mutex;
  static std::map<const date::time_zone*, std::optional<PosixRule>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(zone);
  if (it == cache.end()) {
    const char* dir = std::getenv("TZDIR");
    std::ifstream in(
        std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(zone->name()),
        std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::string file = bytes.str();
    std::optional<PosixRule> rule;
    if (file.size() > 6 && file.compare(0, 4, "TZif") == 0 && file[4] >= '2' &&
        file.back() == '\n') {
      std::size_t start = file.rfind('\n', file.size() - 2);
      if (start != std::string::npos)
        rule = parse_posix_rule(std::string_view(file).substr(start + 1, file.size() - start - 2));
    }
    it = cache.emplace(zone, std::move(rule)).first;
  }
  return it->second && it->second->has_dst ? &*it->second : nullptr;
}

}  // namespace

std::optional<PosixRule> parse_posix_rule(std::string_view s) {
  PosixRule r;
  std::size_t i = 0;
  std::int32_t west = 0;
  if (!read_abbrev(s, i, r.std_abbrev) || !read_hms(s, i, west)) return std::nullopt;
  r.std_offset = -west;
  if (i == s.size()) return r;
  if (!read_abbrev(s, i, r.dst_abbrev)) return std::nullopt;
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (i < s.size() && s[i] != ',') {
    if (!read_hms(s, i, west)) return std::nullopt;
    r.dst_offset = -west;
  }
  if (i == s.size()) {  // POSIX's default: the United States' rules
    r.start = {'M', 3, 2, 0, 0, 7200};
    r.end = {'M', 11, 1, 0, 0, 7200};
    return r;
  }
  if (s[i++] != ',' || !read_when(s, i, r.start) || i >= s.size() || s[i++] != ',' ||
      !read_when(s, i, r.end) || i != s.size())
    return std::nullopt;
  return r;
}

OffsetAt offset_at(const date::time_zone* zone, std::int64_t t) {
  auto info = zone->get_info(date::sys_seconds(std::chrono::seconds(t)));
  if (info.end.time_since_epoch().count() < kNoEnd)
    return {static_cast<std::int32_t>(info.offset.count()), info.abbrev};
  if (const PosixRule* rule = footer_rule(zone)) return rule_offset(*rule, t);
  return {static_cast<std::int32_t>(info.offset.count()), info.abbrev};
}

LocalAt local_at(const date::time_zone* zone, std::int64_t local) {
  auto last = zone->get_info(date::sys_seconds(std::chrono::seconds(kNoEnd)));
  const PosixRule* rule = footer_rule(zone);
  // Within two days of the file's last transition the file decides; past that the rule does.
  if (!rule || local - 2 * kDay < last.begin.time_since_epoch().count()) {
    auto info = zone->get_info(date::local_seconds(std::chrono::seconds(local)));
    LocalAt out;
    out.first = static_cast<std::int32_t>(info.first.offset.count());
    out.second = static_cast<std::int32_t>(info.second.offset.count());
    if (info.result == date::local_info::nonexistent) {
      out.kind = LocalAt::Nonexistent;
      out.gap_end = info.first.end.time_since_epoch().count();
    } else if (info.result == date::local_info::ambiguous) {
      out.kind = LocalAt::Ambiguous;
    }
    return out;
  }
  // An offset is this local time's when the instant it gives has that offset.
  std::vector<std::int32_t> valid;
  for (std::int32_t o :
       {std::max(rule->std_offset, rule->dst_offset), std::min(rule->std_offset, rule->dst_offset)})
    if (rule_offset(*rule, local - o).offset == o &&
        std::find(valid.begin(), valid.end(), o) == valid.end())
      valid.push_back(o);
  LocalAt out;
  if (valid.size() == 1) {
    out.first = out.second = valid[0];
  } else if (valid.size() == 2) {
    out.kind = LocalAt::Ambiguous;  // the larger offset gives the earlier instant
    out.first = valid[0];
    out.second = valid[1];
  } else {
    out.kind = LocalAt::Nonexistent;  // the change that skipped it: the one just before
    std::int64_t before = local - std::min(rule->std_offset, rule->dst_offset);
    for (const auto& tr : transitions_around(*rule, before))
      if (tr.at <= before) out.gap_end = tr.at;
  }
  return out;
}

}  // namespace etl::mapping
