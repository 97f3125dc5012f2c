#pragma once
// One side of a keyed comparison, read back in key order. Records are kept as compact entries:
// the sort key, the record's shape (its field names, stored once per side) and its values as
// JSON text. While they fit in the memory budget they are sorted in memory; past it they are
// written as sorted runs to temporary files and merged at the end.
// A side that is already sorted (--sorted) streams straight from its source, checked as it goes.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "etl/arena.hpp"
#include "etl/connector_options.hpp"
#include "etl/diff/key.hpp"
#include "etl/source.hpp"
#include "etl/spill_file.hpp"

namespace etl {
class CsvReader;
}

namespace etl::diff {

class BlobFeed;

struct Entry {
  std::string_view sort_key;
  std::uint32_t shape = 0;    // which field names, in which order (SortedSide::shape)
  std::string_view values;    // the values' JSON, comma-separated, in the shape's order
  std::uint64_t ordinal = 0;  // the line, or the record number when the source has no lines
  // A record the side could not read whole, held by its key alone (values are the key's), so
  // that its key is never reported as added or removed.
  bool unreadable = false;

  static Entry decode(std::string_view blob);
  // The sort key alone, without reading the rest of the blob.
  static std::string_view sort_key_of(std::string_view blob);
};

// The field names records of one shape have, in order.
struct Shape {
  std::vector<std::string> names;
  std::vector<std::string> prefixes;  // "name": as JSON, ready to write
  std::vector<std::size_t> key_at;    // where each key field is among names
};

struct SideOptions {
  std::string address;
  std::string label;  // OLD, NEW, BASE … in messages
  ConnectorOptions connector;
  std::vector<std::string> key;
  bool numeric_keys = false;                                // --numeric: keys by value (make_key)
  std::vector<std::pair<std::string, std::string>> rename;  // field names changed on read
  std::size_t memory = std::size_t{128} << 20;
  std::string temp_dir;
  bool presorted = false;
  // Off: each CSV row is made a record before its entry, as other sources' are (for tests that
  // hold the two ways to the same entries).
  bool csv_text_rows = true;
  // Called for records that cannot take part (unreadable, no key); must be thread-safe.
  std::function<void(const Sourced&, const std::string&)> reject;
};

class SortedSide {
 public:
  explicit SortedSide(SideOptions o);
  ~SortedSide();
  // Reads the whole source into sorted runs. Not needed (and a no-op) when presorted.
  void load();
  // The next entry blob in key order (see Entry::decode); false at the end. The first call
  // starts handing them out on a thread of their own.
  bool next(std::string& blob);

  // After load(): whether every entry is in memory, sorted (no runs, not presorted). Then they
  // can be read in place by position, in key order, from several threads at once (without
  // next()).
  bool sorted_in_memory() const { return !m_opts.presorted && m_runs.empty(); }
  std::size_t size() const { return m_index.size(); }
  std::string_view blob_at(std::size_t i) const;
  const KeyPrefix& prefix_at(std::size_t i) const { return m_index[i].prefix; }
  // Asks for the entry at i ahead of its use (sorted order jumps around the arena).
  void prefetch(std::size_t i) const;

  const SideOptions& options() const { return m_opts; }
  std::uint64_t read() const { return m_read; }
  std::uint64_t rejected() const { return m_rejected; }
  std::size_t runs() const { return m_runs.size(); }
  // Every field name the side's records have.
  std::set<std::string> columns() const;
  // The fields the source types as times (database timestamp columns), renamed.
  const std::set<std::string>& time_columns() const { return m_time_columns; }
  const Shape& shape(std::uint32_t id) const { return m_shapes[id]; }
  // Appends the entry's record, or its key, as a JSON object.
  void append_record(std::string& out, const Entry& e) const;
  void append_key(std::string& out, const Entry& e) const;
  std::string record_json(const Entry& e) const;
  std::string key_json(const Entry& e) const;
  // "orders.csv:12" or "sqlite:erp.db#orders row 12" for an entry's ordinal.
  std::string where(std::uint64_t ordinal) const;
  // Why an unreadable entry could not be read.
  const std::string& unreadable_reason(const Entry& e) const;
  // Rejected records whose key could not be read either: where, and why.
  struct Unkeyed {
    std::string where, reason;
  };
  const std::vector<Unkeyed>& unkeyed() const { return m_unkeyed; }

 private:
  bool read_entry(std::string& blob);
  bool take_record(std::string& blob);
  void append_entry(std::string& blob, const Record& r, std::uint64_t ordinal);
  void append_csv_entry(std::string& blob);
  std::size_t begin_entry(std::string& blob, std::uint32_t shape) const;
  static void end_entry(std::string& blob, std::size_t values_at, std::uint64_t ordinal);
  std::uint32_t shape_of(const Record& r);
  void sort_and_spill();
  void sort_index();
  void start_merge();
  bool merge_next(std::string& blob);
  bool append_sorted(std::string& out);
  void compact_runs();
  // Orders the merge heap: the run whose head has the least key on top, earlier runs first.
  struct HeapOrder {
    const SortedSide* side;
    bool operator()(std::size_t a, std::size_t b) const;
  };
  HeapOrder heap_order() const { return {this}; }

  SideOptions m_opts;
  std::unique_ptr<Source> m_source;
  // A CSV side's rows are read as text. Once a row has made a whole record, the header's shape
  // is known (every key field among its columns): the rows after it make entries straight from
  // their fields. Rejects, and every row before, go the record way.
  CsvReader* m_csv = nullptr;
  std::optional<std::uint32_t> m_csv_shape;
  Sourced m_rec;
  std::string m_sort_key;
  std::uint64_t m_read = 0, m_rejected = 0;
  std::string m_source_name;
  std::set<std::string> m_time_columns;
  bool m_lines = true;
  std::vector<Shape> m_shapes;
  std::map<std::string, std::uint32_t> m_shape_ids;  // by the names joined with NUL
  std::uint32_t m_last_shape = 0;
  mutable std::vector<std::string_view> m_split;  // reused by append_record/append_key

  struct Slot {
    KeyPrefix prefix;
    std::uint64_t offset;  // of the blob in the arena
  };
  std::string m_arena;         // entry blobs, back to back
  large_vector<Slot> m_index;  // sorted by key
  large_vector<Slot> m_sort_spare;
  std::size_t m_pos = 0;  // next index position to hand out
  std::vector<std::unique_ptr<SpillFile>> m_runs;
  std::vector<int> m_levels;  // of each run: how many merges made it
  struct Head {
    std::string blob;
    bool live = false;
  };
  std::vector<Head> m_heads;
  std::vector<std::size_t> m_heap;  // run numbers, a min-heap by their head's key
  bool m_merging = false;
  std::string m_prev_key;                             // presorted: the order check
  std::map<std::uint64_t, std::string> m_unreadable;  // reasons, by ordinal
  std::vector<Unkeyed> m_unkeyed;
  std::string m_merged;  // the feed's thread: the entry merge_next took
  // The sorted entries come through here once next() is first called (not presorted). Last, so
  // that its thread stops before the arena and runs it reads go.
  std::unique_ptr<BlobFeed> m_feed;
};

// Whether an entry of side a and one of side b hold the same field names, in the same order, with
// the same values written the same way: equal under any comparison rule, without parsing. The
// names of a pair of shapes are compared when the pair differs from the one before.
class SameRecord {
 public:
  SameRecord(const SortedSide& a, const SortedSide& b) : m_a(a), m_b(b) {}
  bool operator()(const Entry& x, const Entry& y);

 private:
  const SortedSide& m_a;
  const SortedSide& m_b;
  std::uint32_t m_shape_a = 0, m_shape_b = 0;
  bool m_known = false, m_same_names = false;
};

}  // namespace etl::diff
