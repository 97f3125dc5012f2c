#include "etl/io.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "etl/error.hpp"
#include "etl/text_decoder.hpp"
#include "write_behind.hpp"

namespace etl {

// A rename is durable once the directory that holds the name is synced. Best effort: some
// file systems refuse to sync a directory.
void sync_directory(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A pipe between two tools holds 64 KiB by default, so the writer stalls whenever the reader is
// busy; 1 MiB lets both sides of `etl-extract | etl-transform` run at once. Best effort.
void widen_pipe(int fd) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

struct InputStream::Gzip {
  z_stream zs{};
  std::vector<char> in = std::vector<char>(1 << 17);  // compressed bytes, read once each
  std::size_t filled = 0;                             // of in, read
  std::size_t used = 0;                               // of them, inflated
  bool in_member = false;  // inside a member: its end (with CRC and length) is still to come
  Gzip() {
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw IoError("cannot start a gzip decoder");
  }
  ~Gzip() { inflateEnd(&zs); }
};

InputStream::InputStream(const std::string& path, const std::string& encoding)
    : m_name(path == "-" ? "stdin" : path), m_decoder(TextDecoder::for_encoding(encoding)) {
  if (path == "-") {
    widen_pipe(0);
    m_fd = 0;
    return;
  }
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) throw IoError(fmt::format("{}: cannot open: {}", m_name, std::strerror(errno)));
  m_own_fd = true;
  struct stat st {};
  if (fstat(m_fd, &st) == 0 && S_ISREG(st.st_mode)) {
    m_size_at_open = static_cast<std::int64_t>(st.st_size);
    posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
}

InputStream::~InputStream() {
  if (m_own_fd) close(m_fd);
}

// One read(2); at the end of a regular file, checks that it was not cut under the reader.
std::size_t InputStream::read_raw(char* buf, std::size_t n) {
  if (m_raw_eof) return 0;
  for (;;) {
    ssize_t got = ::read(m_fd, buf, n);
    if (got > 0) {
      m_raw_read += static_cast<std::uint64_t>(got);
      return static_cast<std::size_t>(got);
    }
    if (got == 0) break;
    if (errno == EINTR) continue;
    throw IoError(fmt::format("{}: read error: {}", m_name, std::strerror(errno)));
  }
  m_raw_eof = true;
  if (m_size_at_open >= 0 && m_raw_read < static_cast<std::uint64_t>(m_size_at_open))
    throw IoError(
        fmt::format("{}: the file shrank while it was read ({} of its {} bytes read): "
                    "it was truncated or rewritten under the reader",
                    m_name, m_raw_read, m_size_at_open));
  return 0;
}

// Reads until two bytes (or the end) decide whether the input is gzip.
void InputStream::sniff() {
  m_sniffed = true;
  char head[1 << 16];
  while (m_pending.size() < 2) {
    std::size_t got = read_raw(head, sizeof head);
    if (got == 0) break;
    m_pending.append(head, got);
  }
  auto starts = [&](unsigned char a, unsigned char b) {
    return m_pending.size() >= 2 && static_cast<unsigned char>(m_pending[0]) == a &&
           static_cast<unsigned char>(m_pending[1]) == b;
  };
  if (!m_decoder && (starts(0xFF, 0xFE) || starts(0xFE, 0xFF)))  // never the start of UTF-8
    throw DataError(fmt::format(
        "{}: the input starts with a UTF-16 byte order mark: read it with --encoding utf-16",
        m_name));
  if (starts(0x1f, 0x8b)) {
    m_gz = std::make_unique<Gzip>();
    if (m_pending.size() > m_gz->in.size()) m_gz->in.resize(m_pending.size());
    std::copy(m_pending.begin(), m_pending.end(), m_gz->in.begin());
    m_gz->filled = m_pending.size();
    m_pending.clear();
  }
}

// Up to n bytes of what `from` holds past `pos`, which moves on past them.
static std::size_t hand_out(const std::string& from, std::size_t& pos, char* buf, std::size_t n) {
  std::size_t take = std::min(n, from.size() - pos);
  std::memcpy(buf, from.data() + pos, take);
  pos += take;
  return take;
}

std::size_t InputStream::read(char* buf, std::size_t n) {
  if (!m_head_read) {
    m_head_read = true;
    char part[3];
    while (m_head.size() < 3)
      if (std::size_t got = read_text(part, 3 - m_head.size()))
        m_head.append(part, got);
      else
        break;
    if (m_head == "\xEF\xBB\xBF") m_head.clear();
  }
  if (m_head_pos < m_head.size()) return hand_out(m_head, m_head_pos, buf, n);
  return read_text(buf, n);
}

std::size_t InputStream::read_text(char* buf, std::size_t n) {
  if (!m_decoder) return read_bytes(buf, n);
  while (m_decoded_pos == m_decoded.size()) {
    if (m_decoded_end) return 0;
    m_decoded.clear();
    m_decoded_pos = 0;
    char raw[1 << 16];
    std::size_t got = read_bytes(raw, sizeof raw);
    m_decoded_end = got == 0;
    m_decoder->decode(std::string_view(raw, got), m_decoded_end, m_decoded, m_name);
  }
  return hand_out(m_decoded, m_decoded_pos, buf, n);
}

std::size_t InputStream::read_bytes(char* buf, std::size_t n) {
  if (!m_sniffed) sniff();
  if (m_gz) return read_gzip(buf, n);
  if (m_pending_pos < m_pending.size()) return hand_out(m_pending, m_pending_pos, buf, n);
  return read_raw(buf, n);
}

// Inflates until some output is produced or the stream ends where a member ends.
std::size_t InputStream::read_gzip(char* buf, std::size_t n) {
  Gzip& g = *m_gz;
  z_stream& zs = g.zs;
  zs.next_out = reinterpret_cast<Bytef*>(buf);
  zs.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
  const uInt wanted = zs.avail_out;
  std::size_t& used = g.used;
  auto consumed_at = [&] { return m_raw_read - (g.filled - used); };
  while (zs.avail_out == wanted) {
    if (used == g.filled) {
      used = 0;
      g.filled = read_raw(g.in.data(), g.in.size());
      if (g.filled == 0) {
        if (g.in_member)
          throw DataError(
              fmt::format("{}: truncated gzip stream after {} bytes", m_name, m_raw_read));
        break;
      }
    }
    if (!g.in_member) {
      // A member ended (or none began): what follows must be another member.
      if (static_cast<unsigned char>(g.in[used]) != 0x1f)
        throw DataError(fmt::format("{}: bytes that are not gzip after the gzip stream, at byte {}",
                                    m_name, consumed_at()));
      inflateReset(&zs);
      g.in_member = true;
    }
    zs.next_in = reinterpret_cast<Bytef*>(g.in.data() + used);
    zs.avail_in = static_cast<uInt>(g.filled - used);
    int rc = inflate(&zs, Z_NO_FLUSH);
    used = g.filled - zs.avail_in;
    if (rc == Z_STREAM_END) {
      g.in_member = false;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw DataError(fmt::format("{}: corrupt gzip stream at byte {}: {}", m_name, consumed_at(),
                                  zs.msg != nullptr ? zs.msg : "inflate failed"));
    }
  }
  return wanted - zs.avail_out;
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

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The descriptor a path names by itself (/dev/stdout, /dev/fd/3, /proc/self/fd/2): written
// through a copy of it, so `--rejects /dev/stderr 2>>job.log` appends to the log.
int named_descriptor(const std::string& path) {
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (!starts_with(path, prefix) || path.size() == prefix.size()) continue;
    std::string_view digits = std::string_view(path).substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 6)
      return -1;
    return std::stoi(std::string(digits));
  }
  return -1;
}

// Where the system keeps its devices and processes: never a place to create or rename a file.
bool system_path(const std::string& path) {
  return starts_with(path, "/dev/") || starts_with(path, "/proc/") || starts_with(path, "/sys/");
}

// The file a symbolic link names, which may not exist yet (its directory must).
std::string link_target(const std::string& link) {
  std::error_code ec;
  std::filesystem::path target = std::filesystem::read_symlink(link, ec);
  if (!ec && target.is_relative()) target = std::filesystem::path(link).parent_path() / target;
  std::filesystem::path dir;
  if (!ec)
    dir = std::filesystem::canonical(target.parent_path().empty() ? "." : target.parent_path(), ec);
  if (ec) throw IoError(fmt::format("{}: cannot follow the link: {}", link, ec.message()));
  std::filesystem::path resolved = dir / target.filename();
  // A chain of links: follow the rest of it where it exists.
  if (std::filesystem::exists(resolved, ec)) resolved = std::filesystem::canonical(resolved, ec);
  if (ec) throw IoError(fmt::format("{}: cannot follow the link: {}", link, ec.message()));
  return resolved.string();
}

// The file an output replaces has its cached pages let go at the start, on a thread of their
// own: the kernel frees them while the run goes on, where the rename at the end otherwise freed
// them inside the run's last step, and the output's writes reuse the pages just freed (fresh
// pages cost more on a VM). Its bytes stay as they are until the rename. Best effort; dirty
// pages are left alone by the kernel. (etl-correlate over its own 238 MB output, by turns:
// 0.373 → 0.335 s; then on its own thread, etl-extract over its 214 MB output waits no longer
// for the 20 ms it takes.)
std::thread release_cached_pages(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  return std::thread([fd] {
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
  });
}

// Temporary files of this output that a run killed before its commit left behind
// (.NAME.tmp-PID-XXXXXX, PID no longer running) are removed, and the removal is said.
void remove_dead_temporaries(const std::filesystem::path& dir, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir.empty() ? "." : dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::size_t dash = name.find('-', prefix.size());
    if (dash == std::string::npos) continue;
    std::string pid = name.substr(prefix.size(), dash - prefix.size());
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno != ESRCH) continue;  // alive
    std::error_code gone;
    if (std::filesystem::remove(it->path(), gone))
      std::cerr << "etlkit: removed " << it->path().string() << ", left by a run (pid " << pid
                << ") that died before its commit\n";
  }
}

}  // namespace

// Only a regular file this stream created itself, in the directory of the file it replaces, is
// ever renamed: a device, a FIFO or anything under /dev, /proc or /sys is written in place, and
// a symbolic link is followed to its target, which is replaced in its own directory.
OutputStream::OutputStream(const std::string& path, Mode mode) : m_path(path), m_target(path) {
  if (path == "-") {
    m_fd = 1;
    widen_pipe(1);
    return;
  }
  if (mode == Mode::Append && ends_with(path, ".gz"))
    throw UsageError(fmt::format("{}: cannot append to gzip", path));
  int append = mode == Mode::Append ? O_APPEND : 0;
  if (int fd = named_descriptor(path); fd >= 0) {
    m_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    m_special = true;
    return;
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) m_target = link_target(path);
  bool exists = ::stat(m_target.c_str(), &st) == 0;
  if ((exists && !S_ISREG(st.st_mode)) || system_path(m_target)) {
    m_fd = ::open(m_target.c_str(), O_WRONLY | O_CLOEXEC | append);  // never created there
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    m_special = true;
    return;
  }
  if (mode == Mode::Append) {
    m_fd = ::open(m_target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    m_special = true;
    return;
  }
  std::filesystem::path p(m_target);
  std::string prefix = ".";  // (built in steps: GCC 12 -O3 warns falsely about "." + string)
  prefix += p.filename().string();
  prefix += ".tmp-";
  remove_dead_temporaries(p.parent_path(), prefix);
  m_tmp = (p.parent_path() / (prefix + std::to_string(getpid()) + "-XXXXXX")).string();
  m_fd = mkstemp(m_tmp.data());
  if (m_fd < 0) throw IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  fchmod(m_fd, 0644);
  if (ends_with(path, ".gz")) start_gzip();
  // Last: once its thread runs, nothing here may throw (a constructor that throws would leave
  // the thread unjoined, which ends the process).
  if (exists) m_releasing = release_cached_pages(m_target);
}

// The gzip stream has its own descriptor: ours stays open to fsync. If it cannot start, the
// temporary file goes (the destructor does not run for a constructor that throws).
void OutputStream::start_gzip() {
  int gz_fd = dup(m_fd);
  m_gz = gz_fd < 0 ? nullptr : gzdopen(gz_fd, "wb6");
  if (m_gz != nullptr) return;
  std::string why = gz_fd < 0 ? std::strerror(errno) : "out of memory";
  if (gz_fd >= 0) close(gz_fd);
  close(m_fd);
  std::remove(m_tmp.c_str());
  throw IoError(fmt::format("{}: cannot start gzip stream: {}", m_path, why));
}

OutputStream::~OutputStream() {
  if (m_releasing.joinable()) m_releasing.join();
  if (m_behind) m_behind->stop();  // its thread writes to m_fd and the gzip stream
  if (in_place() && !m_buf.empty()) write_held_back();
  if (m_special) close(m_fd);
  if (m_done || m_path == "-" || m_special) return;
  if (m_gz != nullptr) gzclose(static_cast<gzFile>(m_gz));
  if (m_fd >= 0) close(m_fd);
  std::remove(m_tmp.c_str());
}

// A failed run's output written in place (stdout, a device): the records it counted as written
// reach it, as the summary says, though they were still in the buffer. Best effort: the run's
// own error is the one reported.
void OutputStream::write_held_back() noexcept {
  try {
    raw_write(m_buf.data(), m_buf.size());
    if (m_gz != nullptr) gzflush(static_cast<gzFile>(m_gz), Z_SYNC_FLUSH);
  } catch (...) {
  }
  m_buf.clear();
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
    m_written += static_cast<std::uint64_t>(w);
  }
  start_writeback();
}

// A file that is synced before it is put in place has its pages sent to the disk while the run
// goes on, a few megabytes at a time, so the sync at the end waits for the last few alone.
void OutputStream::start_writeback() {
  if (in_place() || m_written - m_writeback_from < kWritebackEvery) return;
  sync_file_range(m_fd, static_cast<off_t>(m_writeback_from),
                  static_cast<off_t>(m_written - m_writeback_from), SYNC_FILE_RANGE_WRITE);
  m_writeback_from = m_written;
}

void OutputStream::write_behind() {
  // Written in place (stdout, a device, a FIFO), a failed run's summary says how much reached
  // the output: that needs each write done when the record is counted.
  if (in_place()) return;
  m_behind = std::make_unique<WriteBehind>(
      [this](std::string_view bytes) { raw_write(bytes.data(), bytes.size()); }, kBehindAt);
  m_flush_at = kBehindAt;
}

void OutputStream::write(std::string_view bytes) {
  // A large block goes out as it is, not through the buffer; not with gzip, whose stream still
  // points into a failed write's input when gzclose finishes it (m_buf, which a failure leaves
  // as it is, keeps that input alive).
  if (bytes.size() >= kFlushAt && !m_behind && m_gz == nullptr) {
    flush();
    raw_write(bytes.data(), bytes.size());
    return;
  }
  m_buf.append(bytes);
  maybe_flush();
}

void OutputStream::write_taking(std::string& bytes) {
  // (A block too small to be worth a hand-over of its own, or one behind buffered bytes that
  // must go out first, is copied as write() would.)
  if (!m_behind || bytes.size() < kFlushAt || !m_buf.empty()) {
    write(bytes);
    bytes.clear();
    return;
  }
  m_behind->hand(bytes);
}

void OutputStream::flush() {
  if (m_behind) {
    if (!m_buf.empty()) m_behind->hand(m_buf);
    return;
  }
  raw_write(m_buf.data(), m_buf.size());
  m_buf.clear();
}

void OutputStream::commit() {
  prepare();
  publish();
}

void OutputStream::prepare() {
  if (m_prepared) return;
  flush();
  if (m_behind) m_behind->drain();
  if (m_path == "-" || m_special) return;
  if (m_gz != nullptr) {
    int rc = gzclose(static_cast<gzFile>(m_gz));
    m_gz = nullptr;
    if (rc != Z_OK) throw IoError(fmt::format("{}: gzip close failed", m_path));
  }
  // Durable before it is in place: a crash leaves the old file or the whole new one.
  if (fsync(m_fd) != 0)
    throw IoError(fmt::format("{}: cannot sync to disk: {}", m_path, std::strerror(errno)));
  int rc = close(m_fd);
  m_fd = -1;
  if (rc != 0) throw IoError(fmt::format("{}: close failed: {}", m_path, std::strerror(errno)));
  m_prepared = true;
}

void OutputStream::publish() {
  if (m_path == "-" || m_special) return;
  m_done = true;
  if (m_releasing.joinable()) m_releasing.join();  // (the old file's pages, before it goes)
  if (std::rename(m_tmp.c_str(), m_target.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    throw IoError(fmt::format("{}: cannot rename into place: {}", m_path, std::strerror(errno)));
  }
  sync_directory(std::filesystem::path(m_target).parent_path().string());
}

}  // namespace etl
