#pragma once
// The destinations of one run (etl-load --to): each counts its own outcomes, and one that
// fails stops alone unless --all-or-nothing. Internal to lib/src/tools.
#include <memory>
#include <string>
#include <vector>

#include "etl/error.hpp"
#include "etl/run_stats.hpp"
#include "etl/sink.hpp"

namespace etl::tools {

struct Target {
  std::string name;
  std::unique_ptr<Sink> sink;  // null once it failed
  RunStats own;                // a broadcast target's counts
  RunStats* counts = nullptr;  // &own, or the run's own stats when it is the only destination
  std::string failure;         // why it stopped
  ExitCode failure_code = ExitCode::Ok;

  // Closed: its open batch rolls back; the others go on.
  void fail(const Error& e);
};

// "erp: written 5, filtered 1, rejected 2" — what never reached a destination counts for each.
std::string target_line(const Target& t, const RunStats& run);
// The report's "targets" array.
std::string targets_json(const std::vector<Target>& targets, const RunStats& run, bool dry_run);

}  // namespace etl::tools
