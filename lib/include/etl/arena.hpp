#pragma once
// Byte arenas that fill up to a memory budget (sort buffers, record stores, key indexes).
#include <cstddef>
#include <string>

namespace etl {

// Reserves `bytes` for arena once, so that it never moves (nor copies itself) while it fills, and
// asks for transparent huge pages: a 2 MiB page faults in once instead of 512 times. Pages are
// only touched when used, so a large budget costs nothing until it is needed.
void reserve_arena(std::string& arena, std::size_t bytes);

}  // namespace etl
