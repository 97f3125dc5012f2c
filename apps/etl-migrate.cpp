// etl-migrate: move a whole database into another, verified table by table.
#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/tools/migrate.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Move a whole database (SQLite, PostgreSQL or MariaDB/MySQL) into another: tables with their "
      "column "
      "types, the rows, then primary keys, unique constraints, indexes and foreign keys; then "
      "each table is compared with its source, every value by key. Exit 0 when every table is "
      "verified equal."};
  app.name("etl-migrate");
  etl::tools::MigrateOptions o;
  etl::cli::CommonOptions common;
  app.add_option("SRC", o.source, "The database to read: sqlite:PATH, postgresql://… or mysql://…")
      ->required();
  app.add_option("DEST", o.destination,
                 "The database to write: sqlite:PATH, postgresql://… or mysql://…")
      ->required();
  app.add_option("--tables", o.tables, "Only these tables (comma-separated, the source's names)")
      ->delimiter(',')
      ->type_name("T[,T]");
  app.add_option("--exclude", o.exclude, "Not these tables (comma-separated)")
      ->delimiter(',')
      ->type_name("T[,T]");
  app.add_option("--cast", o.casts,
                 "DECLARED=TYPE: columns declared so get TYPE ('DATETIME=timestamptz'); or "
                 "TABLE.COLUMN=TYPE for one column (repeatable)")
      ->type_name("DECLARED=TYPE");
  app.add_flag("--lowercase-names", o.lowercase_names,
               "Tables, columns, indexes in lower case (default: as the source names them, "
               "quoted)");
  app.add_flag("--dry-run", o.dry_run, "Print the DDL it would run; change nothing");
  app.add_flag("--schema-only", o.schema_only, "Tables, keys, indexes and foreign keys, no rows");
  app.add_flag("--data-only", o.data_only,
               "Rows only, into the tables the destination has (made by --schema-only)");
  app.add_option("--rejects-dir", o.rejects_dir,
                 "Where each table's rejected rows (TABLE.rejects.ndjson) and differences "
                 "(TABLE.diff.ndjson) go")
      ->type_name("DIR");
  etl::cli::add_password_file_option(app, o.password_file);
  app.add_option("--source-password-file", o.source_password_file,
                 "The source's password, when the two databases have two (a file, first line)")
      ->type_name("FILE");
  app.add_option("--dest-password-file", o.dest_password_file,
                 "The destination's password, when the two databases have two")
      ->type_name("FILE");
  app.add_option("--batch-size", o.batch_size,
                 "Rows per transaction while loading (default: the destination's, as etl-load's)")
      ->type_name("N");
  app.add_option("--resume", o.resume,
                 "Keep what is finished in FILE; run again after a failure, and the tables "
                 "already verified are not copied again")
      ->type_name("FILE");
  etl::cli::add_common_options(app, common);
  app.footer(
      "Examples:\n"
      "  etl-migrate sqlite:chinook.db postgresql://etl@localhost/chinook\n"
      "  etl-migrate sqlite:shop.db postgresql://etl@db/erp --cast 'DATETIME=timestamptz' "
      "--lowercase-names --rejects-dir migrate-rejects\n"
      "  etl-migrate postgresql://etl@db/erp sqlite:erp-copy.db --tables orders,order_lines");
  return etl::cli::tool_main("etl-migrate", argc, argv, app,
                             [&] { return etl::tools::run_migrate(o, common); });
}
