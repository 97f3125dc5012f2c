#include "etl/io.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "etl/error.hpp"

namespace etl {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A pipe between two tools holds 64 KiB by default, so the writer stalls whenever the reader is
// busy; 1 MiB lets both sides of `etl-extract | etl-transform` run at once. Best effort.
void widen_pipe(int fd) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

InputStream::InputStream(const std::string& path) : m_name(path == "-" ? "stdin" : path) {
  if (path == "-") widen_pipe(0);
  gzFile gz = path == "-" ? gzdopen(dup(0), "rb") : gzopen(path.c_str(), "rb");
  if (gz == nullptr)
    throw IoError(fmt::format("{}: cannot open: {}", m_name, std::strerror(errno)));
  gzbuffer(gz, 1 << 17);
  m_gz = gz;
}

InputStream::~InputStream() {
  gzclose(static_cast<gzFile>(m_gz));
}

std::size_t InputStream::read(char* buf, std::size_t n) {
  int got = gzread(static_cast<gzFile>(m_gz), buf, static_cast<unsigned>(n));
  if (got < 0) {
    int zerr = 0;
    const char* msg = gzerror(static_cast<gzFile>(m_gz), &zerr);
    throw IoError(
        fmt::format("{}: read error: {}", m_name, zerr == Z_ERRNO ? std::strerror(errno) : msg));
  }
  return static_cast<std::size_t>(got);
}

bool LineReader::fill() {
  if (m_eof) return false;
  if (m_pos > 0) {
    m_buf.erase(0, m_pos);
    m_pos = 0;
  }
  std::size_t old = m_buf.size();
  m_buf.resize(old + (1 << 17));
  std::size_t got = m_in.read(m_buf.data() + old, 1 << 17);
  m_buf.resize(old + got);
  if (got == 0) m_eof = true;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  std::size_t scanned = m_pos;
  for (;;) {
    const char* start = m_buf.data() + scanned;
    const void* nl = std::memchr(start, '\n', m_buf.size() - scanned);
    if (nl != nullptr) {
      std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - m_buf.data());
      line = std::string_view(m_buf.data() + m_pos, end - m_pos);
      m_pos = end + 1;
      ++m_line;
      return true;
    }
    std::size_t consumed = m_buf.size() - m_pos;
    if (!fill()) {
      if (m_pos >= m_buf.size()) return false;
      line = std::string_view(m_buf.data() + m_pos, m_buf.size() - m_pos);
      m_pos = m_buf.size();
      ++m_line;
      return true;
    }
    scanned = m_pos + consumed;  // fill() moved the unread bytes to the front
  }
}

OutputStream::OutputStream(const std::string& path, Mode mode) : m_path(path) {
  if (path == "-") {
    m_fd = 1;
    widen_pipe(1);
    return;
  }
  if (mode == Mode::Append) {
    if (ends_with(path, ".gz")) throw UsageError(fmt::format("{}: cannot append to gzip", path));
    m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    m_special = true;
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device or FIFO (/dev/null, a named pipe) is written in place, never renamed over.
    m_fd = ::open(path.c_str(), O_WRONLY);
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    m_special = true;
    return;
  }
  std::filesystem::path p(path);
  std::string name = ".";  // (built in steps: GCC 12 -O3 warns falsely about "." + string)
  name += p.filename().string();
  name += ".tmp-XXXXXX";
  m_tmp = (p.parent_path() / name).string();
  m_fd = mkstemp(m_tmp.data());
  if (m_fd < 0) throw IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  fchmod(m_fd, 0644);
  if (ends_with(path, ".gz")) {
    m_gz = gzdopen(m_fd, "wb6");
    if (m_gz == nullptr) throw IoError(fmt::format("{}: cannot start gzip stream", path));
  }
}

OutputStream::~OutputStream() {
  if (m_special) close(m_fd);
  if (m_done || m_path == "-" || m_special) return;
  if (m_gz != nullptr) {
    gzclose(static_cast<gzFile>(m_gz));
  } else if (m_fd >= 0) {
    close(m_fd);
  }
  std::remove(m_tmp.c_str());
}

void OutputStream::raw_write(const char* p, std::size_t n) {
  if (m_gz != nullptr) {
    if (n > 0 && gzwrite(static_cast<gzFile>(m_gz), p, static_cast<unsigned>(n)) == 0)
      throw IoError(fmt::format("{}: gzip write failed", m_path));
    return;
  }
  while (n > 0) {
    ssize_t w = ::write(m_fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) throw BrokenPipe();
      throw IoError(fmt::format("{}: write failed: {}", m_path == "-" ? "stdout" : m_path,
                                std::strerror(errno)));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void OutputStream::write(std::string_view bytes) {
  if (bytes.size() >= kFlushAt) {  // a large block goes out as it is, not through the buffer
    flush();
    raw_write(bytes.data(), bytes.size());
    return;
  }
  m_buf.append(bytes);
  maybe_flush();
}

void OutputStream::flush() {
  raw_write(m_buf.data(), m_buf.size());
  m_buf.clear();
}

void OutputStream::commit() {
  flush();
  if (m_path == "-" || m_special) return;
  if (m_gz != nullptr) {
    if (gzclose(static_cast<gzFile>(m_gz)) != Z_OK)
      throw IoError(fmt::format("{}: gzip close failed", m_path));
  } else if (close(m_fd) != 0) {
    throw IoError(fmt::format("{}: close failed: {}", m_path, std::strerror(errno)));
  }
  m_done = true;
  if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    throw IoError(fmt::format("{}: cannot rename into place: {}", m_path, std::strerror(errno)));
  }
}

}  // namespace etl
