#pragma once
// A running FNV-1a digest of records' JSON text, each ended by a newline: the same records in the
// same order digest the same, and a change of one almost surely does not. It tells inputs apart
// (--checkpoint) and records seen before (the watermark's ties); it is no defence against
// someone crafting collisions, which these uses do not need.
#include <cstdint>
#include <string>
#include <string_view>

#include "etl/value.hpp"

namespace etl {

inline constexpr std::uint64_t kDigestSeed = 14695981039346656037ull;  // FNV-1a 64 offset basis

std::uint64_t digest_text(std::uint64_t h, std::string_view text);
// The digest of one record after h; scratch is reused for its JSON text.
std::uint64_t digest_record(std::uint64_t h, const Record& r, std::string& scratch);
std::string digest_hex(std::uint64_t h);

}  // namespace etl
