#include "etl/held_text.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "etl/error.hpp"
#include "etl/spill_file.hpp"

namespace etl {
namespace {

constexpr std::size_t kWindow = std::size_t{1} << 20;

[[noreturn]] void fail(const char* what) {
  throw IoError(fmt::format("cannot {} a temporary file: {}{}", what, std::strerror(errno),
                            errno == ENOSPC ? " (disk full)" : ""));
}

}  // namespace

HeldText::~HeldText() {
  if (m_fd >= 0) ::close(m_fd);
}

void HeldText::spill() {
  if (m_tail.empty()) return;
  if (m_fd < 0) m_fd = unlinked_temp_file(m_dir);
  for (std::size_t done = 0; done < m_tail.size();) {
    ssize_t n = ::pwrite(m_fd, m_tail.data() + done, m_tail.size() - done,
                         static_cast<off_t>(m_spilled + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  m_spilled += m_tail.size();
  m_tail.clear();
}

void HeldText::read(std::size_t from, std::size_t to, std::string& out) {
  out.clear();
  for (std::size_t at = from; at < std::min(to, m_spilled);) {
    if (at < m_window_at || at >= m_window_at + m_window.size()) {
      m_window.resize(std::min(kWindow, m_spilled - at));
      m_window_at = at;
      for (std::size_t got = 0; got < m_window.size();) {
        ssize_t n = ::pread(m_fd, m_window.data() + got, m_window.size() - got,
                            static_cast<off_t>(at + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("read");
        got += static_cast<std::size_t>(n);
      }
    }
    std::size_t end = std::min({to, m_spilled, m_window_at + m_window.size()});
    out.append(m_window, at - m_window_at, end - at);
    at = end;
  }
  if (to > m_spilled) {
    std::size_t at = std::max(from, m_spilled) - m_spilled;
    out.append(m_tail, at, to - m_spilled - at);
  }
}

void HeldText::clear() {
  m_spilled = 0;
  m_tail.clear();
  m_window.clear();
  m_window_at = 0;
  if (m_fd >= 0 && ::ftruncate(m_fd, 0) != 0) fail("empty");
}

}  // namespace etl
