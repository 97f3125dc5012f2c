#include "etl/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "etl/error.hpp"

namespace etl {

RunLock::RunLock(const std::string& path) {
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw IoError(fmt::format("--lock {}: cannot open: {}", path, std::strerror(errno)));
  if (flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char holder[128] = {0};
    ssize_t n = pread(m_fd, holder, sizeof holder - 1, 0);
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "";
    while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
    ::close(m_fd);
    m_fd = -1;
    if (err == EWOULDBLOCK)
      throw IoError(fmt::format("--lock {}: another run holds it{}; not started", path,
                                who.empty() ? "" : " (" + who + ")"));
    throw IoError(fmt::format("--lock {}: cannot lock: {}", path, std::strerror(err)));
  }
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::string me = fmt::format("pid {}, since {}\n", getpid(), when);
  if (ftruncate(m_fd, 0) != 0 || pwrite(m_fd, me.data(), me.size(), 0) < 0) {
    // The lock is held all the same; only the note for a second run is missing.
  }
}

RunLock::~RunLock() {
  if (m_fd >= 0) ::close(m_fd);  // releases the flock
}

}  // namespace etl
