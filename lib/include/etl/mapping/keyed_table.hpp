#pragma once
// Values by key text, in insertion order, found through an open-addressing array of hashes: a
// lookup reads one slot and, when the hash matches, one key. (The node-based map it replaced
// missed the cache three times a record at 100k groups: half of a group-by's time.)
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "etl/prefetch.hpp"

namespace etl::mapping {

template <class T>
class KeyedTable {
 public:
  using Entry = std::pair<std::string, T>;

  static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  static constexpr std::size_t npos = SIZE_MAX;

  T* find(std::string_view key) { return find(key, hash(key)); }
  // h: hash(key), computed before (on another thread, say).
  T* find(std::string_view key, std::uint64_t h) {
    std::size_t i = find_index(key, h);
    return i == npos ? nullptr : &m_entries[i].second;
  }
  // The index of key's entry (entries stay where they are inserted), or npos.
  std::size_t find_index(std::string_view key, std::uint64_t h) const {
    if (m_slots.empty()) return npos;
    for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
      const Slot& s = m_slots[i];
      if (s.index == 0) return npos;
      if (s.tag == tag(h) && m_entries[s.index - 1].first == key) return s.index - 1;
    }
  }
  // Adds key, which must not be in the table; references from find() are invalid after.
  T& insert(std::string key) {
    std::uint64_t h = hash(key);
    return insert(std::move(key), h);
  }
  T& insert(std::string key, std::uint64_t h) {
    if ((m_entries.size() + 1) * 2 > m_slots.size()) grow();
    m_entries.emplace_back(std::move(key), T());
    place(h, static_cast<std::uint32_t>(m_entries.size()));
    return m_entries.back().second;
  }
  // Asks the cache for the slot of hash h, for a find a few records later (peek_index then
  // gives the entry to ask for, once the slot is in).
  void prefetch_slot(std::uint64_t h) const {
    if (!m_slots.empty()) etl::prefetch(&m_slots[h & mask()]);
  }
  // The index of the entry in the first slot of hash h when that slot holds h: a guess for
  // prefetching (it compares no key), npos when there is none.
  std::size_t peek_index(std::uint64_t h) const {
    if (m_slots.empty()) return npos;
    const Slot& s = m_slots[h & mask()];
    return s.index != 0 && s.tag == tag(h) ? s.index - 1 : npos;
  }
  std::vector<Entry>& entries() { return m_entries; }
  const std::vector<Entry>& entries() const { return m_entries; }
  std::size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  void clear() {
    m_entries.clear();
    m_slots.clear();
  }

 private:
  // A slot holds the high half of its key's hash (the low bits are its place): 8 bytes, so that
  // the slots of 100k groups take 2 MB of the cache, not 4.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t index = 0;  // the entry's index + 1; 0: empty
  };
  static std::uint32_t tag(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }
  std::size_t mask() const { return m_slots.size() - 1; }
  void place(std::uint64_t h, std::uint32_t index) {
    std::size_t i = h & mask();
    while (m_slots[i].index != 0) i = (i + 1) & mask();
    m_slots[i] = {tag(h), index};
  }
  void grow() {
    m_slots.assign(m_slots.empty() ? 1024 : m_slots.size() * 2, Slot());
    for (std::uint32_t i = 0; i < m_entries.size(); ++i) place(hash(m_entries[i].first), i + 1);
  }
  std::vector<Slot> m_slots;  // a power of two, at most half full
  std::vector<Entry> m_entries;
};

}  // namespace etl::mapping
