#pragma once
// Finding the next byte of a small set eight bytes at a time (SWAR): the scans under JSON strings
// and CSV fields, where a byte-by-byte loop or find_first_of was most of the time.
#include <cstdint>
#include <cstring>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the word scans read little-endian");

namespace etl::scan {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// The bytes of w equal to c, as their high bits (exact up to the first match).
inline std::uint64_t equal(std::uint64_t w, char c) {
  std::uint64_t x = w ^ (kOnes * static_cast<unsigned char>(c));
  return (x - kOnes) & ~x & kHighs;
}
// The bytes of w below 0x20 (controls), as their high bits (exact up to the first match).
inline std::uint64_t control(std::uint64_t w) {
  return (w - kOnes * 0x20) & ~w & kHighs;
}

inline std::uint64_t load(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline const char* at_first(const char* p, std::uint64_t hits) {
  return p + __builtin_ctzll(hits) / 8;
}

// The first '"', '\\' or control byte in [p, end), or end: where a JSON string's plain run ends.
inline const char* json_string_stop(const char* p, const char* end) {
  for (; p + 8 <= end; p += 8) {
    std::uint64_t w = load(p);
    if (std::uint64_t hits = equal(w, '"') | equal(w, '\\') | control(w)) return at_first(p, hits);
  }
  while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// The first delimiter, '"', '\r' or '\n' in [p, end), or end: a CSV field that needs quoting.
inline const char* csv_special(const char* p, const char* end, char delimiter) {
  for (; p + 8 <= end; p += 8) {
    std::uint64_t w = load(p);
    if (std::uint64_t hits = equal(w, delimiter) | equal(w, '"') | equal(w, '\r') | equal(w, '\n'))
      return at_first(p, hits);
  }
  while (p < end && *p != delimiter && *p != '"' && *p != '\r' && *p != '\n') ++p;
  return p;
}

}  // namespace etl::scan
