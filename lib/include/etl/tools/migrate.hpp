#pragma once
// etl-migrate: a whole database (SQLite or PostgreSQL) into another, with its types, keys,
// indexes and foreign keys, each table verified against its source by the diff engine.
#include <string>
#include <vector>

#include "etl/cli/run_report.hpp"

namespace etl::tools {

struct MigrateOptions {
  std::string source, destination;
  std::vector<std::string> tables, exclude;  // --tables, --exclude: source names
  // --cast DECLARED=TYPE (a source declared type, any case) or TABLE.COLUMN=TYPE
  std::vector<std::string> casts;
  bool lowercase_names = false;
  bool dry_run = false;      // print the DDL, change nothing
  bool schema_only = false;  // tables, keys, indexes: no rows
  bool data_only = false;    // rows into the tables there (made by an earlier --schema-only)
  std::string rejects_dir;   // TABLE.rejects.ndjson and TABLE.diff.ndjson per table
  std::string password_file;
  // Each side's own, for two servers with two passwords; password_file is the fallback.
  std::string source_password_file, dest_password_file;
  std::size_t batch_size = 0;
  std::string resume;  // --resume FILE (etl/migrate/resume_state.hpp)
};

// 0: every table copied and verified equal; 3: rows rejected, a table that differs, or a key,
// index or foreign key the data does not allow.
int run_migrate(const MigrateOptions& o, const cli::CommonOptions& c);

}  // namespace etl::tools
