#pragma once
// SQLite, the embedded default. Numbers are stored so they come back exactly: an int64 as
// INTEGER, a decimal whose shortest double text is itself as REAL, anything else (19.990,
// 12345678901234567890, -0.0) as TEXT in a column created without a type, whose TEXT values
// that are JSON numbers read back as numbers.
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/connector_options.hpp"
#include "etl/db/column_typing.hpp"
#include "etl/db/sqlite_affinity.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace etl {

// How a database file is opened: sources read it only (a query that would write is refused),
// sinks may create it.
enum class SqliteOpen { ReadOnly, ReadWrite, Create };

class SqliteDb {
 public:
  SqliteDb(const std::string& path, SqliteOpen mode);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  sqlite3* handle() const { return m_db; }
  void exec(const std::string& sql);
  sqlite3_stmt* prepare(const std::string& sql);
  std::string errmsg() const;

 private:
  sqlite3* m_db = nullptr;
  std::string m_path;
};

std::string quote_identifier(const std::string& name);
// The declared type of a column etl-load creates (see above: numbers get none).
std::string declared_type(ColumnType type);
// Upsert's "and some value differs" for a record's non-key fields, exact and null-safe.
std::string sqlite_changed_condition(const Record& r, const std::vector<std::string>& key);

// How a column's values read back: by its declared type (see above).
enum class ColumnKind { Plain, Numeric, Boolean, Json };
ColumnKind column_kind(const char* declared_type);
// NUMERIC(p,s) and DECIMAL(p,s) with s > 0: s, the places a number of the column is written
// with; else -1. SQLite keeps 165.00 as the number 165: read back, it is "165.00" again.
int declared_scale(const char* declared_type);
// DATE, DATETIME, TIMESTAMP, TIMESTAMPTZ, TIME …: values that are times (ISO 8601 text).
bool is_time_type(const char* declared_type);
// A number's text with at least `scale` places ("165" → "165.00"); more places stay as they are.
void pad_to_scale(Value& v, int scale);
void read_column(sqlite3_stmt* st, int col, ColumnKind kind, Value& v);
// Binds v so that it reads back exactly; keep holds JSON text alive until the statement steps.
void bind_value(sqlite3_stmt* st, int index, const Value& v, std::deque<std::string>& keep);

class SqliteSource : public Source {
 public:
  SqliteSource(const std::string& path, const ConnectorOptions& o);
  ~SqliteSource() override;
  bool next(Sourced& out) override;
  std::vector<std::string> time_columns() const override { return m_time_columns; }
  std::vector<std::string> notes() const override { return json_as_text_notes(m_json_as_text); }
  bool read_ahead_pays() const override { return true; }

 private:
  void push_since(const ConnectorOptions& o);
  void push_since_time(const ConnectorOptions& o);
  SqliteDb m_db;
  sqlite3_stmt* m_stmt = nullptr;
  std::string m_name;
  std::vector<std::string> m_names;
  std::vector<ColumnKind> m_kinds;
  std::vector<int> m_scales;  // declared_scale of each column
  std::vector<std::string> m_time_columns;
  std::map<std::string, std::uint64_t> m_json_as_text;  // per column
  std::uint64_t m_row = 0;
};

class SqliteSink : public Sink {
 public:
  SqliteSink(const std::string& path, const ConnectorOptions& o);
  ~SqliteSink() override;  // without commit(): the open batch is rolled back
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void use_checkpoint(Checkpoint& checkpoint) override;
  std::optional<std::uint64_t> committed() const override { return m_committed; }
  std::vector<std::string> notes() const override { return m_typing.notes(); }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  void ensure_table(const Record& first);
  void retype_columns(const Record& r);
  void store_checkpoint();
  // Upsert is two statements, so that the outcome says what happened: an INSERT that does
  // nothing on the key's conflict, then an UPDATE of that row only where a value differs.
  struct Statements {
    sqlite3_stmt* write = nullptr;
    sqlite3_stmt* update_changed = nullptr;  // upsert only
  };
  const Statements& statements_for(const Record& r);
  WriteResult find_columns(const Record& r);
  Statements prepare_for(const Record& r);
  int step(sqlite3_stmt* st, const Record& r);
  void finalize_statements();
  void track_affinity(const std::string& column, std::string_view declared);
  std::string changed_number(const Record& r) const;
  SqliteDb m_db;
  ConnectorOptions m_opts;
  std::vector<std::string> m_columns;  // the table's columns
  bool m_in_tx = false;
  bool m_table_ready = false;
  bool m_grows = false;  // a field without a column adds one (see ConnectorOptions::add_columns)
  std::size_t m_in_batch = 0;
  std::map<std::string, Statements> m_statements;  // by the record's column list
  std::vector<std::string> m_last_keys;
  std::vector<StoredAs> m_last_kinds;  // of m_last_keys' columns
  ColumnTyping m_typing;
  // The columns that may turn a value into a number (lower-cased name: affinity, declared type).
  std::unordered_map<std::string, std::pair<Affinity, std::string>> m_converting;
  std::vector<const std::pair<Affinity, std::string>*> m_last_converting;  // of m_last_keys
  const Statements* m_last_statements = nullptr;
  std::string m_step_error;                                      // of the last step that failed
  std::uint64_t m_inserted = 0, m_updated = 0, m_unchanged = 0;  // upsert's outcomes
  std::deque<std::string> m_bound_text;  // keeps JSON text alive until the step
  Checkpoint* m_checkpoint = nullptr;
  std::uint64_t m_handed = 0;         // records written to this sink
  std::uint64_t m_batch_written = 0;  // Written outcomes since the last COMMIT
  std::uint64_t m_committed = 0;
};

// etl-load --checkpoint: the row NAME of the etl_checkpoint table (made when missing), and its
// update, which the caller runs in the transaction of the batch it covers.
std::optional<CheckpointRow> sqlite_read_checkpoint(SqliteDb& db, const std::string& name);
void sqlite_store_checkpoint(SqliteDb& db, const std::string& name, const CheckpointRow& row);

// etl-load --children: records with child arrays into a parent table and child tables.
std::unique_ptr<Sink> open_sqlite_family_sink(const std::string& path, const ConnectorOptions& o);

// etl-load --changes into a SQLite table (see change_set_sink.hpp).
std::unique_ptr<Sink> open_sqlite_change_sink(const std::string& path, const ConnectorOptions& o);

}  // namespace etl
