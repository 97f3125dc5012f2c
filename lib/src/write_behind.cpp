#include "write_behind.hpp"

#include <utility>

namespace etl {

WriteBehind::WriteBehind(std::function<void(std::string_view)> write, std::size_t wake_at)
    : m_write(std::move(write)), m_wake_at(wake_at), m_thread([this] { run(); }) {}

WriteBehind::~WriteBehind() {
  stop();
}

void WriteBehind::stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_to_write.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void WriteBehind::run() {
  std::vector<std::string> taken;
  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    // (after a failed write, nothing more is written: the next hand() or drain() throws)
    m_to_write.wait(lock, [&] {
      return m_stop ||
             (!m_error && (m_waiting_bytes >= m_wake_at || (m_draining && !m_waiting.empty())));
    });
    if (m_stop) return;
    taken.swap(m_waiting);
    m_waiting_bytes = 0;
    m_writing = true;
    lock.unlock();
    bool ok = write_all(taken);
    lock.lock();
    m_writing = false;
    for (auto& buf : taken) (ok ? m_spare : m_failed).push_back(std::move(buf));
    taken.clear();
    // Spares are kept, not freed: one freed was allocated again a moment later and its pages
    // faulted in again (CSV->NDJSON of the bench's 1M orders: 8.5k page faults keeping 8, 6.2k
    // keeping 32). They hold no more than was in flight at once.
    if (m_spare.size() > kSparesKept) m_spare.resize(kSparesKept);
    lock.unlock();
    m_written.notify_all();
    lock.lock();
  }
}

bool WriteBehind::write_all(std::vector<std::string>& buffers) {
  try {
    for (auto& buf : buffers) {
      m_write(buf);
      buf.clear();
    }
    return true;
  } catch (...) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_error = std::current_exception();
    return false;
  }
}

void WriteBehind::rethrow_error() {
  if (m_error) std::rethrow_exception(m_error);
}

void WriteBehind::hand(std::string& buf) {
  bool wake = false;
  {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_written.wait(lock, [&] { return m_error || m_waiting_bytes < 4 * m_wake_at; });
    rethrow_error();
    m_waiting_bytes += buf.size();
    m_waiting.push_back(std::move(buf));
    buf = std::string();
    if (!m_spare.empty()) {
      buf.swap(m_spare.back());
      m_spare.pop_back();
    }
    // (while it writes, the thread looks again before it waits)
    wake = m_waiting_bytes >= m_wake_at && !m_writing;
  }
  if (wake) m_to_write.notify_one();
}

void WriteBehind::drain() {
  std::unique_lock<std::mutex> lock(m_mutex);
  m_draining = true;
  lock.unlock();
  m_to_write.notify_one();
  lock.lock();
  m_written.wait(lock, [&] { return m_error || (m_waiting.empty() && !m_writing); });
  m_draining = false;
  rethrow_error();
}

}  // namespace etl
