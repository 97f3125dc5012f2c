#pragma once
// Bytes handed from a producer to a consumer, in order: held in memory up to a bound, and past
// it in an unlinked temporary file. A slow consumer never holds the producer back (an HTTP
// answer keeps arriving while its records are loaded) and memory stays bounded. Not
// thread-safe by itself: its user holds a lock around each call.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace etl {

class ByteQueue {
 public:
  explicit ByteQueue(std::size_t memory_bound = std::size_t{8} << 20) : m_bound(memory_bound) {}
  ~ByteQueue();
  ByteQueue(const ByteQueue&) = delete;
  ByteQueue& operator=(const ByteQueue&) = delete;

  void push(const char* data, std::size_t n);
  // Moves up to n of the oldest bytes to out; 0 when the queue is empty.
  std::size_t pop(char* out, std::size_t n);
  bool empty() const { return m_memory == 0 && m_read_off == m_write_off; }
  std::size_t in_memory() const { return m_memory; }
  std::uint64_t spilled() const { return m_spilled; }  // bytes that ever went to the file

 private:
  std::size_t m_bound;
  std::deque<std::string> m_chunks;
  std::size_t m_front_pos = 0;  // bytes of m_chunks.front() already popped
  std::size_t m_memory = 0;     // bytes in m_chunks not yet popped
  // The file holds bytes newer than any in memory: while it has some, new bytes go there too.
  int m_fd = -1;
  std::uint64_t m_write_off = 0, m_read_off = 0, m_spilled = 0;
};

}  // namespace etl
