#include "etl/arena.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

namespace etl {

void reserve_arena(std::string& arena, std::size_t bytes) {
  arena.reserve(bytes);
}

namespace {
const std::uintptr_t kPage = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
}  // namespace

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
