#pragma once
// etl-diff: the keyed comparison of two record sets (and the three-way merge of two sets that
// both changed since a common base).
#include <string>
#include <utility>
#include <vector>

#include "etl/cli/run_report.hpp"
#include "etl/connector_options.hpp"
#include "etl/diff/compare.hpp"

namespace etl::tools {

struct DiffOptions {
  std::string old_address;  // with base: side A
  std::string new_address;  // with base: side B
  std::string base_address;
  std::vector<std::string> key;
  diff::CompareRules rules;
  std::vector<std::pair<std::string, std::string>> rename;  // --map old=new, on the old side
  bool all = false;                                         // also write unchanged keys
  // --subset: OLD is checked to be in NEW (every OLD record there, with OLD's fields equal);
  // records and fields only in NEW are not differences
  bool subset = false;
  std::string old_query, new_query;  // --old-query/--new-query: a database side reads this SQL
  bool sorted = false;               // inputs are already in key order
  std::size_t memory = std::size_t{1} << 30;
  std::string temp_dir;
  std::string output = "-";
  std::string html;              // --html FILE: the diff as a page (etl/diff/html_report.hpp)
  std::size_t html_rows = 1000;  // --html-rows: the records of each kind the page keeps
  ConnectorOptions source_options;
  std::string new_password_file;  // NEW's own --password-file, when not source_options'
  // Three-way: where the changes for A and for B go, the conflicts, and who wins them.
  std::string changes_a, changes_b, conflicts;
  std::string prefer;  // "", "a" or "b"
};

// Returns 0 when the sets are equal (three-way: merged without conflicts), 1 when not.
int run_diff(const DiffOptions& o, const cli::CommonOptions& c);

}  // namespace etl::tools
