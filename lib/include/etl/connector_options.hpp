#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace etl {

// Options that belong to a connector rather than a tool; each is one command-line flag.
struct ConnectorOptions {
  std::string format;                // --format: overrides the extension
  std::string default_format;        // when neither --format nor the extension tells
  char delimiter = 0;                // --delimiter (CSV); 0 = by format
  std::string records_path;          // --records-path: JSON Pointer to the records array
  std::vector<std::string> columns;  // --columns (CSV writer)
  std::string table;                 // --table (SQLite)
  std::string query;                 // --query (SQLite source)
  std::vector<std::string> key;      // --key (SQLite sink)
  std::string mode = "insert";       // --mode insert|upsert|update|replace
  std::size_t batch_size = 10000;
  std::string
      schema_file;  // --schema: column types for a table etl-load creates    // --batch-size
};

}  // namespace etl
