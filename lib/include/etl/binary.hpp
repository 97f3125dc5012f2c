#pragma once
// Bytes that are not text travel in a record as an object of one member, {"$base64": "…"}
// (RFC 4648 base64): JSON holds them exactly and NDJSON stays UTF-8. SQLite BLOBs and
// PostgreSQL bytea values are read as such objects and loaded back from them; etl-diff compares
// them as it compares any value.
#include <optional>
#include <string>
#include <string_view>

#include "etl/value.hpp"

namespace etl {

inline constexpr std::string_view kBytesMember = "$base64";

Value bytes_value(std::string_view bytes);
// The bytes a {"$base64": …} value holds; nullopt for any other value (or invalid base64).
std::optional<std::string> bytes_of(const Value& v);
bool is_bytes(const Value& v);
// PostgreSQL's hex form of bytea ("\x4a50…") and back.
std::string bytea_hex(std::string_view bytes);
std::optional<std::string> from_bytea_hex(std::string_view text);

}  // namespace etl
