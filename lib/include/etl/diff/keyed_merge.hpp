#pragma once
// Walks several key-sorted sides together, one key at a time: for each key present on any side,
// the entries each side holds for it (none, one, or several when the key is duplicated there).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etl/diff/pair_scan.hpp"
#include "etl/diff/sorted_side.hpp"

namespace etl::diff {

class KeyedMerge {
 public:
  // skip_same, for two sides: a key whose one record on each side is the same (SameRecord) may
  // be left out and counted in skipped(). It is when both sides are sorted in memory: they are
  // then scanned on `threads` threads at once (PairScan) before the first next().
  explicit KeyedMerge(std::vector<SortedSide*> sides, bool skip_same = false, unsigned threads = 1);
  ~KeyedMerge();
  // Advances to the next key; false when every side is done.
  bool next();
  // How many entries side i holds for the current key, and the n-th of them (a blob).
  std::size_t count(std::size_t side) const {
    return m_scan ? m_scan->count(side) : m_sides[side].count;
  }
  std::string_view blob(std::size_t side, std::size_t n = 0) const {
    return m_scan ? m_scan->entry(side, n) : std::string_view(m_sides[side].group[n]);
  }
  std::uint64_t skipped() const { return m_scan ? m_scan->same() : 0; }

 private:
  struct State {
    SortedSide* side;
    std::string peek;
    std::string_view peek_key;  // peek's sort key
    bool has_peek = false;
    std::vector<std::string> group;  // reused; the first `count` are the current key's
    std::size_t count = 0;
  };
  std::vector<State> m_sides;
  std::string m_key;  // the current key
  std::unique_ptr<PairScan> m_scan;

  static void advance(State& s);
};

}  // namespace etl::diff
