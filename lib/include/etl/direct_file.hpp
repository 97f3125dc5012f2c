#pragma once
// Writes a new file around the page cache (O_DIRECT), where the file system says how.
//
// Every file an OutputStream puts in place is synced before the rename, so the page cache buys
// it nothing; through it, each byte was copied into freshly allocated cache pages, and later
// replacing or deleting the file freed them all again. For the bench's 214 MB NDJSON output the
// rename over the last run's file alone took 31-39 ms of a 0.17 s run. Direct writes need the
// buffer, the size and the file offset aligned to the file system's block: bytes are gathered
// in an aligned buffer and written a whole megabyte at a time; the last partial block goes
// through the page cache once O_DIRECT is turned off again. Where the file system does not
// report its direct-I/O alignment (statx STATX_DIOALIGN), or a direct write is refused, the
// file is written the ordinary way.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace etl {

class DirectFile {
 public:
  // A writer of fd (open for writing at offset 0), or nullptr where direct writes cannot be had.
  // write_all(p, n) writes n bytes in full or throws: the caller's loop and its messages.
  static std::unique_ptr<DirectFile> open(int fd,
                                          std::function<void(const char*, std::size_t)> write_all);
  ~DirectFile();
  DirectFile(const DirectFile&) = delete;
  DirectFile& operator=(const DirectFile&) = delete;

  void write(const char* p, std::size_t n);
  // Writes what is still gathered (through the page cache). Call before fsync.
  void finish();
  // Bytes written to the file so far (not those still gathered).
  std::uint64_t written() const { return m_written; }
  // Still writing around the cache (not after a refusal, a short write or finish()).
  bool direct() const { return m_direct; }

  static constexpr std::size_t kStage = std::size_t{1} << 20;

 private:
  DirectFile(int fd, std::size_t align, std::function<void(const char*, std::size_t)> write_all);
  void write_stage();
  void stop_direct();

  int m_fd;
  std::size_t m_align;
  std::function<void(const char*, std::size_t)> m_write_all;
  char* m_stage = nullptr;  // kStage bytes, aligned
  std::size_t m_used = 0;
  bool m_direct = true;
  std::uint64_t m_written = 0;
};

}  // namespace etl
