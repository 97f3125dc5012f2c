#include "etl/direct_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace etl {

std::unique_ptr<DirectFile> DirectFile::open(
    int fd, std::function<void(const char*, std::size_t)> write_all) {
  struct statx sx {};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) != 0 || !(sx.stx_mask & STATX_DIOALIGN))
    return nullptr;
  std::size_t align = std::max(sx.stx_dio_mem_align, sx.stx_dio_offset_align);
  // 0: no direct I/O on this file system; past a page, not worth a special case.
  if (align == 0 || align > 4096 || kStage % align != 0) return nullptr;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_DIRECT) != 0) return nullptr;
  return std::unique_ptr<DirectFile>(new DirectFile(fd, align, std::move(write_all)));
}

DirectFile::DirectFile(int fd, std::size_t align,
                       std::function<void(const char*, std::size_t)> write_all)
    : m_fd(fd), m_align(align), m_write_all(std::move(write_all)) {
  void* p = nullptr;
  if (posix_memalign(&p, 4096, kStage) != 0) throw std::bad_alloc();
  m_stage = static_cast<char*>(p);
}

DirectFile::~DirectFile() {
  std::free(m_stage);
}

void DirectFile::write(const char* p, std::size_t n) {
  while (n > 0) {
    std::size_t take = std::min(n, kStage - m_used);
    std::memcpy(m_stage + m_used, p, take);
    m_used += take;
    p += take;
    n -= take;
    if (m_used == kStage) write_stage();
  }
}

// The whole stage, a multiple of the alignment at an aligned offset (every write before was
// one too). Whatever a direct write does not take (refused after all, EINVAL; a full disk; a
// short write, which leaves the offset unaligned) is written the ordinary way, from then on:
// that succeeds, or fails with the ordinary write's message.
void DirectFile::write_stage() {
  std::size_t done = 0;
  while (m_direct && done < m_used) {
    ssize_t w = ::write(m_fd, m_stage + done, m_used - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += static_cast<std::size_t>(w);
    m_written += static_cast<std::uint64_t>(w);
    if (done % m_align != 0) stop_direct();
  }
  if (done < m_used) {
    stop_direct();
    m_write_all(m_stage + done, m_used - done);
    m_written += m_used - done;
  }
  m_used = 0;
}

void DirectFile::finish() {
  if (m_used == 0) return;
  stop_direct();  // a partial block: through the page cache
  m_write_all(m_stage, m_used);
  m_written += m_used;
  m_used = 0;
}

void DirectFile::stop_direct() {
  if (!m_direct) return;
  m_direct = false;
  int flags = fcntl(m_fd, F_GETFL);
  if (flags >= 0) fcntl(m_fd, F_SETFL, flags & ~O_DIRECT);
}

}  // namespace etl
