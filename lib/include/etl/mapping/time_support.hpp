#pragma once
// Instants, IANA time zones and the daylight-saving policy, over Howard Hinnant's date library
// (the basis of C++20 <chrono> zones, which this compiler's library does not have yet).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "etl/mapping/datum.hpp"

namespace etl::mapping {

// What to do with a local time that a daylight-saving change skips (gap) or repeats (overlap).
enum class DstPolicy { Reject, Earliest, Latest };
std::optional<DstPolicy> parse_dst_policy(std::string_view name);

// How zone-less timestamps are read: the mapping's "timezone" and "dst".
struct ZoneSettings {
  const date::time_zone* zone = nullptr;  // null: UTC
  DstPolicy dst = DstPolicy::Reject;
};

// nullptr when name is not an IANA zone.
const date::time_zone* find_zone(std::string_view name);
std::string zone_name(const TimeValue& t);

TimeValue utc_instant(std::int64_t micros);
// Reads a wall-clock time (microseconds as if it were UTC) in zone, by the policy.
TimeValue from_local(std::int64_t local_micros, const ZoneSettings& z);
// The same instant shown in another zone.
TimeValue in_zone(const TimeValue& t, const date::time_zone* zone);
std::int32_t utc_offset(const TimeValue& t);
std::int64_t local_micros(const TimeValue& t);

// ISO 8601 / RFC 3339: 2024-03-01, 2024-03-01T10:00[:00[.123]][Z|+01:00|+0100]; a space may
// stand for T, and the hour may have one digit (2017-05-09 6:07:35, as NetSuite exports). No
// offset: read in z. nullopt when s is not such a timestamp.
std::optional<TimeValue> parse_iso8601(std::string_view s, const ZoneSettings& z);
// What platforms write without saying how: ISO 8601 as above, else RFC 2822 / RFC 1123
// (Tue, 19 Jan 2021 08:50:25 +0000, as BigCommerce and HTTP headers write it).
std::optional<TimeValue> parse_timestamp(std::string_view s, const ZoneSettings& z);
// The first conversion in a time format that neither strftime nor strptime knows (%Q, a width
// such as %9999Y, a lone % at the end), or 0. Such formats are refused before they reach the
// date library, whose parser overflows on them.
// printing: for format_time, which also knows %f (microseconds).
char unknown_time_conversion(std::string_view format, bool printing = false);
// strptime-style format (%Y %m %d %H %M %S %z …); without %z the time is read in z. nullopt when
// s does not match, or the format has an unknown conversion.
std::optional<TimeValue> parse_with_format(std::string_view s, std::string_view format,
                                           const ZoneSettings& z);
// "" when the format has an unknown conversion.
std::string format_time(const TimeValue& t, std::string_view format);

}  // namespace etl::mapping
