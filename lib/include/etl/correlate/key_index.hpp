#pragma once
// The match keys of one side of a correlation: for each rule, each record's key under it (and,
// for a fuzzy rule, the text it compares; its key is then the blocking key). Within the memory
// budget the entries stay in one arena; past it they are spread over kPartitions temporary files
// by the hash of the key, so that one partition of each side holds every key of that partition
// and partitions can be matched one at a time.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etl/arena.hpp"
#include "etl/spill_file.hpp"

namespace etl::correlate {

inline constexpr std::size_t kPartitions = 64;

// An entry as it lies in the index: 16 bytes, so that a million of them stay cheap to collect.
struct KeyEntry {
  const char* key_data;
  std::uint32_t key_size;
  std::uint32_t ordinal;

  std::string_view key() const { return {key_data, key_size}; }
  // The text follows the key in the index: its length, then its bytes.
  std::string_view text() const {
    std::uint32_t n;
    std::memcpy(&n, key_data + key_size, 4);
    return {key_data + key_size + 4, n};
  }
};

class KeyIndex {
 public:
  KeyIndex(std::size_t memory, std::string temp_dir);
  ~KeyIndex();
  KeyIndex(KeyIndex&&) = default;
  void add(std::uint8_t rule, std::uint32_t ordinal, std::string_view key, std::string_view text);
  void finish();
  // From another thread while this one adds: faults in the arena's next pages (ArenaFaulter).
  bool fault_ahead(std::size_t ahead) { return m_faulter.fault_ahead(ahead); }
  bool fault_finished() const { return m_faulter.finished(); }
  // 1 while in memory, kPartitions once spilled.
  std::size_t partitions() const { return m_files.empty() ? 1 : kPartitions; }
  // Calls f for each entry of `rule` that falls in partition p of `count`. The views live until
  // the next call of for_each.
  template <typename F>
  void for_each(std::uint8_t rule, std::size_t p, std::size_t count, F&& f) {
    for (std::string_view run : load(p)) {
      std::size_t pos = 0;
      while (pos < run.size()) {
        auto r = static_cast<std::uint8_t>(run[pos]);
        KeyEntry e = decode(run, pos);
        if (r == rule && (count == 1 || partition_of(e.key(), count) == p)) f(e);
      }
    }
  }

  static std::size_t partition_of(std::string_view key, std::size_t count);
  // The entry at pos (which it moves past), after its rule byte.
  static KeyEntry decode(std::string_view run, std::size_t& pos) {
    KeyEntry e;
    std::uint32_t n;
    std::memcpy(&e.ordinal, run.data() + pos + 1, 4);
    std::memcpy(&e.key_size, run.data() + pos + 5, 4);
    e.key_data = run.data() + pos + 9;
    pos += 9 + e.key_size;
    std::memcpy(&n, run.data() + pos, 4);
    pos += 4 + n;
    return e;
  }
  // How many entries rule has (in all partitions).
  std::size_t count(std::uint8_t rule) const { return rule < m_counts.size() ? m_counts[rule] : 0; }

 private:
  // The runs of entries that partition p holds: the arena, or the chunks read from its file.
  std::vector<std::string_view> load(std::size_t p);
  void spill();
  void append_entry(std::string& out, std::uint8_t rule, std::uint32_t ordinal,
                    std::string_view key, std::string_view text);
  std::size_t m_memory;
  std::string m_temp_dir;
  std::string m_arena;  // in memory: every entry
  ArenaFaulter m_faulter;
  std::vector<std::unique_ptr<SpillFile>> m_files;  // spilled: one per partition
  std::vector<std::string> m_pending;               // spilled: entries waiting for their file
  std::vector<std::string> m_loaded;                // the chunks for_each read
  std::vector<std::size_t> m_counts;                // entries per rule
};

}  // namespace etl::correlate
