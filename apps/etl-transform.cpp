// etl-transform: map NDJSON records through a mapping file; check and test mapping files.
#include <fmt/format.h>

#include <iostream>

#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/mapping/function_docs.hpp"
#include "etl/tools/mapping_checks.hpp"
#include "etl/tools/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Map NDJSON records through a mapping file; check or test mapping files."};
  app.name("etl-transform");
  etl::tools::PipelineOptions p;
  p.sources = {"-"};
  etl::cli::CommonOptions common;
  std::string mapping_path, check_format = "text", sample, now, memory = "256M";
  std::vector<std::string> inputs;
  bool check_mode = false, test_mode = false;
  app.add_option("-m,--mapping", mapping_path, "The mapping file to run")->type_name("FILE");
  app.add_option("INPUT", inputs,
                 "Input NDJSON files (default: stdin; a file named .csv or .tsv is read as CSV or "
                 "TSV); with --check or --test, the mapping files");
  etl::cli::add_encoding_option(app, p.source_options.encoding);
  etl::cli::add_names_option(app, p.source_options.names);
  etl::cli::add_null_option(app, p.source_options.csv_null, &p.sink_options.csv_null);
  app.add_option("-o,--output", p.destination, "Output (default: stdout, NDJSON)")
      ->check(etl::cli::non_empty_path())
      ->type_name("FILE");
  // Flags, with the files as positionals: `--check --format json m.json` cannot take --format
  // for a file.
  auto* check = app.add_flag("--check", check_mode,
                             "Compile the mapping files (INPUT: a flag, so '--check --format json "
                             "m.json' works) without data and print every error as "
                             "file:line:col: error: message, with a hint such as (did you mean "
                             "'lower'?); exit 1 on errors");
  app.add_option("--format", check_format,
                 "--check output: text, a JSON array, or GitHub Actions annotations")
      ->check(CLI::IsMember({"text", "json", "github"}));
  app.add_option("--sample", sample,
                 "--check also flags source fields the sample input lacks: unknown field 'emial' "
                 "(the sample has 'email')")
      ->type_name("FILE");
  auto* test = app.add_flag("--test", test_mode,
                            "Run the tests the mapping files (INPUT) carry; print a diff per "
                            "failure and the coverage (fields and branches no test reaches); exit "
                            "1 on failures");
  app.add_option("--memory", memory,
                 "Memory for aggregate groups before they spill to sorted temporary runs (default "
                 "256M; 64M, 2G)")
      ->type_name("SIZE");
  app.add_flag_callback(
      "--list-functions",
      [] {
        std::cout << etl::mapping::function_list_text();
        throw CLI::Success();
      },
      "List the mapping language's functions, each with an example and its result (the "
      "reference docs/mapping.md's tables are, row for row), then exit");
  app.add_option("--now", now,
                 "The time now() returns, ISO 8601 (default: the run's start), for reproducible "
                 "runs")
      ->type_name("TIME");
  check->excludes(test);
  etl::cli::add_threads_option(app, p.threads);
  etl::cli::add_common_options(app, common);
  etl::cli::one_value_per_option(app);
  app.footer(
      "Examples:\n"
      "  etl-extract orders.json --records-path /data/items | etl-transform -m "
      "mappings/orders.json | etl-load sqlite:erp.db --table orders\n"
      "  etl-transform --check mappings/*.json --format github\n"
      "  etl-transform --test mappings/*.json");
  return etl::cli::tool_main("etl-transform", argc, argv, app, [&] {
    if ((check_mode || test_mode) && inputs.empty())
      throw etl::UsageError(
          fmt::format("--{} needs the mapping files", check_mode ? "check" : "test"));
    if (check_mode) return etl::tools::check_mappings(inputs, check_format, sample);
    if (test_mode) return etl::tools::test_mappings(inputs, now);
    if (mapping_path.empty())
      throw etl::UsageError("-m/--mapping is required (or --check, --test)");
    if (!inputs.empty()) {
      p.sources.clear();  // (a file named .csv or .tsv is read as CSV or TSV)
      for (const auto& in : inputs) p.sources.push_back(etl::tools::ndjson_input(in));
    }
    etl::tools::MappingFile file(mapping_path);
    auto m = file.compile(now);
    m->set_memory_budget(etl::cli::parse_size(memory, "--memory"));
    p.mapping = m.get();
    // Each worker thread runs a copy, at the same now() and with the same budget.
    p.mapping_copy = [&] {
      auto copy = file.compile(now);
      copy->set_now(m->now());
      copy->set_memory_budget(etl::cli::parse_size(memory, "--memory"));
      return copy;
    };
    p.source_options.format = "ndjson";
    if (p.sink_options.format.empty()) p.sink_options.default_format = "ndjson";
    return etl::tools::run_pipeline("etl-transform", p, common);
  });
}
