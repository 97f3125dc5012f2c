#pragma once
// The loop every moving tool shares: read sources in turn, write to a sink, count and reject.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "etl/cli/run_report.hpp"
#include "etl/connector_options.hpp"
#include "etl/mapping/mapping.hpp"
#include "etl/tools/targets.hpp"

namespace etl::tools {

struct PipelineOptions {
  std::vector<std::string> sources;  // addresses, read one after the other
  std::string destination = "-";
  std::string tag_source;  // field that receives each record's source name
  ConnectorOptions source_options;
  ConnectorOptions sink_options;
  mapping::Mapping* mapping = nullptr;  // etl-transform: applied between reading and writing
  // --threads: NDJSON and CSV files are parsed (and mapped, with mapping_copy) on this many
  // threads; the output is the same as with one. 0: the cores, or 1 into a database server.
  unsigned threads = 1;
  // A compiled copy of the mapping for each worker thread (a mapping keeps per-record state).
  std::function<std::unique_ptr<mapping::Mapping>()> mapping_copy;
  bool dry_run = false;  // etl-load --dry-run: everything but the commit
  // etl-extract --state FILE --cursor F[,F]: only records beyond the watermark; FILE.next
  std::string state_file;
  std::vector<std::string> cursor;
  std::string cursor_format;  // --cursor-format: how time cursors are written (strptime-style)
  std::string commit_state;   // etl-load --commit-state FILE: FILE.next over FILE after commit
  std::string checkpoint;     // etl-load --checkpoint NAME: resume a killed load (checkpoint.hpp)
  std::string audit;  // etl-load --audit FILE: one line per record and its outcome (audit_log.hpp)
  // etl-load --to (broadcast): the destinations, when there are several; else destination.
  std::vector<TargetSpec> targets;
  // etl-load --all-or-nothing: every destination in one transaction, committed only if all
  // took all
  bool all_or_nothing = false;
};

// Returns the exit code; throws etl::Error on fatal errors (after writing the report).
int run_pipeline(const std::string& tool, const PipelineOptions& p, const cli::CommonOptions& c);

// An input of etl-load or etl-transform, which read NDJSON: a file named .csv or .tsv (or .gz of
// one) is read as its name says ("csv:orders.csv"), since read as NDJSON each of its lines would
// be a reject; any other name, or one with a scheme, as it is.
std::string ndjson_input(const std::string& address);

}  // namespace etl::tools
