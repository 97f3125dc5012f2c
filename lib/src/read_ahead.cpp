#include "etl/read_ahead.hpp"

#include <utility>

namespace etl {

ReadAheadSource::ReadAheadSource(std::unique_ptr<Source> inner, std::size_t batch)
    : m_inner(std::move(inner)), m_batch(batch), m_thread([this] { produce(); }) {}

ReadAheadSource::~ReadAheadSource() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

void ReadAheadSource::produce() {
  std::vector<Sourced> filling(m_batch);
  for (;;) {
    std::size_t n = 0;
    std::exception_ptr error;
    try {
      while (n < m_batch && m_inner->next(filling[n])) ++n;
    } catch (...) {
      error = std::current_exception();  // handed over after the records read before it
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_handed || m_stop; });
    if (m_stop) return;
    std::swap(filling, m_full);  // the consumer's emptied batch comes back for reuse
    if (filling.size() < m_batch) filling.resize(m_batch);
    m_full_count = n;
    m_handed = true;
    m_end = n < m_batch || error;
    m_error = error;
    m_changed.notify_all();
    if (m_end) return;
  }
}

bool ReadAheadSource::next(Sourced& out) {
  while (m_pos == m_count) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return m_handed || m_end; });
    if (!m_handed) {  // the last batch is used up: the end, or the reader's error
      if (m_error) std::rethrow_exception(m_error);
      return false;
    }
    std::swap(m_current, m_full);
    m_count = m_full_count;
    m_pos = 0;
    m_handed = false;
    m_changed.notify_all();
  }
  std::swap(out, m_current[m_pos++]);
  return true;
}

}  // namespace etl
