#include "etl/diff/keyed_merge.hpp"

#include "etl/diff/key.hpp"

namespace etl::diff {

KeyedMerge::KeyedMerge(std::vector<SortedSide*> sides) {
  for (auto* s : sides) {
    State st;
    st.side = s;
    st.has_peek = s->next(st.peek);
    m_sides.push_back(std::move(st));
  }
}

bool KeyedMerge::next() {
  const State* least = nullptr;
  for (const auto& s : m_sides)
    if (s.has_peek && (least == nullptr || compare_keys(Entry::decode(s.peek).sort_key,
                                                        Entry::decode(least->peek).sort_key) < 0))
      least = &s;
  if (least == nullptr) return false;
  std::string key(Entry::decode(least->peek).sort_key);
  for (auto& s : m_sides) {
    s.count = 0;
    while (s.has_peek && compare_keys(Entry::decode(s.peek).sort_key, key) == 0) {
      if (s.group.size() <= s.count) s.group.emplace_back();
      s.group[s.count++].swap(s.peek);
      s.has_peek = s.side->next(s.peek);
    }
  }
  return true;
}

}  // namespace etl::diff
