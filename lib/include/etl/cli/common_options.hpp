#pragma once
// Flags that mean the same in every tool, defined once.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etl/cli/run_report.hpp"
#include "etl/connector_options.hpp"

namespace etl::cli {

// A path option given as '' fails when the options are read, not at the end of the run.
const CLI::Validator& non_empty_path();

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
// --encoding: the text encoding of the input files when it is not UTF-8 (etl/text_decoder.hpp).
// `sides`: the option is both sides' (etl-diff, etl-correlate).
void add_encoding_option(CLI::App& app, std::string& encoding, bool sides = false);
// --names A,B,C: the fields of a CSV, TSV or text input with no header row.
void add_names_option(CLI::App& app, std::vector<std::string>& names);
// --null TEXT: CSV's text of a null, for the CSV the tool reads (read) and, with write, writes.
void add_null_option(CLI::App& app, std::optional<std::string>& read,
                     std::optional<std::string>* write);
// Connector flags (--format, --delimiter, --table, …).
void add_connector_options(CLI::App& app, ConnectorOptions& o, bool for_sink);

// --threads N for the tools that move records (default: the machine's cores).
void add_threads_option(CLI::App& app, unsigned& threads);

// "64M", "2G", "512K" or bytes; throws UsageError naming the flag.
std::size_t parse_size(const std::string& text, const char* flag);

// "500" or "10%": a count, or a percentage of something the tool knows; throws UsageError.
void parse_limit(const std::string& text, const char* flag, std::uint64_t& n, bool& percent);

// The single catch ladder: maps exceptions to exit codes and prints `tool: message`.
int tool_main(const std::string& tool, int argc, char** argv, CLI::App& app,
              const std::function<int()>& run);

}  // namespace etl::cli
