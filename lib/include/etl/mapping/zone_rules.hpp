#pragma once
// A zone's offset at an instant, and how a local time reads in it. Howard Hinnant's date
// library reads the system's zone files, which list transitions only up to 2037; past the last
// one it keeps that offset for ever, so New York would stay on standard time from 2038. Each
// file ends with a POSIX TZ rule for the years after its list (RFC 8536 §3.3, the footer); this
// applies it there, as the C library and Python's zoneinfo do.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace etl::mapping {

// A POSIX TZ rule: "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0".
struct PosixRule {
  struct When {
    char kind = 'M';  // 'M' month.week.day, 'J' day 1..365 without Feb 29, 'D' day 0..365
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int32_t time = 7200;  // seconds after local midnight, may be negative or past 24h
  };
  std::string std_abbrev, dst_abbrev;
  std::int32_t std_offset = 0, dst_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  When start, end;
};
std::optional<PosixRule> parse_posix_rule(std::string_view text);

struct OffsetAt {
  std::int32_t offset = 0;  // seconds east of UTC
  std::string abbrev;
};
OffsetAt offset_at(const date::time_zone* zone, std::int64_t utc_seconds);

// A local time in a zone: one instant, none (skipped by a change: gap_end is the instant the
// change happened), or two (repeated: first the earlier instant's offset).
struct LocalAt {
  enum Kind { Unique, Nonexistent, Ambiguous } kind = Unique;
  std::int32_t first = 0, second = 0;
  std::int64_t gap_end = 0;  // UTC seconds
};
LocalAt local_at(const date::time_zone* zone, std::int64_t local_seconds);

}  // namespace etl::mapping
