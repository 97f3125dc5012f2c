#pragma once
// Length prefixes of the binary blobs kept in arenas and temporary files (sort entries, stored
// records, key entries): 32-bit, in the machine's byte order (they never leave the process).
#include <cstdint>
#include <cstring>
#include <string>

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

}  // namespace etl
