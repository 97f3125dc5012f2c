// etl-extract: read sources (files, stdin, SQLite) and write NDJSON.
#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/migrate/schema_out.hpp"
#include "etl/tools/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Read records from files, stdin, databases (SQLite, PostgreSQL, MariaDB/MySQL) or REST APIs "
      "and write them as NDJSON."};
  app.name("etl-extract");
  etl::tools::PipelineOptions p;
  p.sink_options.default_format = "ndjson";  // -o out.txt, -o /dev/null: still NDJSON
  etl::cli::CommonOptions common;
  app.add_option("SRC", p.sources,
                 "Sources: a file (.csv .tsv .ndjson .jsonl .json[.gz]), -, sqlite:PATH, "
                 "postgresql://…, mysql://… or https://…")
      ->required();
  app.add_option("-o,--output", p.destination,
                 "Output, in the format its extension names (default: NDJSON on stdout)")
      ->check(etl::cli::non_empty_path())
      ->type_name("OUT");
  app.add_option("--tag-source", p.tag_source,
                 "Add each record's source name in FIELD (the aggregation pattern)")
      ->type_name("FIELD");
  auto* state = app.add_option(
      "--state", p.state_file,
      "Incremental: only records whose cursor lies beyond the watermark in FILE pass, and "
      "those at it that no earlier run passed (the others count as filtered; a record without a "
      "cursor, or with one not of the cursor's type, is rejected); the new watermark goes to "
      "FILE.next, which etl-load --commit-state FILE renames over FILE once its load committed. "
      "See 'Incremental syncs'");
  state->type_name("FILE");
  auto* cursor = app.add_option("--cursor", p.cursor,
                                "Incremental: the cursor field(s), e.g. updated_at,id (the "
                                "later ones order ties of the earlier)")
                     ->delimiter(',')
                     ->type_name("F[,F]");
  state->needs(cursor);
  cursor->needs(state);
  app.add_option("--cursor-format", p.cursor_format,
                 "Incremental: how time cursors are written, strptime-style ('%d/%m/%Y %H:%M'); "
                 "without it ISO 8601 (any offset) and RFC 2822 ('Thu, 08 Jul 2021 10:00:00 "
                 "+0000') are read as instants")
      ->needs(state)
      ->type_name("FMT");
  app.add_option("--since-param", p.source_options.paging.since_param,
                 "Incremental from an HTTP API: the watermark's first cursor value goes into the "
                 "query as NAME=value on every page (updated_since, json-server's id_gte), so the "
                 "API sends only what is at or after it. Database --table sources need no flag: "
                 "they put 'first cursor field >= value' into their query, compared as the "
                 "watermark compares (numbers by value, text bytewise; a numeric watermark over a "
                 "text column fetches all rows, since \"10\" comes after \"9\"; a time cursor "
                 "goes to PostgreSQL timestamp columns as its instant, and to SQLite text as the "
                 "day before it, which no offset can move a later instant below). Either way the "
                 "watermark filters each record exactly; the push only saves the reading")
      ->needs(state)
      ->type_name("NAME");
  app.add_option("--since-query", p.source_options.paging.since_query,
                 "Incremental, HTTP: query parameters that ask for records at or after the "
                 "watermark, with {field} for its first cursor field and {since} for its value "
                 "(Magento: 'searchCriteria[filter_groups][0][filters][0][field]={field}&…"
                 "[value]={since}&…[condition_type]=gteq')")
      ->needs(state)
      ->excludes("--since-param")
      ->type_name("PARAMS");
  std::string schema_out;
  app.add_option("--schema-out", schema_out,
                 "A database table source: write its column types to FILE in the --schema "
                 "format etl-load reads (integer, number, boolean, json, bytes, date, timestamp, "
                 "timestamptz, text), so a "
                 "table it makes elsewhere gets the same types")
      ->type_name("FILE");
  etl::cli::add_connector_options(app, p.source_options, false);
  etl::cli::add_null_option(app, p.source_options.csv_null, &p.sink_options.csv_null);
  etl::cli::add_threads_option(app, p.threads);
  etl::cli::add_common_options(app, common);
  app.footer(
      "Example:\n  etl-extract samples/shop/customers.csv --rejects bad.ndjson > customers.ndjson\n"
      "  etl-extract sqlite:erp.db --table customers | head\n"
      "  etl-extract --encoding cp1252 --delimiter ';' erp-export.csv -o items.ndjson");
  return etl::cli::tool_main("etl-extract", argc, argv, app, [&] {
    if (!schema_out.empty()) {
      if (p.sources.size() != 1)
        throw etl::UsageError("--schema-out takes one source: the table whose types it writes");
      etl::migrate::write_schema_out(p.sources[0], p.source_options, schema_out);
    }
    return etl::tools::run_pipeline("etl-extract", p, common);
  });
}
