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
         "-i,--input", [&p](const std::string& in) { p.sources = {etl::tools::ndjson_input(in)}; },
         "Input NDJSON (default: stdin); a file named .csv or .tsv is read as CSV or TSV")
      ->type_name("FILE");
  etl::cli::add_connector_options(app, p.sink_options, true);
  etl::cli::add_encoding_option(app, p.source_options.encoding);
  etl::cli::add_names_option(app, p.source_options.names);
  etl::cli::add_null_option(app, p.source_options.csv_null, &p.sink_options.csv_null);
  app.add_flag("--changes", p.sink_options.sink.changes,
               "The input is an etl-diff change set: apply it (add inserts, change updates, "
               "remove deletes) in one transaction; conflicts are rejected. See 'Applying a "
               "change set'");
  app.add_option("--children", p.sink_options.sink.children,
                 "Parents with children: each record's array FIELD goes to TABLE, one row per "
                 "element with the parent's --key fields added (the child's key: those and KEY), "
                 "in the parent's transaction; repeatable for several arrays (SQLite and "
                 "PostgreSQL). See 'Parents with children'")
      ->type_name("FIELD=TABLE:KEY[,KEY]");
  std::string children_mode = "sync";
  app.add_option("--children-mode", children_mode,
                 "sync (default): a parent's children are exactly its record's, the others are "
                 "deleted; append: they are kept (a source that sends only new lines)")
      ->check(CLI::IsMember({"sync", "append"}))
      ->capture_default_str();
  std::string max_deletes = "10%";
  app.add_option("--max-deletes", max_deletes,
                 "--changes: refuse the whole change set when it deletes more rows than this, a "
                 "count or a percentage of the table (default 10%; exit 3, nothing applied)")
      ->type_name("N|N%")
      ->capture_default_str();
  app.add_flag("--delete-despite-unreadable", p.sink_options.sink.delete_despite_unreadable,
               "--changes: apply the removes even when the change set says etl-diff could not "
               "read the key of some records of the side the changes come from (refused by "
               "default, exit 3: a record it could not read may be one of the rows it "
               "removes)");
  app.add_flag("--dry-run", p.dry_run,
               "Everything but the commit: the whole load runs in one transaction (each batch "
               "a savepoint in PostgreSQL) that is rolled back, a file is not put in place, and "
               "the summary and report (\"status\":\"dry-run\") give the counts and rejects the "
               "real run would have; a change set the real run would refuse (--max-deletes) is "
               "refused. HTTP destinations have no dry run (exit 2)");
  app.add_option("--commit-state", p.commit_state,
                 "Incremental: after the commit, rename FILE.next (written by etl-extract --state "
                 "FILE) over FILE: the watermark moves with the data, never ahead of it")
      ->type_name("FILE");
  app.add_option("--checkpoint", p.checkpoint,
                 "Resumable: how far the input is committed is kept as row NAME of the "
                 "destination's etl_checkpoint table, written in the same transaction as each "
                 "batch; rerun a killed load on the same input and it skips what was committed "
                 "('filtered 4 (4 committed by an earlier run)') and goes on. SQLite, PostgreSQL "
                 "and MariaDB tables, not with --mode replace or --dry-run")
      ->type_name("NAME");
  app.add_option("--audit", p.audit,
                 "Append one JSON line per record: its --key, its outcome (inserted, updated, "
                 "unchanged, deleted, unmatched, written for files and HTTP, rejected with the "
                 "reason) and where it was read, stamped with the run's start: "
                 "{\"run\":\"2026-11-29T02:00:01.204Z\",\"key\":{\"order_no\":\"1042\"},"
                 "\"outcome\":\"updated\",\"where\":\"orders.ndjson:12\"}; grep "
                 "'\"order_no\":\"1042\"' audit.ndjson tells what happened to order 1042 night "
                 "after night. Not with --dry-run")
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
