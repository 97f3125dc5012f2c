#include "etl/utf8.hpp"

#include <fmt/format.h>
#include <locale.h>
#include <wctype.h>

#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace etl {

namespace {
// The place of the first byte from i that is not ASCII, or n. The place in a block is found
// from its mask: a row with one name of accents in it was walked byte by byte up to it.
std::size_t first_high(const unsigned char* p, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16)
    if (unsigned m = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)))))
      return i + static_cast<std::size_t>(__builtin_ctz(m));
#endif
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (std::uint64_t highs = w & 0x8080808080808080ULL)
      return i + static_cast<std::size_t>(__builtin_ctzll(highs)) / 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}
}  // namespace

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while ((i = first_high(p, i, n)) < n) {
    unsigned char c = p[i];
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Unicode simple case mapping through the C library's UTF-8 locale.
std::string utf8_change_case(std::string_view s, bool upper) {
  static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(upper ? (c >= 'a' && c <= 'z' ? c - 32 : c)
                                            : (c >= 'A' && c <= 'Z' ? c + 32 : c)));
      ++i;
      continue;
    }
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    std::uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (utf8)
      cp = static_cast<std::uint32_t>(upper ? towupper_l(static_cast<wint_t>(cp), utf8)
                                            : towlower_l(static_cast<wint_t>(cp), utf8));
    append_utf8(out, cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        out += fmt::format("\\x{:02x}", c);
      else
        out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t bad = find_invalid_utf8(text.substr(i, 4));
    std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (bad != std::string_view::npos && bad < len) {  // not UTF-8: the byte, escaped
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    if (c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0)  // U+0080..U+009F
      out += fmt::format("\\u00{:02x}", static_cast<unsigned char>(text[i + 1]));
    else
      out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace etl
