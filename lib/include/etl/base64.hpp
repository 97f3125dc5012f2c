#pragma once
// Base64 (RFC 4648, with padding) for bytes that are not text: raw rejected input that is not
// UTF-8, and binary column values.
#include <optional>
#include <string>
#include <string_view>

namespace etl {

std::string base64_encode(std::string_view bytes);
// nullopt when text is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace etl
