#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "etl/arena.hpp"

namespace {

// Whether every page of [from, from + size) is in memory.
bool resident(const char* from, std::size_t size) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(from) & ~(page - 1);
  auto end = reinterpret_cast<std::uintptr_t>(from) + size;
  std::vector<unsigned char> in((end - begin + page - 1) / page);
  REQUIRE(mincore(reinterpret_cast<void*>(begin), end - begin, in.data()) == 0);
  for (unsigned char c : in)
    if ((c & 1) == 0) return false;
  return true;
}

}  // namespace

TEST_CASE("arena faulter faults in the pages ahead of the fill, and no further", "[arena]") {
#ifdef MADV_POPULATE_WRITE
  constexpr std::size_t kArena = std::size_t{64} << 20, kAhead = std::size_t{1} << 20;
  std::string arena;
  etl::reserve_arena(arena, kArena);
  arena.assign(1000, 'x');
  etl::ArenaFaulter faulter;
  faulter.watch(arena);
  bool faulted = faulter.fault_ahead(kAhead);
  if (!faulted) {
    WARN("the kernel refuses MADV_POPULATE_WRITE (before 5.14)");
    return;
  }
  CHECK(resident(arena.data(), kAhead - 4096));
  CHECK_FALSE(faulter.fault_ahead(kAhead));  // nothing new until the fill moves on
  CHECK(arena == std::string(1000, 'x'));    // faulting in writes nothing

  arena.append(std::size_t{8} << 20, 'y');
  faulter.filled(arena.size());
  CHECK(faulter.fault_ahead(kAhead));
  CHECK(resident(arena.data() + arena.size(), kAhead - 4096));
  CHECK(arena.back() == 'y');

  faulter.stop();
  arena.append(std::size_t{8} << 20, 'z');
  faulter.filled(arena.size());
  CHECK_FALSE(faulter.fault_ahead(kAhead));
#else
  WARN("no MADV_POPULATE_WRITE on this system");
#endif
}

TEST_CASE("arena faulter works beside the thread that fills the arena", "[arena]") {
  constexpr std::size_t kArena = std::size_t{32} << 20;
  std::string arena;
  etl::reserve_arena(arena, kArena);
  etl::ArenaFaulter faulter;
  faulter.watch(arena);
  std::atomic<bool> done{false};
  std::thread helper([&] {
    while (!done.load()) faulter.fault_ahead(std::size_t{2} << 20);
  });
  for (std::size_t i = 0; arena.size() + 100 <= kArena; ++i) {
    arena.append(100, static_cast<char>('a' + i % 26));
    faulter.filled(arena.size());
  }
  done = true;
  helper.join();
  for (std::size_t i = 0; i < arena.size(); i += 100)
    REQUIRE(arena[i] == static_cast<char>('a' + (i / 100) % 26));
}
