#pragma once
// parse_time's strptime (date_parse.cpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace etl::mapping {

struct ParsedLocal {
  std::int64_t local_micros = 0;            // the local time read, as microseconds
  std::optional<std::int32_t> offset_secs;  // the UTC offset the text gave (%z), if any
};

// Reads all of s as strptime-style `format`; nullopt when it does not match, text is left
// over, or the fields name no real date and time. Conversions: %Y %y %m %d %e %j %b %B %h %a
// %A %H %I %p %M %S (with a fraction) %z %Ez %Z %T %R %D %F %n %t %%.
std::optional<ParsedLocal> date_parse(std::string_view s, std::string_view format);

}  // namespace etl::mapping
