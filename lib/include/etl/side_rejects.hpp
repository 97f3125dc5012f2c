#pragma once
// Rejects of tools that read several inputs at once (etl-diff's sides, etl-correlate's left and
// right). While the sides load in parallel, each side's rejects are held back in a temporary
// file, so the rejects file lists the first side's, then the second's, whichever thread ran first.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "etl/run_stats.hpp"
#include "etl/source.hpp"
#include "etl/spill_file.hpp"

namespace etl {

class SideRejects {
 public:
  // max_errors: -1 for no limit; past it, reject() throws DataError.
  SideRejects(const std::string& path, std::int64_t max_errors, std::string temp_dir);
  // Thread-safe.
  void reject(std::size_t side, const Sourced& in, const std::string& reason);
  // Holds back the rejects of `sides` sides until release().
  void hold(std::size_t sides);
  void release();
  std::uint64_t count() const { return m_count; }
  void commit() { m_out.commit(); }

 private:
  RejectWriter m_out;
  std::int64_t m_max_errors;
  std::string m_temp_dir;
  std::uint64_t m_count = 0;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<SpillFile>> m_held;
};

}  // namespace etl
