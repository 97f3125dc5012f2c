#pragma once
// Byte streams under the readers and writers. Gzip input is recognised by its magic bytes and
// output ending in .gz is compressed (zlib); `-` is stdin/stdout. Output files are written under a
// temporary name and renamed on commit, so a failed run never leaves a half-written file under the
// final name.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace etl {

class TextDecoder;

// Reads a file or stdin with read(2), so a pipe that trickles is processed as it arrives.
// Input that starts with the gzip magic is inflated, member after member; a stream that does
// not end at a member's end with a valid CRC and length, or has bytes after it that are not
// another member, is a DataError, never a clean end. A regular file that ends before the size
// it had when opened was truncated under the reader: an IoError naming it.
class InputStream {
 public:
  // "-" = stdin. encoding: the text's (etl/text_decoder.hpp), read() hands out its UTF-8; ""
  // or UTF-8: as it is.
  explicit InputStream(const std::string& path, const std::string& encoding = "");
  ~InputStream();
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Reads up to n bytes; returns 0 at the end. Throws IoError or DataError. A UTF-8 byte order
  // mark at the start of the text is left out (Windows tools write one; RFC 8259 lets a JSON
  // reader ignore it).
  std::size_t read(char* buf, std::size_t n);
  const std::string& name() const { return m_name; }

 private:
  struct Gzip;
  std::size_t read_bytes(char* buf, std::size_t n);  // after gzip, before decoding
  std::size_t read_text(char* buf, std::size_t n);   // decoded
  std::size_t read_raw(char* buf, std::size_t n);
  std::size_t read_gzip(char* buf, std::size_t n);
  void sniff();
  std::string m_name;
  int m_fd = -1;
  bool m_own_fd = false;
  bool m_sniffed = false;
  bool m_raw_eof = false;
  std::int64_t m_size_at_open = -1;  // a regular file's; -1 for pipes and devices
  std::uint64_t m_raw_read = 0;      // bytes read from the file (compressed, for gzip)
  std::string m_pending;             // bytes read while sniffing, handed out first
  std::size_t m_pending_pos = 0;
  std::unique_ptr<Gzip> m_gz;
  std::unique_ptr<TextDecoder> m_decoder;  // --encoding
  std::string m_decoded;                   // its UTF-8, handed out from m_decoded_pos
  std::size_t m_decoded_pos = 0;
  bool m_decoded_end = false;
  bool m_head_read = false;  // the text's first bytes, looked at for a byte order mark
  std::string m_head;        // … and handed out from m_head_pos
  std::size_t m_head_pos = 0;
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

class WriteBehind;

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
    if (m_buf.size() >= m_flush_at) flush();
  }
  // The data outputs (NDJSON, CSV) into a file put in place by commit(): buffers are written by
  // a thread of their own, a megabyte at a time (write_behind.hpp), so writing overlaps making
  // the next; errors show at a later flush or at prepare(). Output written in place stays
  // synchronous.
  // (Not O_DIRECT, though the file is synced anyway: it halved etl-extract's time alone, but the
  // next tool of a chain then read the file from the disk, and extract → transform was no faster.)
  void write_behind();
  // write(bytes), where bytes may be taken rather than copied: a large block goes to the
  // writing thread as it is, and bytes comes back empty, holding a buffer written before when
  // there is one.
  void write_taking(std::string& bytes);
  void flush();
  // Flushes, closes and renames the temporary file over the final name: prepare(), publish().
  void commit();
  // Everything that can fail for want of space or a bad disk (flush, sync, close), so that what
  // commits together can be prepared first; publish() then only renames.
  void prepare();
  void publish();
  // An interrupted run: commit() puts the file under NAME.partial instead of its name, which
  // keeps what it held before. Returns that path, or "" for output written in place.
  std::string keep_as_partial() {
    if (in_place()) return "";
    m_target += ".partial";
    return m_path + ".partial";
  }
  // Written as it goes (stdout, a device, a FIFO, an append), not put in place by commit().
  bool in_place() const { return m_path == "-" || m_special; }
  // Records a failed run leaves in it: none in a file put in place only by commit(); unknown
  // when it is written in place (see Sink::committed).
  std::optional<std::uint64_t> kept_on_failure() const {
    return in_place() ? std::nullopt : std::optional<std::uint64_t>(0);
  }

 private:
  void start_gzip();
  static constexpr std::size_t kFlushAt = 1 << 16;
  static constexpr std::size_t kBehindAt = 1 << 20;  // fewer hand-overs to the writing thread
  void raw_write(const char* p, std::size_t n);
  void write_held_back() noexcept;
  std::size_t m_flush_at = kFlushAt;
  std::unique_ptr<WriteBehind> m_behind;
  std::string m_path;
  std::string m_target;  // the file replaced: m_path, or the file a symbolic link points to
  std::string m_tmp;
  std::string m_buf;
  int m_fd = -1;
  void* m_gz = nullptr;
  bool m_prepared = false;
  bool m_done = false;
  bool m_special = false;              // a device, a FIFO or Mode::Append: written in place
  std::uint64_t m_written = 0;         // bytes written to m_fd
  std::uint64_t m_writeback_from = 0;  // where the writeback not yet started begins
  std::thread m_releasing;             // lets the replaced file's cached pages go
  static constexpr std::uint64_t kWritebackEvery = std::uint64_t{16} << 20;
  void start_writeback();
};

bool ends_with(std::string_view s, std::string_view suffix);
// fsyncs a directory, so that a rename in it survives a crash (best effort).
void sync_directory(const std::string& dir);

}  // namespace etl
