#pragma once
// The records of one side of a correlation, kept for the output pass and read back by their
// ordinal (0, 1, 2… in input order). A record is stored as the JSON text it is written as, and,
// when it is merged into other records, as the members it adds (renamed): writing a pair is then
// two copies. A row of strings (a CSV file's) is stored as its values alone, under half that
// size, and written under its names when read. Within the memory budget the store is one arena;
// past it everything goes to an unlinked temporary file, read back with pread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "etl/arena.hpp"
#include "etl/json_row.hpp"
#include "etl/prefetch.hpp"
#include "etl/value.hpp"

namespace etl::correlate {

// How field names are written when a record is merged into another (the right side's fields
// under a prefix, or only the fields a map names, renamed).
struct MergedNames {
  std::string prefix;
  std::vector<std::pair<std::string, std::string>> map;  // from → to; non-empty: only these
};

// Where a caller's reads of a spilled store land (one per thread: the store itself is not
// changed by reading, so threads may read it at once).
struct ReadBuffer {
  std::string bytes;
  std::uint64_t at = 0;  // file offset of bytes[0] after a read-ahead
};

class RecordStore {
 public:
  // merged: how the records' fields are named when merged into another record; without it
  // (nullptr) records are never merged.
  RecordStore(std::size_t memory, std::string temp_dir, const MergedNames* merged = nullptr);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // Adds r and returns its ordinal.
  std::uint32_t add(const Record& r);
  // Rows of strings under these names (a CSV file's) are added next, stored as their records
  // would be, with no record made.
  void use_row_names(const std::vector<std::string>& names);
  // Adds the record {names[i]: values[i]} (one value a name) and returns its ordinal.
  // json_plain: no value holds a byte that JSON escapes.
  std::uint32_t add_row(const std::vector<std::string_view>& values, bool json_plain);
  // Ends adding (flushes the file when spilled).
  void finish();
  std::uint32_t size() const { return static_cast<std::uint32_t>(m_offsets.size() - 1); }
  // The bytes of every record stored.
  std::uint64_t bytes() const { return m_offsets.back(); }
  bool spilled() const { return m_fd >= 0; }
  // From another thread while this one adds: faults in the arena's next pages (ArenaFaulter).
  bool fault_ahead(std::size_t ahead) { return m_faulter.fault_ahead(ahead); }
  bool fault_finished() const { return m_faulter.finished(); }

  // The stored form of record n. `sequential` reads ahead (for passes in order); otherwise one
  // pread of just the record. The view lives until the next call with the same buffer.
  std::string_view get(std::uint32_t n, ReadBuffer& buffer, bool sequential = false) const;

  // Hints that record n will be read soon (in memory: its place, then its bytes), so that
  // random reads overlap their cache misses. Call with level 0 well ahead, level 1 closer.
  void prefetch(std::uint32_t n, int level) const {
    if (m_fd >= 0) return;
    if (level == 0)
      etl::prefetch(&m_offsets[n]);
    else
      etl::prefetch(m_arena.data() + m_offsets[n]);
  }

  // Writes the record as a JSON object, or its members only (for merging), under merged names.
  void append_object(std::string& out, std::string_view stored) const;
  void append_merged_members(std::string& out, std::string_view stored) const;
  // The JSON text of field `name`, or an empty view when the record has no such field. (Of a
  // row, the view lives until the thread's next call.)
  std::string_view field_json(std::string_view stored, std::string_view name) const;
  // The record, parsed back.
  Record to_record(std::string_view stored) const;

  // Every field name a record added held, in the order first seen; and of those merged, each
  // with the name it is merged under.
  const std::vector<std::string>& field_names() const { return m_field_names; }
  const std::vector<std::pair<std::string, std::string>>& merged_fields() const {
    return m_merged_fields;
  }

 private:
  void spill();
  void append_blob(std::string& out, const Record& r);
  std::uint32_t added();
  std::string merged_name(const std::string& field) const;
  void seen(const std::string& name, const std::string& merged);
  void append_part(std::string& out, std::string_view stored, bool merged) const;

  std::size_t m_memory;
  std::string m_temp_dir;
  MergedNames m_names;
  bool m_merged;                            // the merged form is kept too
  std::vector<std::string> m_merged_names;  // "to": per field name of the last record seen
  std::vector<std::optional<std::string>> m_last_names;  // (none yet: even "" is a name)
  std::unordered_set<std::string> m_seen;                // field_names(), to look up
  std::vector<std::string> m_field_names;
  std::vector<std::pair<std::string, std::string>> m_merged_fields;
  std::vector<std::string> m_row_names;                       // use_row_names()
  std::unique_ptr<JsonRowWriter> m_row_object, m_row_merged;  // write rows under them
  std::string m_arena;  // in memory: every record; spilled: the write buffer
  ArenaFaulter m_faulter;
  large_vector<std::uint64_t> m_offsets{0};
  int m_fd = -1;
  std::uint64_t m_file_size = 0;
};

}  // namespace etl::correlate
