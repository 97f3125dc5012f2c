#pragma once
// Flags that mean the same in every tool, defined once.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "etl/connector_options.hpp"

namespace etl::cli {

// A path option given as '' fails when the options are read, not at the end of the run.
const CLI::Validator& non_empty_path();

struct CommonOptions {
  std::string rejects;
  std::string report;
  bool quiet = false;
  std::int64_t max_errors = -1;     // -1: no limit
  std::string log_format = "text";  // or json: the summary and errors as JSON lines on stderr
  std::string lock;                 // --lock FILE: taken by tool_main before the run
};

// The end of a run: the report (JSON) to --report, and the summary to stderr, as text, or with
// --log-format json as the report itself (one line), unless --quiet.
void report_run(const CommonOptions& c, const std::string& summary, const std::string& report);
// Writes the report (a JSON object, one line) to path; nothing when path is empty.
void write_report(const std::string& path, const std::string& report);

void add_common_options(CLI::App& app, CommonOptions& o);
// Flags of HTTP sources: pagination, headers, retries, timeouts (in an "HTTP sources" group).
void add_http_options(CLI::App& app, ConnectorOptions& o);
// Source flags of the tools that read two inputs with one set of options (etl-diff,
// etl-correlate): --format, --table, --password-file, --records-path and the HTTP flags.
void add_paired_source_options(CLI::App& app, ConnectorOptions& o);
// For tools with two positional inputs (LEFT RIGHT, OLD NEW): every option takes one value per
// use, so `--ignore a b.csv c.csv` cannot swallow the inputs. Call after adding all options.
void one_value_per_option(CLI::App& app);
// --password-file FILE (PostgreSQL), as every tool that connects to a database takes it.
void add_password_file_option(CLI::App& app, std::string& path);
// Connector flags (--format, --delimiter, --table, …).
void add_connector_options(CLI::App& app, ConnectorOptions& o, bool for_sink);

// "64M", "2G", "512K" or bytes; throws UsageError naming the flag.
std::size_t parse_size(const std::string& text, const char* flag);

// "500" or "10%": a count, or a percentage of something the tool knows; throws UsageError.
void parse_limit(const std::string& text, const char* flag, std::uint64_t& n, bool& percent);

// The single catch ladder: maps exceptions to exit codes and prints `tool: message`.
int tool_main(const std::string& tool, int argc, char** argv, CLI::App& app,
              const std::function<int()>& run);

}  // namespace etl::cli
