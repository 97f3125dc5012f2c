#pragma once
// Two sides sorted in memory, walked together by key on several threads at once, each over a
// range of the keys. A key whose one record on each side is the same (SameRecord) is counted
// and left out; every other key (added, removed, changed, unreadable or duplicated) is kept as
// a group of its entries, in key order. In a diff of two snapshots nearly every key is the
// same: the comparison that follows reads only the few that are not, and the byte comparison
// of the rest, waiting on memory at every entry, runs on all the cores. The ranges are handed
// out in key order as they are scanned, so the comparison of the first overlaps the scan of
// the rest.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "etl/diff/sorted_side.hpp"

namespace etl::diff {

class PairScan {
 public:
  // Both sides must be sorted_in_memory(), and stay as they are while the scan is used.
  // `threads` scan at once (a small input is scanned here, at once).
  PairScan(const SortedSide& a, const SortedSide& b, unsigned threads);
  ~PairScan();  // waits for the scanning threads
  PairScan(const PairScan&) = delete;
  PairScan& operator=(const PairScan&) = delete;

  // The next key kept, in key order; false after the last. Then, as KeyedMerge: how many
  // entries side 0 (a) or 1 (b) holds for it, and the n-th of them (a blob).
  bool next();
  std::size_t count(std::size_t side) const;
  std::string_view entry(std::size_t side, std::size_t n) const;
  // Keys left out as the same on both sides: all of them once next() has returned false.
  std::uint64_t same() const { return m_same; }

 private:
  struct Range {
    std::size_t begin[2], end[2];  // entry positions of each side
  };
  // A key's entries: consecutive in each side's key order. (Positions, not the entries: a key
  // kept takes 32 bytes, less than the sort's second index that was freed before the scan.)
  struct Group {
    std::size_t first[2];  // of each side
    std::size_t count[2];
  };
  struct Found {  // in one range
    Range range;
    std::vector<Group> groups;
    std::uint64_t same = 0;
    bool done = false;  // under m_mutex
    std::exception_ptr error;
  };
  std::vector<Range> split(unsigned parts) const;
  static std::size_t lower_bound(const SortedSide& side, const KeyPrefix& prefix,
                                 std::string_view sort_key);
  void scan(const Range& r, Found& out) const;
  void scan_ranges();  // on each thread: the next range not taken, until none is left
  bool open_range(std::size_t r);

  const SortedSide* m_side[2];
  std::vector<Found> m_found;
  std::atomic<std::size_t> m_next_range{0};
  std::mutex m_mutex;
  std::condition_variable m_scanned;
  std::uint64_t m_same = 0;
  std::size_t m_range = 0, m_group = 0;  // the current key's
  bool m_started = false;
  std::vector<std::thread> m_threads;  // last: they start once all else is ready
};

}  // namespace etl::diff
