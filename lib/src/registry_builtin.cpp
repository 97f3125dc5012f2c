// The one list of connectors: add a line here for a new format or connector.
#include <fmt/format.h>

#include "etl/db/mariadb.hpp"
#include "etl/db/postgres.hpp"
#include "etl/db/sqlite.hpp"
#include "etl/error.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/formats/csv_writer.hpp"
#include "etl/formats/json_document.hpp"
#include "etl/formats/ndjson.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/net/http_sink.hpp"
#include "etl/net/http_source.hpp"
#include "etl/registry.hpp"

namespace etl {
namespace {
char delimiter_for(const ConnectorOptions& o, char dflt) {
  return o.delimiter ? o.delimiter : dflt;
}

// sqlite:PATH#TABLE and postgresql://…/db#TABLE name the table in the address, so one command
// can read two tables.
std::pair<std::string, ConnectorOptions> table_target(const std::string& target,
                                                      ConnectorOptions o) {
  auto hash = target.rfind('#');
  if (hash == std::string::npos) return {target, o};
  o.table = target.substr(hash + 1);
  o.query.clear();
  return {target.substr(0, hash), o};
}

ConnectorInfo postgres_connector(const char* scheme) {
  return {scheme,
          {},
          "PostgreSQL: postgresql://user@host:port/db with --table or --query, or …/db#TABLE",
          [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Source> {
            auto [url, opts] = table_target(a.scheme + ":" + a.target, o);
            return std::make_unique<PgSource>(url, opts);
          },
          [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Sink> {
            auto [url, opts] = table_target(a.scheme + ":" + a.target, o);
            if (opts.sink.changes) return open_pg_change_sink(url, opts);
            if (!opts.sink.children.empty()) return open_pg_family_sink(url, opts);
            return std::make_unique<PgSink>(url, opts);
          },
          true,
          true};
}
ConnectorInfo mariadb_connector(const char* scheme) {
  return {scheme,
          {},
          "MariaDB/MySQL: mysql://user@host:port/db with --table or --query, or …/db#TABLE",
          [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Source> {
            auto [url, opts] = table_target(a.scheme + ":" + a.target, o);
            return std::make_unique<MariaDbSource>(url, opts);
          },
          [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Sink> {
            auto [url, opts] = table_target(a.scheme + ":" + a.target, o);
            if (opts.sink.changes || !opts.sink.children.empty())
              throw UsageError(
                  fmt::format("{}: --changes and --children are not supported for "
                              "MariaDB yet (SQLite and PostgreSQL have them)",
                              a.scheme));
            return std::make_unique<MariaDbSink>(url, opts);
          },
          true,
          true};
}
// --names, for a reader: nullptr when the input's first line is its header.
const std::vector<std::string>* names_of(const ConnectorOptions& o) {
  return o.names.empty() ? nullptr : &o.names;
}

}  // namespace

void register_builtin_connectors(Registry& r) {
  r.add({"csv",
         {".csv"},
         "comma-separated values with a header row, or --names (--delimiter, --columns)",
         [](const Address& a, const ConnectorOptions& o) {
           auto reader = std::make_unique<CsvReader>(a.target, delimiter_for(o, ','), o.encoding,
                                                     names_of(o));
           reader->read_null_as(o.csv_null);
           return reader;
         },
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<CsvWriter>(a.target, delimiter_for(o, ','), o.sink.columns,
                                              o.csv_null);
         }});
  r.add({"tsv",
         {".tsv"},
         "tab-separated values with a header row, or --names",
         [](const Address& a, const ConnectorOptions& o) {
           auto reader = std::make_unique<CsvReader>(a.target, delimiter_for(o, '\t'), o.encoding,
                                                     names_of(o));
           reader->read_null_as(o.csv_null);
           return reader;
         },
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<CsvWriter>(a.target, delimiter_for(o, '\t'), o.sink.columns,
                                              o.csv_null);
         }});
  r.add({"text",
         {},
         "PostgreSQL's COPY text format (MySQL's tab format): tabs, backslash escapes, \\N for "
         "null, a header row (or --names)",
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<TextFormatReader>(a.target, delimiter_for(o, '\t'), o.encoding,
                                                     names_of(o));
         },
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<TextFormatWriter>(a.target, delimiter_for(o, '\t'),
                                                     o.sink.columns);
         }});
  r.add({"ndjson",
         {".ndjson", ".jsonl"},
         "one JSON object a line; '-' is stdin/stdout",
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<NdjsonReader>(a.target, o.encoding);
         },
         [](const Address& a, const ConnectorOptions&) {
           return std::make_unique<NdjsonWriter>(a.target);
         }});
  r.add({"json",
         {".json"},
         "a JSON array of objects, or one under --records-path /ptr",
         [](const Address& a, const ConnectorOptions& o) {
           return std::make_unique<JsonDocumentReader>(a.target, o.records_path, o.encoding);
         },
         [](const Address& a, const ConnectorOptions&) {
           return std::make_unique<JsonArrayWriter>(a.target);
         }});
  r.add({"sqlite",
         {".db", ".sqlite"},
         "SQLite database: sqlite:PATH with --table or --query, or sqlite:PATH#TABLE",
         [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Source> {
           auto [path, opts] = table_target(a.target, o);
           return std::make_unique<SqliteSource>(path, opts);
         },
         [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Sink> {
           auto [path, opts] = table_target(a.target, o);
           if (opts.sink.changes) return open_sqlite_change_sink(path, opts);
           if (!opts.sink.children.empty()) return open_sqlite_family_sink(path, opts);
           return std::make_unique<SqliteSink>(path, opts);
         },
         true});
  for (const char* scheme : {"http", "https"})
    r.add({scheme,
           {},
           "REST API: reads pages (--paginate), writes with --method to a URL {field} template",
           [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Source> {
             return std::make_unique<HttpSource>(a.scheme + ":" + a.target, o);
           },
           [](const Address& a, const ConnectorOptions& o) -> std::unique_ptr<Sink> {
             return std::make_unique<HttpSink>(a.scheme + ":" + a.target, o);
           }});
  r.add(postgres_connector("postgresql"));
  r.add(postgres_connector("postgres"));
  r.add(mariadb_connector("mysql"));
  r.add(mariadb_connector("mariadb"));
}

}  // namespace etl
