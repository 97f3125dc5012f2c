#include "etl/byte_queue.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "etl/error.hpp"
#include "etl/spill_file.hpp"

namespace etl {

ByteQueue::~ByteQueue() {
  if (m_fd >= 0) close(m_fd);
}

void ByteQueue::push(const char* data, std::size_t n) {
  if (n == 0) return;
  if (m_read_off == m_write_off && m_memory + n <= m_bound) {
    m_chunks.emplace_back(data, n);
    m_memory += n;
    return;
  }
  if (m_fd < 0) m_fd = unlinked_temp_file("");
  for (std::size_t done = 0; done < n;) {
    ssize_t w = pwrite(m_fd, data + done, n - done, static_cast<off_t>(m_write_off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw IoError(
          fmt::format("cannot write a temporary file: {} (disk full?)", std::strerror(errno)));
    done += static_cast<std::size_t>(w);
    m_write_off += static_cast<std::uint64_t>(w);
  }
  m_spilled += n;
}

std::size_t ByteQueue::pop(char* out, std::size_t n) {
  if (m_memory > 0) {  // memory first: the file only ever holds newer bytes
    std::string& front = m_chunks.front();
    std::size_t k = std::min(n, front.size() - m_front_pos);
    std::memcpy(out, front.data() + m_front_pos, k);
    m_front_pos += k;
    m_memory -= k;
    if (m_front_pos == front.size()) {
      m_chunks.pop_front();
      m_front_pos = 0;
    }
    return k;
  }
  if (m_read_off == m_write_off) return 0;
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(n, m_write_off - m_read_off));
  ssize_t r;
  do {
    r = pread(m_fd, out, want, static_cast<off_t>(m_read_off));
  } while (r < 0 && errno == EINTR);
  if (r <= 0) throw IoError("a temporary file was cut short");
  m_read_off += static_cast<std::uint64_t>(r);
  if (m_read_off == m_write_off) {  // drained: the file starts again from nothing
    m_read_off = m_write_off = 0;
    if (ftruncate(m_fd, 0) != 0)
      throw IoError(fmt::format("cannot truncate a temporary file: {}", std::strerror(errno)));
  }
  return static_cast<std::size_t>(r);
}

}  // namespace etl
