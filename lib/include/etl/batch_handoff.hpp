#pragma once
// One batch at a time from a producer thread to a consumer: the producer fills a batch while
// the consumer uses the one before, and they swap, so the batches' allocations go round. What
// the producer threw comes to the consumer after the batches made before it.
#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>

namespace etl {

template <class Batch>
class BatchHandoff {
 public:
  // Producer: hands over filled (getting back the consumer's used batch), the last one when
  // `last`, with the error that ended the production if any. False when stop() came first.
  bool give(Batch& filled, bool last, std::exception_ptr error = nullptr) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_handed || m_stop; });
    if (m_stop) return false;
    std::swap(filled, m_full);
    m_handed = true;
    m_end = last;
    m_error = std::move(error);
    m_changed.notify_all();
    return true;
  }
  // Consumer: the next batch into `into` (whose used batch goes back), false at the end;
  // rethrows the producer's error once the batches before it are taken.
  bool take(Batch& into) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return m_handed || m_end; });
    if (!m_handed) {
      if (m_error) std::rethrow_exception(m_error);
      return false;
    }
    std::swap(into, m_full);
    m_handed = false;
    m_changed.notify_all();
    return true;
  }
  // Either side: the producer's next give() returns false.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_changed.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  Batch m_full;           // handed over and not yet taken
  bool m_handed = false;  // m_full holds one
  bool m_end = false;     // the producer is done (after m_full)
  bool m_stop = false;
  std::exception_ptr m_error;
};

}  // namespace etl
