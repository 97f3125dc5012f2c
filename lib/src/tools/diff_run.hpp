#pragma once
// What one etl-diff run shares between its two-way and three-way halves: the sides, the rejects
// and the counts that every summary has.
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "etl/diff/keyed_merge.hpp"
#include "etl/diff/sorted_side.hpp"
#include "etl/run_stats.hpp"
#include "etl/side_rejects.hpp"
#include "etl/tools/diff.hpp"

namespace etl::tools {

struct DiffRun {
  DiffRun(const DiffOptions& o, const cli::CommonOptions& c, std::size_t side_count);

  // Thread-safe: the sides reject while they load in parallel (see SideRejects).
  void reject(std::size_t side, const Sourced& in, const std::string& reason);
  void reject_entry(std::size_t side, std::string_view blob, const std::string& reason);
  void load_sides();
  // Rejects every record of the current key when a side holds it more than once.
  bool reject_duplicates(diff::KeyedMerge& merge);
  // When a side could not read its record of the current key, appends an "unreadable" line for
  // it to each change set in outs (the key is then neither added, removed nor changed).
  bool skip_unreadable(diff::KeyedMerge& merge, std::initializer_list<std::string*> outs);
  // Appends an "unreadable" line with a null key for each record that side could not key;
  // deletes_unsafe marks the side the change set's changes come from.
  void append_unkeyed(std::string& out, std::size_t side, bool deletes_unsafe) const;

  std::string side_json(std::size_t i) const;
  std::string sides_summary() const;
  std::uint64_t records_read() const;

  const DiffOptions& opts;
  const cli::CommonOptions& common;
  std::vector<std::unique_ptr<diff::SortedSide>> sides;  // OLD, NEW or A, B, BASE
  SideRejects rejects;
  RunStats stats;  // for the clock
  std::uint64_t duplicate_keys = 0;
  std::uint64_t unreadable_keys = 0;
  std::uint64_t rejected() const { return rejects.count(); }
  std::uint64_t unkeyed() const {
    std::uint64_t n = 0;
    for (const auto& s : sides) n += s->unkeyed().size();
    return n;
  }
};

int three_way(DiffRun& run);

}  // namespace etl::tools
