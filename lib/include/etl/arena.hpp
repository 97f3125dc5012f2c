#pragma once
// Byte arenas that fill up to a memory budget (sort buffers, record stores, key indexes).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace etl {

// Reserves `bytes` for arena once, so that it never moves (nor copies itself) while it fills.
// Pages are only touched when used, so a large budget costs nothing until it is needed. Its
// whole 2 MiB stretches are asked for in transparent huge pages (madvise; the kernel's
// "enabled" setting decides): one fault then maps 512 pages. Measured both ways, by turns right
// after DuckDB's join freed its memory, the bench's 1M orders: on the VM of session 50
// (kernel 6.18, THP "madvise") etl-correlate 0.76-0.93 s with small pages, 0.63-0.82 s with
// huge ones; on an earlier VM the other way round (0.58 s small, 0.94 s huge), where a huge
// page was slow to find right after another process freed its memory.
void reserve_arena(std::string& arena, std::size_t bytes);

// Blocks of 1 MiB or more in whole transparent huge pages, as reserve_arena's (for the large
// arrays that fill once: offsets, hash tables, sort indexes); smaller ones from malloc.
void* allocate_large(std::size_t bytes);
void free_large(void* block) noexcept;

template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { free_large(p); }
  friend bool operator==(const LargeAllocator&, const LargeAllocator&) { return true; }
};

// A vector whose storage may be large: see LargeAllocator.
template <typename T>
using large_vector = std::vector<T, LargeAllocator<T>>;

// Faults an arena's pages in a little ahead of the thread that fills it, from a thread with
// nothing else to do (the side of etl-correlate that finished loading first, for the other), or
// from the filling thread itself, a megabyte at a time (etl-diff's sides: one call for 256
// pages costs less than 256 faults): the filling thread then writes to pages that are there. A
// first touch of a page costs about a microsecond on this project's VMs, which was a third of
// loading the bench's 1M orders. Faulting in (MADV_POPULATE_WRITE) changes no byte, so it races
// with nothing the filling thread does; should the arena go meanwhile (a spill), the call only
// fails or touches pages in vain.
class ArenaFaulter {
 public:
  ArenaFaulter() = default;
  // A faulter moved (with the object that holds it, never while a helper runs) watches nothing.
  ArenaFaulter(ArenaFaulter&&) noexcept {}
  // Filling thread, before it fills: the arena as reserved.
  void watch(const std::string& arena);
  // Filling thread: the arena's size now (cheap enough to call at each append).
  void filled(std::size_t size) {
    if (size < m_next_report) return;
    m_fill.store(size, std::memory_order_relaxed);
    m_next_report = size + kReportStep;
  }
  // Filling thread: the arena is about to move or go; nothing more is faulted in.
  void stop() { m_stopped.store(true, std::memory_order_relaxed); }
  // Helper thread: faults in the pages up to `ahead` bytes past the fill last reported. False
  // when there is nothing to do (yet, or any more).
  bool fault_ahead(std::size_t ahead);
  // Helper thread: nothing will be faulted in any more (stopped, refused, or all of it done).
  bool finished() const {
    return m_end == 0 || m_faulted >= m_end || m_stopped.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kReportStep = std::size_t{1} << 18;
  std::uintptr_t m_begin = 0, m_end = 0;  // the reserved bytes (m_end 0: not watched)
  std::atomic<std::size_t> m_fill{0};
  std::atomic<bool> m_stopped{false};
  std::size_t m_next_report = 0;  // the filling thread's
  std::uintptr_t m_faulted = 0;   // the helper's: faulted in below this
};

}  // namespace etl
