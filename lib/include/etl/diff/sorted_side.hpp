#pragma once
// One side of a keyed comparison, read back in key order. Records are kept as compact entries
// (sort key, key JSON, record JSON); while they fit in the memory budget they are sorted in
// memory, past it they are written as sorted runs to temporary files and merged at the end.
// A side that is already sorted (--sorted) streams straight from its source, checked as it goes.
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/source.hpp"
#include "etl/spill_file.hpp"

namespace etl::diff {

struct Entry {
  std::string_view sort_key;
  std::string_view key_json;
  std::string_view record_json;
  std::uint64_t ordinal = 0;  // the line, or the record number when the source has no lines

  static Entry decode(std::string_view blob);
};

struct SideOptions {
  std::string address;
  std::string label;  // OLD, NEW, BASE … in messages
  ConnectorOptions connector;
  std::vector<std::string> key;
  std::vector<std::pair<std::string, std::string>> rename;  // field names changed on read
  std::size_t memory = std::size_t{128} << 20;
  std::string temp_dir;
  bool presorted = false;
  // Called for records that cannot take part (unreadable, no key); must be thread-safe.
  std::function<void(const Sourced&, const std::string&)> reject;
};

class SortedSide {
 public:
  explicit SortedSide(SideOptions o);
  ~SortedSide();
  // Reads the whole source into sorted runs. Not needed (and a no-op) when presorted.
  void load();
  // The next entry blob in key order (see Entry::decode); false at the end.
  bool next(std::string& blob);

  const SideOptions& options() const { return m_opts; }
  std::uint64_t read() const { return m_read; }
  std::uint64_t rejected() const { return m_rejected; }
  std::size_t runs() const { return m_runs.size(); }
  const std::set<std::string>& columns() const { return m_columns; }
  // "orders.csv:12" or "sqlite:erp.db#orders row 12" for an entry's ordinal.
  std::string where(std::uint64_t ordinal) const;

 private:
  bool read_entry(std::string& blob);
  void note_columns(const Record& r);
  void sort_and_spill();
  void sort_index();
  // Orders the merge heap: the run whose head has the least key on top, earlier runs first.
  std::function<bool(std::size_t, std::size_t)> heap_order() const;

  SideOptions m_opts;
  std::unique_ptr<Source> m_source;
  Sourced m_rec;
  std::string m_sort_key, m_key_json;
  std::uint64_t m_read = 0, m_rejected = 0;
  std::string m_source_name;
  bool m_lines = true;
  std::set<std::string> m_columns;
  std::vector<std::string> m_last_fields;

  std::string m_arena;                 // entry blobs, back to back
  std::vector<std::uint64_t> m_index;  // offsets of the blobs, sorted by key
  std::size_t m_pos = 0;               // next index position to hand out
  std::vector<std::unique_ptr<SpillFile>> m_runs;
  struct Head {
    std::string blob;
    bool live = false;
  };
  std::vector<Head> m_heads;
  std::vector<std::size_t> m_heap;  // run numbers, a min-heap by their head's key
  bool m_merging = false;
  std::string m_prev_key;  // presorted: the order check
};

}  // namespace etl::diff
