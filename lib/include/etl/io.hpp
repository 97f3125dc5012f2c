#pragma once
// Byte streams under the readers and writers. Files ending in .gz are (de)compressed with zlib;
// `-` is stdin/stdout. Output files are written under a temporary name and renamed on commit,
// so a failed run never leaves a half-written file under the final name.
#include <cstddef>
#include <string>
#include <string_view>

namespace etl {

class InputStream {
 public:
  explicit InputStream(const std::string& path);  // "-" = stdin
  ~InputStream();
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Reads up to n bytes; returns 0 at the end. Throws IoError.
  std::size_t read(char* buf, std::size_t n);
  const std::string& name() const { return m_name; }

 private:
  std::string m_name;
  void* m_gz = nullptr;  // gzFile: zlib reads plain files transparently
};

// Hands out lines (without the line end; a trailing CR is kept for the caller to decide).
class LineReader {
 public:
  explicit LineReader(InputStream& in) : m_in(in) {}
  bool next(std::string_view& line);
  std::uint64_t line_number() const { return m_line; }

 private:
  bool fill();
  InputStream& m_in;
  std::string m_buf;
  std::size_t m_pos = 0;
  std::uint64_t m_line = 0;
  bool m_eof = false;
};

class OutputStream {
 public:
  // "-" = stdout. Append: written in place at the end of the file, which is created if missing
  // (for logs a killed run must not lose); otherwise a temporary file renamed by commit().
  enum class Mode { Replace, Append };
  explicit OutputStream(const std::string& path, Mode mode = Mode::Replace);
  ~OutputStream();  // without commit(): the temporary file is removed
  OutputStream(const OutputStream&) = delete;
  OutputStream& operator=(const OutputStream&) = delete;

  void write(std::string_view bytes);
  // Appends to an internal buffer that is flushed in large blocks.
  std::string& buffer() { return m_buf; }
  void maybe_flush() {
    if (m_buf.size() >= kFlushAt) flush();
  }
  void flush();
  // Flushes, closes and renames the temporary file over the final name.
  void commit();

 private:
  static constexpr std::size_t kFlushAt = 1 << 16;
  void raw_write(const char* p, std::size_t n);
  std::string m_path;
  std::string m_tmp;
  std::string m_buf;
  int m_fd = -1;
  void* m_gz = nullptr;
  bool m_done = false;
  bool m_special = false;  // a device, a FIFO or Mode::Append: written in place
};

bool ends_with(std::string_view s, std::string_view suffix);

}  // namespace etl
