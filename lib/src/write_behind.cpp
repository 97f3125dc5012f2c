#include "write_behind.hpp"

#include <utility>

namespace etl {

WriteBehind::WriteBehind(std::function<void(std::string_view)> write)
    : m_write(std::move(write)), m_thread([this] { run(); }) {}

WriteBehind::~WriteBehind() {
  stop();
}

void WriteBehind::stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void WriteBehind::run() {
  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [&] { return m_full || m_stop; });
    if (m_stop) return;
    lock.unlock();
    bool failed = false;
    try {
      m_write(m_pending);
    } catch (...) {
      lock.lock();
      m_error = std::current_exception();
      failed = true;
      lock.unlock();
    }
    lock.lock();
    // A failed write may still point into the buffer (zlib keeps its input to finish at
    // gzclose): it stays here, untouched, until this object goes.
    if (!failed) m_pending.clear();
    m_full = false;
    m_changed.notify_all();
  }
}

void WriteBehind::wait_idle(std::unique_lock<std::mutex>& lock) {
  m_changed.wait(lock, [&] { return !m_full; });
  if (m_error) std::rethrow_exception(m_error);
}

void WriteBehind::hand(std::string& buf) {
  {
    std::unique_lock<std::mutex> lock(m_mutex);
    wait_idle(lock);
    std::swap(m_pending, buf);
    m_full = true;
  }
  m_changed.notify_all();
}

void WriteBehind::drain() {
  std::unique_lock<std::mutex> lock(m_mutex);
  wait_idle(lock);
}

}  // namespace etl
