#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etl/net/http_client.hpp"
#include "etl/value.hpp"

namespace etl {

// How a sink writes a record into a table (--mode).
enum class WriteMode { Insert, Upsert, Update, Replace };
// "insert" … and back; parse_write_mode throws UsageError naming the choices.
const char* write_mode_name(WriteMode m);
WriteMode parse_write_mode(const std::string& text);
// How an HTTP source finds its next page (--paginate).
enum class Paging { None, Link, Page, Offset, Cursor, Next };
const char* paging_name(Paging p);
Paging parse_paging(const std::string& text);

struct ConnectorOptions;
// upsert and update find rows by --key: without one, a UsageError.
void check_key_for_mode(const ConnectorOptions& o);

// Incremental extraction (etl-extract --state): the watermark's first cursor field and value.
// A source that can ask its system for the records at or beyond it does (SQLite and PostgreSQL
// with --table, HTTP with --since-param); the watermark still filters each record exactly, so
// this only saves reading what an earlier run moved.
struct SincePushdown {
  std::string field;
  std::optional<Value> value;
  // When the first cursor is a time: the watermark as an RFC 3339 UTC instant. Databases push
  // down only into timestamp columns then (text holding times in other forms or offsets does
  // not sort as the instants do).
  std::string instant;
  // ... and a date (YYYY-MM-DD) that every ISO 8601 text of an instant at or after it sorts at
  // or above, whatever its offset (the day before, in UTC): text columns are asked for that.
  std::string iso_floor;
};

// How an HTTP source asks for its pages and finds where they end (--paginate and its flags).
struct HttpPaging {
  std::string since_param;  // --since-param NAME: the query parameter that takes the watermark
  std::string since_query;  // --since-query: name=value&… with {field} and {since}
  std::string profile;      // --profile NAME|FILE (etl/cli/profile.hpp)
  Paging paginate = Paging::None;   // --paginate none | link | page | offset | cursor | next
  std::uint64_t max_pages = 0;      // --max-pages: more pages is an error; 0: no limit
  bool allow_cross_origin = false;  // --allow-cross-origin: follow next pages to other origins
                                    // (without the credentials, which stay with the first)
  std::string page_param = "page", size_param = "per_page";
  std::size_t page_size = 100;
  std::string offset_param = "offset", limit_param = "limit";
  std::string cursor_path, cursor_param = "cursor";  // cursor: JSON Pointer in each page
  std::string next_path;      // next: JSON Pointer to the next page's URL (or a links array)
  std::string total_path;     // page, offset: JSON Pointer to the number of records in all
  std::string has_more_path;  // page, offset: JSON Pointer to a boolean, true while more
};

// How an HTTP destination sends records and keeps what it answers.
struct HttpWriting {
  std::string method = "POST";  // --method
  std::string responses;        // --responses FILE
  // --xref DB --entity NAME --xref-key FIELD --id-path PTR: the id the API gives each record it
  // creates goes into etl-correlate's cross-reference store, paired with the record's FIELD
  std::string xref, xref_entity, xref_key, id_path;
};

// How a destination writes: keys, modes, batches, transactions (etl-load's flags).
struct SinkOptions {
  std::vector<std::string> columns;    // --columns (CSV writer)
  std::vector<std::string> key;        // --key (SQLite sink)
  WriteMode mode = WriteMode::Insert;  // --mode insert|upsert|update|replace
  std::size_t batch_size = 0;          // --batch-size; 0: the connector's own default
  bool dry_run = false;  // --dry-run: one transaction, rolled back (sinks that can undo only)
  bool one_transaction = false;  // --all-or-nothing: one transaction, committed at the end
  std::string schema_file;       // --schema: column types for a table etl-load creates
  // --add-columns: a field the existing table lacks becomes a new column (a table this run
  // creates without --schema always grows so: its columns come from all the records)
  bool add_columns = false;
  bool changes = false;  // --changes: the input is an etl-diff change set
  // --children FIELD=TABLE:KEY (etl/db/family_sink.hpp), and --children-mode append
  std::vector<std::string> children;
  bool children_append = false;
  bool outcome_records = false;     // --audit: batching sinks report every outcome with its record
  std::uint64_t max_deletes = 10;   // --max-deletes: how many rows a change set may delete
  bool max_deletes_percent = true;  //   … as a percentage of the table's rows
  // --delete-despite-unreadable: apply a change set's removes although the side they come from
  // had records etl-diff could not key
  bool delete_despite_unreadable = false;
};

// Options that belong to a connector rather than a tool; each is one command-line flag.
struct ConnectorOptions {
  std::string format;          // --format: overrides the extension
  std::string default_format;  // when neither --format nor the extension tells
  char delimiter = 0;          // --delimiter (CSV); 0 = by format
  std::string encoding;        // --encoding: a file source's text (etl/text_decoder.hpp)
  // --null TEXT: CSV's text of a null, read (unquoted) and written; none: no field reads as
  // null, and a null is written as an empty field
  std::optional<std::string> csv_null;
  // --names: a CSV, TSV or text input with no header row, its fields' names (empty: the first
  // line is the header)
  std::vector<std::string> names;
  std::string records_path;   // --records-path: JSON Pointer to the records array
  std::string table;          // --table (SQLite, PostgreSQL)
  std::string query;          // --query (SQLite, PostgreSQL source)
  std::string password_file;  // --password-file (PostgreSQL)
  SinkOptions sink;           // destinations: how records are written
  SincePushdown since;        // etl-extract --state: what a source may ask its system for
  HttpOptions http;           // HTTP sources and destinations: the client
  HttpPaging paging;          // HTTP sources: how pages follow one another
  HttpWriting writing;        // HTTP destinations
};

}  // namespace etl
