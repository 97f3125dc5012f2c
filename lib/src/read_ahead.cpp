#include "etl/read_ahead.hpp"

#include <utility>

namespace etl {

ReadAheadSource::ReadAheadSource(std::unique_ptr<Source> inner, std::size_t batch)
    : m_inner(std::move(inner)), m_batch(batch), m_thread([this] { produce(); }) {}

ReadAheadSource::~ReadAheadSource() {
  stop();
}

void ReadAheadSource::stop() {
  m_handoff.stop();
  if (m_thread.joinable()) m_thread.join();
}

void ReadAheadSource::produce() {
  Batch filling;
  for (;;) {
    filling.records.resize(m_batch);
    std::size_t n = 0;
    std::exception_ptr error;
    try {
      while (n < m_batch && m_inner->next(filling.records[n])) ++n;
    } catch (...) {
      error = std::current_exception();  // handed over after the records read before it
    }
    filling.count = n;
    bool last = n < m_batch || error;
    if (!m_handoff.give(filling, last, error) || last) return;
  }
}

bool ReadAheadSource::next(Sourced& out) {
  while (m_pos == m_current.count) {
    if (!m_handoff.take(m_current)) return false;
    m_pos = 0;
  }
  std::swap(out, m_current.records[m_pos++]);
  return true;
}

}  // namespace etl
