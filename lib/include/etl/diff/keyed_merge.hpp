#pragma once
// Walks several key-sorted sides together, one key at a time: for each key present on any side,
// the entries each side holds for it (none, one, or several when the key is duplicated there).
#include <string>
#include <vector>

#include "etl/diff/sorted_side.hpp"

namespace etl::diff {

class KeyedMerge {
 public:
  explicit KeyedMerge(std::vector<SortedSide*> sides);
  // Advances to the next key; false when every side is done.
  bool next();
  // How many entries side i holds for the current key, and the n-th of them (a blob).
  std::size_t count(std::size_t side) const { return m_sides[side].count; }
  const std::string& blob(std::size_t side, std::size_t n = 0) const {
    return m_sides[side].group[n];
  }

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

  static void advance(State& s);
};

}  // namespace etl::diff
