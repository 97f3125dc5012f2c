#include "etl/arena.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace etl {

namespace {
const std::uintptr_t kPage = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
constexpr std::uintptr_t kHugePage = std::uintptr_t{1} << 21;
// From here a block is rounded up to whole huge pages (it costs at most twice its size).
constexpr std::size_t kLarge = kHugePage / 2;

// Asks for the whole 2 MiB pages inside the block in huge pages; a refusal (THP "never", or no
// THP at all) leaves it in small ones.
void advise_huge_pages(const void* block, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  auto begin = reinterpret_cast<std::uintptr_t>(block);
  std::uintptr_t from = (begin + kHugePage - 1) & ~(kHugePage - 1);
  std::uintptr_t to = (begin + bytes) & ~(kHugePage - 1);
  if (from < to) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#else
  (void)block;
  (void)bytes;
#endif
}

}  // namespace

void reserve_arena(std::string& arena, std::size_t bytes) {
  arena.reserve(bytes);
  advise_huge_pages(arena.data(), arena.capacity());
}

void* allocate_large(std::size_t bytes) {
  if (bytes < kLarge) {
    void* block = std::malloc(bytes);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  std::size_t whole = (bytes + kHugePage - 1) & ~(kHugePage - 1);
  void* block = std::aligned_alloc(kHugePage, whole);
  if (block == nullptr) throw std::bad_alloc();
  advise_huge_pages(block, whole);
  return block;
}

void free_large(void* block) noexcept {
  std::free(block);
}

void ArenaFaulter::watch(const std::string& arena) {
  const std::uintptr_t page = kPage;
  auto begin = reinterpret_cast<std::uintptr_t>(arena.data());
  m_begin = m_faulted = (begin + page - 1) & ~(page - 1);
  m_end = (begin + arena.capacity()) & ~(page - 1);
  m_fill.store(arena.size(), std::memory_order_relaxed);
  m_next_report = arena.size() + kReportStep;
}

bool ArenaFaulter::fault_ahead(std::size_t ahead) {
#ifdef MADV_POPULATE_WRITE
  if (m_end == 0 || m_stopped.load(std::memory_order_relaxed)) return false;
  std::uintptr_t fill = m_begin + m_fill.load(std::memory_order_relaxed);
  std::uintptr_t to = std::min(m_end, (fill + ahead) & ~(kPage - 1));
  std::uintptr_t from = std::max(m_faulted, fill & ~(kPage - 1));
  if (to <= from) return false;
  // (A refusal, as from a kernel before 5.14, only leaves the pages to the filling thread.)
  if (madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE) != 0) {
    m_end = 0;
    return false;
  }
  m_faulted = to;
  return true;
#else
  (void)ahead;
  return false;
#endif
}

}  // namespace etl
