#pragma once
// The match keys of one side of a correlation: for each rule, each record's key under it (and,
// for a fuzzy rule, the text it compares; its key is then the blocking key). Within the memory
// budget the entries stay in one arena; past it they are spread over kPartitions temporary files
// by the hash of the key, so that one partition of each side holds every key of that partition
// and partitions can be matched one at a time.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etl/spill_file.hpp"

namespace etl::correlate {

inline constexpr std::size_t kPartitions = 64;

struct KeyEntry {
  std::uint32_t ordinal;
  std::string_view key;
  std::string_view text;
};

class KeyIndex {
 public:
  KeyIndex(std::size_t memory, std::string temp_dir);
  ~KeyIndex();
  void add(std::uint8_t rule, std::uint32_t ordinal, std::string_view key, std::string_view text);
  void finish();
  // 1 while in memory, kPartitions once spilled.
  std::size_t partitions() const { return m_files.empty() ? 1 : kPartitions; }
  // Calls f for each entry of `rule` that falls in partition p of `count`. The views live until
  // the next call of for_each.
  void for_each(std::uint8_t rule, std::size_t p, std::size_t count,
                const std::function<void(const KeyEntry&)>& f);

  static std::size_t partition_of(std::string_view key, std::size_t count);

 private:
  void spill();
  void append_entry(std::string& out, std::uint8_t rule, std::uint32_t ordinal,
                    std::string_view key, std::string_view text);
  std::size_t m_memory;
  std::string m_temp_dir;
  std::string m_arena;                              // in memory: every entry
  std::vector<std::unique_ptr<SpillFile>> m_files;  // spilled: one per partition
  std::vector<std::string> m_pending;               // spilled: entries waiting for their file
  std::vector<std::string> m_loaded;                // the chunks for_each read
};

}  // namespace etl::correlate
