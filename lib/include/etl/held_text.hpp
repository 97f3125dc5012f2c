#pragma once
// Text appended in order and read back by byte range: the newest bytes in memory, the rest in an
// unlinked temporary file. A PostgreSQL batch's COPY text is held this way for a retry, so a
// large batch costs the page cache (written once, seldom read) and not the process's memory.
#include <cstddef>
#include <string>
#include <utility>

namespace etl {

class HeldText {
 public:
  // dir: where the file goes; empty means $TMPDIR, else /tmp. The file is made at the first
  // spill().
  explicit HeldText(std::string dir = "") : m_dir(std::move(dir)) {}
  ~HeldText();
  HeldText(const HeldText&) = delete;
  HeldText& operator=(const HeldText&) = delete;

  std::string& tail() { return m_tail; }  // appending goes here
  std::size_t size() const { return m_spilled + m_tail.size(); }
  std::size_t spilled() const { return m_spilled; }  // bytes in the file: [0, spilled())
  // Moves the tail into the file.
  void spill();
  // Bytes [from, to) of everything appended, into out (replacing what it held).
  void read(std::size_t from, std::size_t to, std::string& out);
  // Empties it: the file is cut to nothing (its pages freed, none left to be written back).
  void clear();

 private:
  std::string m_dir;
  int m_fd = -1;
  std::size_t m_spilled = 0;
  std::string m_tail;
  // The last block read from the file: records are read back in order, a line at a time.
  std::string m_window;
  std::size_t m_window_at = 0;
};

}  // namespace etl
