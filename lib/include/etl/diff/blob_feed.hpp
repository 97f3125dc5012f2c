#pragma once
// A side's entries in key order, made on their own thread a batch ahead of the comparison. The
// entries of an in-memory side lie scattered over its arena, so fetching each in key order waits
// on memory; a spilled side's k-way merge reads files and walks a heap. Either way that work
// runs beside the comparison instead of before each step of it, and the comparison reads
// entries from a batch that is contiguous and in cache.
#include <functional>
#include <string>
#include <thread>

#include "etl/batch_handoff.hpp"

namespace etl::diff {

class BlobFeed {
 public:
  // `append_next(out)` appends the next blob to out, false at the end; `size_of(at)` is the
  // length of the blob that starts at `at`. append_next runs on the feed's thread only.
  BlobFeed(std::function<bool(std::string&)> append_next,
           std::function<std::size_t(std::string_view)> size_of);
  ~BlobFeed();  // stops the thread, even in the middle
  BlobFeed(const BlobFeed&) = delete;
  BlobFeed& operator=(const BlobFeed&) = delete;
  // The next blob, false at the end. Rethrows what append_next threw, after the blobs before it.
  bool next(std::string& blob);

 private:
  void produce();

  std::function<bool(std::string&)> m_append_next;
  std::function<std::size_t(std::string_view)> m_size_of;
  BatchHandoff<std::string> m_handoff;
  std::string m_current;  // the consumer's batch
  std::size_t m_pos = 0;
  std::thread m_thread;  // last: started once everything else is ready
};

}  // namespace etl::diff
