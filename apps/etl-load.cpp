// etl-load: read NDJSON and write it to a file or a database table.
#include "etl/cli/common_options.hpp"
#include "etl/tools/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Load NDJSON records into a file (format by extension) or a SQLite table."};
  app.name("etl-load");
  etl::tools::PipelineOptions p;
  p.sources = {"-"};
  p.source_options.format = "ndjson";
  etl::cli::CommonOptions common;
  app.add_option("DEST", p.destination, "Destination: a file or sqlite:PATH")->required();
  app.add_option_function<std::string>(
      "-i,--input", [&p](const std::string& in) { p.sources = {in}; },
      "Input NDJSON (default: stdin)");
  etl::cli::add_connector_options(app, p.sink_options, true);
  app.add_flag("--changes", p.sink_options.changes,
               "The input is an etl-diff change set: apply it (add inserts, change updates, "
               "remove deletes) in one transaction; conflicts are rejected");
  std::string max_deletes = "10%";
  app.add_option("--max-deletes", max_deletes,
                 "--changes: refuse the whole change set when it deletes more rows than this "
                 "(a count, or a percentage of the table)")
      ->capture_default_str();
  app.add_flag("--dry-run", p.dry_run,
               "Everything but the commit: the load runs in one transaction that is rolled back "
               "(a file is not put in place), and the summary gives the counts it would have "
               "made (not for HTTP destinations)");
  app.add_option("--commit-state", p.commit_state,
                 "Incremental: once the load committed, rename FILE.next (etl-extract --state "
                 "FILE) over FILE, so the watermark moves only with the data");
  app.add_option("--checkpoint", p.checkpoint,
                 "Resumable: keep how far the input is committed as row NAME of the "
                 "destination's etl_checkpoint table, written with each batch; rerun a killed "
                 "load on the same input and it goes on after the last committed batch")
      ->type_name("NAME");
  app.add_option("--audit", p.audit,
                 "Append one JSON line per record to FILE: its --key, its outcome (inserted, "
                 "upserted, updated, unchanged, unmatched, rejected with the reason) and where "
                 "it was read, stamped with the run's start")
      ->type_name("FILE");
  etl::cli::add_common_options(app, common);
  app.footer(
      "Example:\n  etl-extract customers.csv | etl-load sqlite:erp.db --table customers "
      "--key customer_no --mode upsert\n"
      "  etl-diff --key id erp.ndjson shop.ndjson | etl-load --changes sqlite:erp.db --table t");
  return etl::cli::tool_main("etl-load", argc, argv, app, [&] {
    etl::cli::parse_limit(max_deletes, "--max-deletes", p.sink_options.max_deletes,
                          p.sink_options.max_deletes_percent);
    p.sink_options.dry_run = p.dry_run;
    p.sink_options.outcome_records = !p.audit.empty();
    return etl::tools::run_pipeline("etl-load", p, common);
  });
}
