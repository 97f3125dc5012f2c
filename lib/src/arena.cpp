#include "etl/arena.hpp"

namespace etl {

void reserve_arena(std::string& arena, std::size_t bytes) {
  arena.reserve(bytes);
}

}  // namespace etl
