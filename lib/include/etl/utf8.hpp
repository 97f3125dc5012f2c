#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace etl {
// Returns the byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and
// code points past U+10FFFF are invalid), or npos when the whole text is valid.
std::size_t find_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) {
  return find_invalid_utf8(s) == std::string_view::npos;
}
// Appends code point cp (at most U+10FFFF, not a surrogate) encoded as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
// Lower- or upper-cases valid UTF-8 by Unicode simple case mapping (the C.UTF-8 locale).
std::string utf8_change_case(std::string_view s, bool upper);
// Text safe to print on a terminal: control characters (C0 but line ends and tabs, DEL, C1)
// become \xHH or \u00HH, and invalid UTF-8 bytes \xHH, so a hostile server's or file's escape
// sequences never reach the terminal as such.
std::string terminal_safe(std::string_view text);

}  // namespace etl
