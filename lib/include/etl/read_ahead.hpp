#pragma once
// A source read on its own thread, a batch of records ahead of its consumer, so that parsing
// (CSV, JSON) runs on one core while the records are used on another.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "etl/source.hpp"

namespace etl {

class ReadAheadSource : public Source {
 public:
  explicit ReadAheadSource(std::unique_ptr<Source> inner, std::size_t batch = 512);
  ~ReadAheadSource() override;  // stops the reader, even in the middle of the input
  ReadAheadSource(const ReadAheadSource&) = delete;
  ReadAheadSource& operator=(const ReadAheadSource&) = delete;
  // Hands out every record read before the reader threw, then rethrows what it threw.
  bool next(Sourced& out) override;

 private:
  void produce();

  std::unique_ptr<Source> m_inner;
  std::size_t m_batch;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<Sourced> m_full;  // handed over by the reader; empty when taken
  std::size_t m_full_count = 0;
  bool m_handed = false;  // m_full holds a batch not yet taken
  bool m_end = false;     // the reader is done (after m_full)
  bool m_stop = false;
  std::exception_ptr m_error;
  std::vector<Sourced> m_current;  // the consumer's batch
  std::size_t m_count = 0, m_pos = 0;
  std::thread m_thread;  // last: started once everything else is ready
};

}  // namespace etl
