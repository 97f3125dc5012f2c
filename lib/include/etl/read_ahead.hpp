#pragma once
// A source read on its own thread, a batch of records ahead of its consumer, so that parsing
// (CSV, JSON) runs on one core while the records are used on another.
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "etl/batch_handoff.hpp"
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
  // Stops the reader, wherever it is, and waits for it: the inner source is the caller's again.
  void stop();
  // The inner source's: its notes once next() has returned false or after stop().
  std::vector<std::string> notes() const override { return m_inner->notes(); }
  std::vector<std::string> time_columns() const override { return m_inner->time_columns(); }

 private:
  void produce();
  struct Batch {
    std::vector<Sourced> records;
    std::size_t count = 0;  // the first count are read
  };

  std::unique_ptr<Source> m_inner;
  std::size_t m_batch;
  BatchHandoff<Batch> m_handoff;
  Batch m_current;  // the consumer's
  std::size_t m_pos = 0;
  std::thread m_thread;  // last: started once everything else is ready
};

}  // namespace etl
