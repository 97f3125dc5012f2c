#pragma once
// The date library's parser behind one call, in a file of its own (see date_parse.cpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace etl::mapping {

struct ParsedLocal {
  std::int64_t local_micros = 0;            // the local time read, as microseconds
  std::optional<std::int32_t> offset_secs;  // the UTC offset the text gave (%z), if any
};

// Reads all of s as strptime-style `format` (date::from_stream); nullopt when it does not
// match or text is left over.
std::optional<ParsedLocal> date_parse(std::string_view s, std::string_view format);

}  // namespace etl::mapping
