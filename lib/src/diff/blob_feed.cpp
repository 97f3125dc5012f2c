#include "etl/diff/blob_feed.hpp"

#include <utility>

namespace etl::diff {
namespace {

// Big enough that handing over costs nothing beside the copies, small enough to stay in cache.
constexpr std::size_t kBatchBytes = std::size_t{256} << 10;

}  // namespace

BlobFeed::BlobFeed(std::function<bool(std::string&)> append_next,
                   std::function<std::size_t(std::string_view)> size_of)
    : m_append_next(std::move(append_next)),
      m_size_of(std::move(size_of)),
      m_thread([this] { produce(); }) {}

BlobFeed::~BlobFeed() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

void BlobFeed::produce() {
  std::string filling;
  for (;;) {
    filling.clear();
    bool more = true;
    std::exception_ptr error;
    try {
      while (filling.size() < kBatchBytes && (more = m_append_next(filling))) {
      }
    } catch (...) {
      error = std::current_exception();  // handed over after the blobs made before it
      more = false;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_handed || m_stop; });
    if (m_stop) return;
    std::swap(filling, m_full);  // the consumer's used batch comes back for reuse
    m_handed = true;
    m_end = !more;
    m_error = error;
    m_changed.notify_all();
    if (m_end) return;
  }
}

bool BlobFeed::next(std::string& blob) {
  while (m_pos == m_current.size()) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return m_handed || m_end; });
    if (!m_handed) {  // the last batch is used up: the end, or the producer's error
      if (m_error) std::rethrow_exception(m_error);
      return false;
    }
    std::swap(m_current, m_full);
    m_pos = 0;
    m_handed = false;
    m_changed.notify_all();
  }
  std::string_view at = std::string_view(m_current).substr(m_pos);
  std::size_t n = m_size_of(at);
  blob.assign(at.data(), n);
  m_pos += n;
  return true;
}

}  // namespace etl::diff
