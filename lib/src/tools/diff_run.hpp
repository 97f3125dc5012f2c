#pragma once
// What one etl-diff run shares between its two-way and three-way halves: the sides, the rejects
// and the counts that every summary has.
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
  void reject_entry(std::size_t side, const std::string& blob, const std::string& reason);
  void load_sides();
  // Rejects every record of the current key when a side holds it more than once.
  bool reject_duplicates(diff::KeyedMerge& merge);

  std::string side_json(std::size_t i) const;
  std::string sides_summary() const;
  std::uint64_t records_read() const;

  const DiffOptions& opts;
  const cli::CommonOptions& common;
  std::vector<std::unique_ptr<diff::SortedSide>> sides;  // OLD, NEW or A, B, BASE
  SideRejects rejects;
  RunStats stats;  // for the clock
  std::uint64_t duplicate_keys = 0;
  std::uint64_t rejected() const { return rejects.count(); }
};

int three_way(DiffRun& run);

}  // namespace etl::tools
