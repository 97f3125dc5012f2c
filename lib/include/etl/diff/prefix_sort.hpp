#pragma once
// Sorts items by their 16-byte key prefix (diff/key.hpp), stably: a least significant digit radix
// sort over the prefix bytes that are not the same in every item. Order numbers and ids differ in
// a few bytes, so a handful of linear passes replace the n log n comparisons of a sort.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "etl/diff/key.hpp"

namespace etl::diff {

// `prefix(item)` gives an item's KeyPrefix; `spare` is scratch, of any size, kept for reuse.
template <class Items, class Prefix>
void sort_by_prefix(Items& items, Items& spare, Prefix prefix) {
  using T = typename Items::value_type;
  if (items.size() < 2) return;
  constexpr int kBytes = 16;  // byte 0 the least significant (of lo), byte 15 the most (of hi)
  auto byte_of = [&](const T& item, int b) {
    const KeyPrefix& p = prefix(item);
    std::uint64_t word = b < 8 ? p.lo : p.hi;
    return static_cast<unsigned>((word >> (8 * (b % 8))) & 0xff);
  };
  std::vector<std::array<std::size_t, 256>> counts(kBytes);
  for (auto& c : counts) c.fill(0);
  for (const T& item : items)
    for (int b = 0; b < kBytes; ++b) ++counts[b][byte_of(item, b)];
  spare.resize(items.size());
  for (int b = 0; b < kBytes; ++b) {
    auto& c = counts[b];
    if (c[byte_of(items.front(), b)] == items.size()) continue;  // the same in every item
    std::size_t at = 0;
    for (auto& n : c) at += std::exchange(n, at);
    for (const T& item : items) spare[c[byte_of(item, b)]++] = item;
    items.swap(spare);
  }
}

}  // namespace etl::diff
