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
  m_handoff.stop();
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
    if (!m_handoff.give(filling, !more, error) || !more) return;
  }
}

bool BlobFeed::next(std::string& blob) {
  while (m_pos == m_current.size()) {
    if (!m_handoff.take(m_current)) return false;
    m_pos = 0;
  }
  std::string_view at = std::string_view(m_current).substr(m_pos);
  std::size_t n = m_size_of(at);
  blob.assign(at.data(), n);
  m_pos += n;
  return true;
}

}  // namespace etl::diff
