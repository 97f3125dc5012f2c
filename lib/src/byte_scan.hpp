#pragma once
// Finding the next byte of a small set: the scans under JSON strings and CSV fields, where a
// byte-by-byte loop or find_first_of was most of the time. Sixteen bytes at a time with SSE2
// (every x86-64 has it), then eight at a time in a word (SWAR), then byte by byte at the end.
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
// c in each of 16 bytes. (_mm_set1_epi8 of a byte not known at compile time went through the
// stack: a store of one byte read back as four stalls, a third of writing a short CSV field.)
inline __m128i broadcast(char c) {
  // (unsigned: a byte past 0x7F times 0x01010101 does not fit an int)
  return _mm_shuffle_epi32(
      _mm_cvtsi32_si128(static_cast<int>(0x01010101U * static_cast<unsigned char>(c))), 0);
}

// The bytes of the 16 at p equal to a, b, c or d, or (controls) below 0x20, as mask bits;
// highs gets the bytes at or above 0x80.
inline unsigned hits16(const char* p, char a, char b, char c, char d, bool controls,
                       unsigned& highs) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, broadcast(a)), _mm_cmpeq_epi8(v, broadcast(b)));
  m = _mm_or_si128(m,
                   _mm_or_si128(_mm_cmpeq_epi8(v, broadcast(c)), _mm_cmpeq_epi8(v, broadcast(d))));
  if (controls)  // v <= 0x1F, unsigned: min(v, 0x1F) == v
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
  highs = static_cast<unsigned>(_mm_movemask_epi8(v));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
#endif

inline std::uint64_t json_stops(std::uint64_t w) {
  return equal(w, '"') | equal(w, '\\') | control(w);
}

// Whether fewer than 16 bytes from p hold none of '"', '\\' or a control byte: two overlapping
// loads, where a byte-by-byte loop was a few percent of writing NDJSON (keys and short values).
inline bool json_plain_tail(const char* p, const char* end) {
  std::size_t n = static_cast<std::size_t>(end - p);
  if (n >= 8) return json_stops(load(p)) == 0 && json_stops(load(end - 8)) == 0;
  if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, end - 4, 4);
    return json_stops(a | std::uint64_t{b} << 32) == 0;
  }
  for (; p < end; ++p)
    if (*p == '"' || *p == '\\' || static_cast<unsigned char>(*p) < 0x20) return false;
  return true;
}

// The first '"', '\\' or control byte in [p, end), or end: where a JSON string's plain run ends.
inline const char* json_string_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  for (unsigned highs; p + 16 <= end; p += 16)
    if (unsigned hits = hits16(p, '"', '\\', '"', '"', true, highs)) return p + __builtin_ctz(hits);
#endif
  if (end - p < 16 && json_plain_tail(p, end)) return end;
  for (; p + 8 <= end; p += 8) {
    std::uint64_t w = load(p);
    if (std::uint64_t hits = equal(w, '"') | equal(w, '\\') | control(w)) return at_first(p, hits);
  }
  while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// The first of bytes a, b, c, d in [p, end), or end.
inline const char* first_of(const char* p, const char* end, char a, char b, char c, char d) {
#if defined(__SSE2__)
  for (unsigned highs; p + 16 <= end; p += 16) {
    if (unsigned hits = hits16(p, a, b, c, d, false, highs)) return p + __builtin_ctz(hits);
  }
#endif
  // (fewer than 16 bytes, as most fields are, with none of them: two overlapping words)
  if (auto n = end - p; n >= 8 && n < 16) {
    std::uint64_t w1 = load(p), w2 = load(end - 8);
    if ((equal(w1, a) | equal(w1, b) | equal(w1, c) | equal(w1, d) | equal(w2, a) | equal(w2, b) |
         equal(w2, c) | equal(w2, d)) == 0)
      return end;
  }
  for (; p + 8 <= end; p += 8) {
    std::uint64_t w = load(p);
    if (std::uint64_t hits = equal(w, a) | equal(w, b) | equal(w, c) | equal(w, d))
      return at_first(p, hits);
  }
  while (p < end && *p != a && *p != b && *p != c && *p != d) ++p;
  return p;
}

// The first delimiter, '"', '\r' or '\n' in [p, end), or end: a CSV field that needs quoting.
inline const char* csv_special(const char* p, const char* end, char delimiter) {
  return first_of(p, end, delimiter, '"', '\r', '\n');
}

// Whether [p, end) holds a delimiter, '"', '\r' or '\n': a CSV field that needs quoting. Most
// fields are short: fewer than 16 bytes in two overlapping words.
inline bool csv_needs_quotes(const char* p, const char* end, char delimiter) {
  auto stops = [delimiter](std::uint64_t w) {
    return equal(w, delimiter) | equal(w, '"') | equal(w, '\r') | equal(w, '\n');
  };
  auto n = static_cast<std::size_t>(end - p);
  if (n >= 16) return csv_special(p, end, delimiter) != end;
  if (n >= 8) return (stops(load(p)) | stops(load(end - 8))) != 0;
  if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, end - 4, 4);
    return stops(a | std::uint64_t{b} << 32) != 0;
  }
  for (; p < end; ++p)
    if (*p == delimiter || *p == '"' || *p == '\r' || *p == '\n') return true;
  return false;
}

// csv_special, and high set when a byte before the stop is 0x80 or above (not ASCII: the caller
// checks UTF-8 only then).
inline const char* csv_special(const char* p, const char* end, char delimiter, bool& high) {
#if defined(__SSE2__)
  for (unsigned highs; p + 16 <= end; p += 16) {
    unsigned hits = hits16(p, delimiter, '"', '\r', '\n', false, highs);
    if (hits) {
      high = high || (highs & ((hits & (~hits + 1)) - 1)) != 0;  // the bytes before the hit
      return p + __builtin_ctz(hits);
    }
    high = high || highs != 0;
  }
#endif
  for (; p < end && *p != delimiter && *p != '"' && *p != '\r' && *p != '\n'; ++p)
    high = high || static_cast<unsigned char>(*p) >= 0x80;
  return p;
}

// How many bytes of [p, end) are c: sixteen at a time (std::count goes byte by byte, and
// counting lines was a sixteenth of reading a file on several threads).
inline std::size_t count(const char* p, const char* end, char c) {
  std::size_t n = 0;
#if defined(__SSE2__)
  const __m128i want = _mm_set1_epi8(c);
  const __m128i zero = _mm_setzero_si128();
  while (p + 16 <= end) {
    // Each byte lane counts up to 255 matches; then the lanes are summed (sad: into two halves).
    __m128i lanes = zero;
    for (int i = 0; i < 255 && p + 16 <= end; ++i, p += 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, want));
    }
    __m128i sums = _mm_sad_epu8(lanes, zero);
    n += static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; p < end; ++p) n += *p == c;
  return n;
}

}  // namespace etl::scan
