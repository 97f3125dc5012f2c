#pragma once
// MariaDB and MySQL through Debian's MariaDB client library (libmariadb). Sources stream with
// mysql_use_result: constant memory, every value as the server's text, typed by the column's
// metadata (integers and DECIMAL exact, DATETIME as ISO 8601 without a zone, TIMESTAMP in UTC with
// Z, JSON nested, binary strings and BLOBs as bytes, BIT(1) and TINYINT(1) holding 0 or 1 as
// booleans). Sinks write a prepared statement per record in batch transactions, so a record the
// server refuses is rejected with its reason and the rest of the batch is written; the session
// runs in strict mode (no silent truncation) with NO_AUTO_VALUE_ON_ZERO (an id 0 stays 0).
// Identifiers are quoted and values travel as statement parameters: nothing in a record becomes
// SQL.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/connector_options.hpp"
#include "etl/db/column_typing.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

struct st_mysql;
struct st_mysql_res;
struct st_mysql_stmt;
struct st_mysql_field;

namespace etl {

class MariaDbConnection {
 public:
  // url: mysql://user@host:port/db or mariadb://…, ?socket=PATH for a local socket. The password
  // comes from password_file (--password-file), the URL, MYSQL_PWD, or the [client] group of the
  // option files (~/.my.cnf), in that order. found_rows: UPDATE counts the rows it matched.
  MariaDbConnection(const std::string& url, const std::string& password_file,
                    bool found_rows = false);
  ~MariaDbConnection();
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;

  st_mysql* handle() const { return m_conn; }
  const std::string& name() const { return m_name; }  // masked
  const std::string& database() const { return m_database; }
  // Runs SQL; throws IoError with the server's message.
  void exec(const std::string& sql);
  // Runs a query and returns all its rows as text (nullopt for NULL): for small catalog reads.
  using Row = std::vector<std::optional<std::string>>;
  std::vector<Row> rows(const std::string& sql);
  std::string error() const;
  unsigned error_number() const;

 private:
  st_mysql* m_conn = nullptr;
  std::string m_name, m_database;
};

// `name` with backticks doubled; "db.table" stays one name (tables are in the URL's database).
std::string mariadb_quote_name(const std::string& name);
// 'text' as an SQL string literal, escaped for the connection's character set.
std::string mariadb_literal(MariaDbConnection& conn, const std::string& text);

// How a column's values are read, from its metadata.
enum class MariaDbKind {
  Number,
  Float,
  Boolean,
  Bit,
  Json,
  Bytes,
  Date,
  DateTime,
  Timestamp,
  Text
};
MariaDbKind mariadb_kind(const st_mysql_field& field);
StoredAs stored_as(MariaDbKind k);

// What a sink checks before it sends a value: the server rounds 7.5 into an integer column
// without a word, and 1.005 into DECIMAL(10,2) with only a note, so such values are rejected.
struct MariaDbColumn {
  MariaDbKind kind = MariaDbKind::Text;
  bool integer = false;  // an integer type
  bool time = false;     // DATETIME, TIMESTAMP or TIME: scale is the second fractions kept
  bool year = false;     // YEAR: the server reads '24' as 2024
  int scale = -1;        // DECIMAL's places, a time's second fractions
  int float_bytes = 0;   // FLOAT 4, DOUBLE 8: binary, so 9007199254740993 is 9007199254740992
};
MariaDbColumn mariadb_column(const st_mysql_field& field);
// Why v cannot go into the column unchanged, or empty.
std::string mariadb_unfit(const MariaDbColumn& c, const Value& v);
// A time for a TIMESTAMP column in the session's zone (UTC): "…T10:00:00Z" and "…+00:00" lose
// their zone; other offsets are not UTC and stay (the server refuses them).
std::string_view mariadb_utc_time(std::string_view t);

class MariaDbSource : public Source {
 public:
  MariaDbSource(const std::string& url, const ConnectorOptions& o);
  ~MariaDbSource() override;
  bool next(Sourced& out) override;
  std::vector<std::string> notes() const override;
  std::vector<std::string> time_columns() const override;

 private:
  void convert(std::size_t col, std::string_view text, Value& v);
  void release_result();
  std::string table_select(const std::string& table);
  MariaDbConnection m_conn;
  st_mysql_res* m_result = nullptr;
  std::string m_name;
  std::vector<std::string> m_names;
  std::vector<MariaDbKind> m_kinds;
  std::vector<bool> m_single;  // by column: a FLOAT read as a DOUBLE (table_select)
  std::map<std::string, std::uint64_t> m_zero_dates;    // per column
  std::map<std::string, std::uint64_t> m_json_as_text;  // per column
  std::uint64_t m_row = 0;
  bool m_done = false;
};

class MariaDbSink : public Sink {
 public:
  MariaDbSink(const std::string& url, const ConnectorOptions& o);
  ~MariaDbSink() override;  // without commit(): the open batch is rolled back
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void discard() override { flush_bulk(); }
  void on_outcome(OutcomeFn fn) override { m_outcome = std::move(fn); }
  void use_checkpoint(Checkpoint& checkpoint) override;
  std::optional<std::uint64_t> committed() const override { return m_committed; }
  std::vector<std::string> notes() const override { return m_typing.notes(); }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  struct Statement;
  struct Params;
  // Insert and replace send records in arrays (MariaDB's array binding: one statement, one
  // round trip for many rows); a batch the server refuses, or changes a value of, is undone to
  // its savepoint and sent again record by record, so each refusal is the record's alone.
  bool bulk() const;
  // Replace, --all-or-nothing and --dry-run: one transaction, so no DDL in the middle of it.
  bool single_transaction() const {
    return m_opts.sink.mode == WriteMode::Replace || m_opts.sink.one_transaction ||
           m_opts.sink.dry_run;
  }
  void flush_bulk();
  void bind_values(Params& p, const Statement& st, const Record& r);
  // One record's statement. alone: in its own savepoint, so a value the server would change
  // rejects the record only (the array's fallback); else it stops the run.
  WriteResult write_one(const Sourced& in, bool alone = false);
  void end_batch_if_full();
  void begin();
  void ensure_table(const Record& first);
  void read_columns();
  WriteResult add_missing_columns(const Record& r);
  Statement& statement_for(const Record& r);
  std::unique_ptr<Statement> prepare(const Record& r);
  std::string sql_for(const Record& r) const;
  // Binds r and runs st: the affected-row count, or -1 with m_error set.
  long long execute(Statement& st, const Record& r);
  void store_checkpoint();
  void finalize_statements();
  MariaDbConnection m_conn;
  ConnectorOptions m_opts;
  std::string m_table;  // quoted
  std::vector<std::string> m_columns;
  std::map<std::string, MariaDbColumn> m_column_info;  // by column
  ColumnTyping m_typing;
  std::map<std::string, std::unique_ptr<Statement>> m_statements;  // by field list
  std::map<std::string, std::unique_ptr<Statement>> m_bulk_statements;
  std::vector<Sourced> m_pending;  // the array being filled, all of one field list
  std::string m_pending_signature;
  OutcomeFn m_outcome;
  std::string m_error;
  bool m_in_tx = false, m_table_ready = false, m_grows = false;
  std::size_t m_in_batch = 0;
  std::uint64_t m_inserted = 0, m_updated = 0, m_unchanged = 0;
  Checkpoint* m_checkpoint = nullptr;
  std::uint64_t m_handed = 0, m_batch_written = 0, m_committed = 0;
};

// etl-load --checkpoint: the row NAME of the etl_checkpoint table (made when missing), read once
// the session holds the checkpoint's named lock (GET_LOCK, for the session's life, so a rerun
// waits for a killed run's session to end), and its update in the batch's transaction.
std::optional<CheckpointRow> mariadb_read_checkpoint(MariaDbConnection& conn,
                                                     const std::string& name);
void mariadb_store_checkpoint(MariaDbConnection& conn, const std::string& name,
                              const CheckpointRow& row);

}  // namespace etl
