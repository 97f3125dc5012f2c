#pragma once
#include <cstddef>
#include <string_view>

namespace etl {
// Returns the byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and
// code points past U+10FFFF are invalid), or npos when the whole text is valid.
std::size_t find_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) {
  return find_invalid_utf8(s) == std::string_view::npos;
}
}  // namespace etl
