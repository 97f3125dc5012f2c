#pragma once
// What one etl-diff run shares between its two-way and three-way halves: the sides, the rejects
// and the counts that every summary has.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "etl/diff/keyed_merge.hpp"
#include "etl/diff/sorted_side.hpp"
#include "etl/run_stats.hpp"
#include "etl/spill_file.hpp"
#include "etl/tools/diff.hpp"

namespace etl::tools {

struct DiffRun {
  DiffRun(const DiffOptions& o, const cli::CommonOptions& c, std::size_t side_count);

  // Thread-safe: the sides reject while they load in parallel. Until load_sides() ends, a
  // side's rejects are held back in a temporary file, so the rejects file lists OLD's, then
  // NEW's, whichever thread ran first.
  void reject(std::size_t side, const Sourced& in, const std::string& reason);
  void reject_entry(std::size_t side, const std::string& blob, const std::string& reason);
  void load_sides();
  // Rejects every record of the current key when a side holds it more than once.
  bool reject_duplicates(diff::KeyedMerge& merge);

  std::string side_json(std::size_t i) const;
  std::string sides_summary() const;
  std::uint64_t records_read() const;
  void write_report(const std::string& json) const;

  const DiffOptions& opts;
  const cli::CommonOptions& common;
  std::vector<std::unique_ptr<diff::SortedSide>> sides;  // OLD, NEW or A, B, BASE
  RejectWriter rejects;
  RunStats stats;  // for the clock
  std::uint64_t rejected = 0;
  std::uint64_t duplicate_keys = 0;

 private:
  std::mutex m_reject_mutex;
  std::vector<std::unique_ptr<SpillFile>> m_held;  // per side, while loading in parallel
};

int three_way(DiffRun& run);

}  // namespace etl::tools
