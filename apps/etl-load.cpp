// etl-load: read NDJSON and write it to a file or a database table.
#include "etl/cli/common_options.hpp"
#include "etl/tools/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Load NDJSON records into a file (format by extension) or a SQLite table."};
  app.name("etl-load");
  etl::tools::PipelineOptions p;
  p.sources = {"-"};
  etl::cli::CommonOptions common;
  app.add_option("DEST", p.destination, "Destination: a file or sqlite:PATH")->required();
  app.add_option_function<std::string>(
      "-i,--input", [&p](const std::string& in) { p.sources = {in}; },
      "Input NDJSON (default: stdin)");
  etl::cli::add_connector_options(app, p.sink_options, true);
  etl::cli::add_common_options(app, common);
  app.footer(
      "Example:\n  etl-extract customers.csv | etl-load sqlite:erp.db --table customers "
      "--key customer_no --mode upsert");
  return etl::cli::tool_main("etl-load", argc, argv, app,
                             [&] { return etl::tools::run_pipeline("etl-load", p, common); });
}
