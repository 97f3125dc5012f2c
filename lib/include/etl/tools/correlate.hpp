#pragma once
// etl-correlate: match the records of two systems by rules, write the pairs (merged, as pairs
// or as an id cross-reference), and set aside the leftovers, the ambiguous and the conflicting.
#include <string>
#include <vector>

#include "etl/cli/run_report.hpp"
#include "etl/connector_options.hpp"

namespace etl::tools {

// What is written for a pair (--emit), and which records are written (--join).
enum class Emit { Merged, Pair, Xref };
enum class Join { Inner, Left, Right, Full, Anti };
Emit parse_emit(const std::string& text);
Join parse_join(const std::string& text);

struct CorrelateOptions {
  std::string left_address, right_address;
  std::vector<std::string> on;       // the rules, tried in order
  std::string block;                 // LEFT=RIGHT blocking key of fuzzy rules
  std::vector<std::string> compare;  // LEFT=RIGHT values matched pairs should agree on
  Emit emit = Emit::Merged;
  Join join = Join::Inner;
  std::string right_prefix = "right_";
  std::vector<std::string> right_fields;         // FROM=TO: merged output takes only these
  std::vector<std::string> left_key, right_key;  // the records' ids (xref)
  std::string xref, entity;                      // the cross-reference store
  std::string unmatched_left, unmatched_right, ambiguous, conflicts;
  bool allow_many = false;
  // --fail-on: sets that end the run with exit 1 when not empty (unmatched-left,
  // unmatched-right, ambiguous, conflicts), after everything is written
  std::vector<std::string> fail_on;
  std::size_t memory = std::size_t{1} << 30;
  std::string temp_dir;
  std::string output = "-";
  ConnectorOptions source_options;
};

// The combinations of options that cannot work together: UsageError naming them.
void validate(const CorrelateOptions& o);
// 0, or 1 when a set named by --fail-on is not empty (validates o first).
int run_correlate(const CorrelateOptions& o, const cli::CommonOptions& c);

}  // namespace etl::tools
