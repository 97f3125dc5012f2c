#include "etl/arena.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace etl {

void reserve_arena(std::string& arena, std::size_t bytes) {
  arena.reserve(bytes);
  auto begin = reinterpret_cast<std::uintptr_t>(arena.data());
  std::uintptr_t huge = std::uintptr_t{2} << 20;
  std::uintptr_t first = (begin + huge - 1) & ~(huge - 1);
  std::uintptr_t last = (begin + arena.capacity()) & ~(huge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace etl
