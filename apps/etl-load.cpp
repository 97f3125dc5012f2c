// etl-load: read NDJSON and write it to a file or a database table.
#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/tools/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Load NDJSON records into a file (format by extension), a SQLite, PostgreSQL or MariaDB "
      "table or an "
      "HTTP API, or into several of them at once (--targets)"};
  app.name("etl-load");
  etl::tools::PipelineOptions p;
  p.destination.clear();
  p.sources = {"-"};
  p.source_options.format = "ndjson";
  etl::cli::CommonOptions common;
  app.add_option(
      "DEST", p.destination,
      "Destination: a file, sqlite:PATH, postgresql://…, mysql://… or http(s)://… (or --to)");
  std::vector<std::string> to;
  std::string targets_file;
  app.add_option("--to", to,
                 "Broadcast: one of the destinations the stream goes to (repeatable): a name in "
                 "--targets FILE, with its own options, or an address with the command line's")
      ->type_name("NAME|DEST");
  app.add_option("--targets", targets_file,
                 "Broadcast: a JSON file of destinations by name, {\"erp\": {\"to\": "
                 "\"sqlite:erp.db\", \"table\": \"orders\", \"key\": \"order_no\", \"mode\": "
                 "\"upsert\"}, …}; without --to, all of them")
      ->type_name("FILE");
  app.add_flag("--all-or-nothing", p.all_or_nothing,
               "Broadcast: every destination loads in one transaction, committed only once all "
               "of them took the whole stream; one failing rolls all back (default: a failing "
               "destination stops alone and the others are loaded)");
  app.add_option_function<std::string>(
      "-i,--input", [&p](const std::string& in) { p.sources = {in}; },
      "Input NDJSON (default: stdin)");
  etl::cli::add_connector_options(app, p.sink_options, true);
  app.add_flag("--changes", p.sink_options.sink.changes,
               "The input is an etl-diff change set: apply it (add inserts, change updates, "
               "remove deletes) in one transaction; conflicts are rejected");
  app.add_option("--children", p.sink_options.sink.children,
                 "FIELD=TABLE:KEY[,KEY]: each record's array FIELD goes to TABLE, one row per "
                 "element with the parent's --key fields added (child key: those and KEY), in "
                 "the parent's transaction; children the record no longer holds are deleted "
                 "(repeatable; SQLite and PostgreSQL)")
      ->type_name("FIELD=TABLE:KEY");
  std::string children_mode = "sync";
  app.add_option("--children-mode", children_mode,
                 "sync: a parent's children are exactly its record's; append: keep children "
                 "the record does not hold (sources that send only new lines)")
      ->check(CLI::IsMember({"sync", "append"}))
      ->capture_default_str();
  std::string max_deletes = "10%";
  app.add_option("--max-deletes", max_deletes,
                 "--changes: refuse the whole change set when it deletes more rows than this "
                 "(a count, or a percentage of the table)")
      ->capture_default_str();
  app.add_flag("--delete-despite-unreadable", p.sink_options.sink.delete_despite_unreadable,
               "--changes: apply the removes even when etl-diff could not read the key of some "
               "records of the side the changes come from (by default the whole change set is "
               "refused then: a record it could not read may be one of the rows it removes)");
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
                 "updated, unchanged, deleted, unmatched, written, rejected with the reason) and "
                 "where it was read, stamped with the run's start")
      ->type_name("FILE");
  etl::cli::add_threads_option(app, p.threads);
  etl::cli::add_common_options(app, common);
  etl::cli::one_value_per_option(app);
  app.footer(
      "Example:\n  etl-extract customers.csv | etl-load sqlite:erp.db --table customers "
      "--key customer_no --mode upsert\n"
      "  etl-diff --key id erp.ndjson shop.ndjson | etl-load --changes sqlite:erp.db --table t\n"
      "  etl-load -i orders.ndjson --targets targets.json --to erp --to archive\n"
      "  etl-load -i orders.ndjson sqlite:erp.db --table sales_orders --key order_no --mode "
      "upsert --children lines=sales_order_lines:line_no");
  return etl::cli::tool_main("etl-load", argc, argv, app, [&] {
    etl::cli::parse_limit(max_deletes, "--max-deletes", p.sink_options.sink.max_deletes,
                          p.sink_options.sink.max_deletes_percent);
    p.sink_options.sink.dry_run = p.dry_run;
    p.sink_options.sink.children_append = children_mode == "append";
    if (p.sink_options.sink.children.empty() && app.get_option("--children-mode")->count() > 0)
      throw etl::UsageError("--children-mode applies to --children");
    if (!p.sink_options.sink.children.empty() && p.sink_options.sink.changes)
      throw etl::UsageError("--children and --changes: a change set has no child arrays");
    p.sink_options.sink.outcome_records = !p.audit.empty();
    bool broadcast = !to.empty() || !targets_file.empty();
    if (broadcast == !p.destination.empty())
      throw etl::UsageError("give one destination as DEST, or several with --to/--targets");
    if (broadcast) p.targets = etl::tools::select_targets(targets_file, to, p.sink_options);
    return etl::tools::run_pipeline("etl-load", p, common);
  });
}
