#pragma once
// Length prefixes of the binary blobs kept in arenas and temporary files (sort entries, stored
// records, key entries): 32-bit, in the machine's byte order (they never leave the process).
// And the compare and copy of short byte strings (field names, CSV fields) on hot paths.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace etl {

inline void put_u32(std::string& out, std::size_t n) {
  auto v = static_cast<std::uint32_t>(n);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

inline std::uint32_t get_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Whether a and b hold the same bytes. Field names and keys are short: two overlapping word loads
// compare them faster than a call to memcmp.
inline bool same_bytes(std::string_view a, std::string_view b) {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  auto word = [](const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  auto half = [](const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  };
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8 && n <= 16) return word(x) == word(y) && word(x + n - 8) == word(y + n - 8);
  if (n >= 4 && n < 8) return half(x) == half(y) && half(x + n - 4) == half(y + n - 4);
  return std::memcmp(x, y, n) == 0;
}

// Copies n bytes from src to dst (which do not overlap). Most are short: up to 16 are moved by
// overlapping word loads and stores, inline, rather than by a call to memcpy.
inline void copy_bytes(char* dst, const char* src, std::size_t n) {
  if (n >= 8 && n <= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 0 && n < 4) {  // (first, middle and last: each byte of 1, 2 or 3)
    char first = src[0], middle = src[n / 2], last = src[n - 1];
    dst[0] = first;
    dst[n / 2] = middle;
    dst[n - 1] = last;
  } else if (n > 16) {
    std::memcpy(dst, src, n);
  }
}

// s = bytes, in s's storage. A reused string mostly holds a value of about the same length: one
// no longer than it is copied in place, inline; std::string::assign, with its checks for bytes
// inside s, was a twentieth of reading NDJSON.
inline void assign_bytes(std::string& s, std::string_view bytes) {
  auto at = reinterpret_cast<std::uintptr_t>(bytes.data());
  auto begin = reinterpret_cast<std::uintptr_t>(s.data());
  std::size_t n = bytes.size();
  if (n > s.size() || (at >= begin && at <= begin + s.size())) {
    s.assign(bytes.data(), n);
    return;
  }
  copy_bytes(s.data(), bytes.data(), n);
  s.resize(n);  // (no longer: only the length is set)
}

// Each value after its length, as put_u32 and append would put them, sized first and copied in
// (an append for each length and each value was a tenth of storing a CSV row).
inline void put_counted(std::string& out, const std::vector<std::string_view>& values) {
  std::size_t size = 4 * values.size();
  for (std::string_view v : values) size += v.size();
  std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  for (std::string_view v : values) {
    auto n = static_cast<std::uint32_t>(v.size());
    std::memcpy(p, &n, 4);
    copy_bytes(p + 4, v.data(), v.size());
    p += 4 + v.size();
  }
}

}  // namespace etl
