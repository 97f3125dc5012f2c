#include "etl/diff/keyed_merge.hpp"

#include "etl/bytes.hpp"
#include "etl/diff/key.hpp"

namespace etl::diff {

KeyedMerge::KeyedMerge(std::vector<SortedSide*> sides, bool skip_same, unsigned threads) {
  if (skip_same && sides.size() == 2 && sides[0]->sorted_in_memory() &&
      sides[1]->sorted_in_memory()) {
    m_scan = std::make_unique<PairScan>(*sides[0], *sides[1], threads);
    return;
  }
  for (auto* s : sides) {
    State st;
    st.side = s;
    m_sides.push_back(std::move(st));
  }
  for (auto& s : m_sides) advance(s);
}

KeyedMerge::~KeyedMerge() = default;

void KeyedMerge::advance(State& s) {
  s.has_peek = s.side->next(s.peek);
  if (s.has_peek) s.peek_key = Entry::sort_key_of(s.peek);
}

// Keys are equal just when their bytes are (compare_keys orders canonical parts).
bool KeyedMerge::next() {
  if (m_scan) return m_scan->next();
  const State* least = nullptr;
  for (const auto& s : m_sides)
    if (s.has_peek && (least == nullptr || compare_keys(s.peek_key, least->peek_key) < 0))
      least = &s;
  if (least == nullptr) return false;
  m_key.assign(least->peek_key);
  for (auto& s : m_sides) {
    s.count = 0;
    while (s.has_peek && same_bytes(s.peek_key, m_key)) {
      if (s.group.size() <= s.count) s.group.emplace_back();
      s.group[s.count++].swap(s.peek);
      advance(s);
    }
  }
  return true;
}

}  // namespace etl::diff
