#pragma once
// PostgreSQL through libpq. Sources stream with COPY (…) TO STDOUT: constant memory, types
// from the query's description (numeric and bigint exact, timestamps ISO 8601 with offset,
// json/jsonb nested, NULL null). Sinks bulk-load with COPY into the table (insert) or into a
// staging table merged with INSERT … ON CONFLICT (upsert) or UPDATE … FROM (update); a batch
// the server refuses is retried record by record, so one bad record is rejected with the
// server's reason and the others are written. Identifiers are quoted and values travel as COPY
// data or parameters: nothing in a record or a mapping becomes SQL.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/connector_options.hpp"
#include "etl/db/column_typing.hpp"
#include "etl/db/pg_lossy_columns.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/held_text.hpp"
#include "etl/mask.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

struct pg_conn;
struct pg_result;

namespace etl {

enum class PgKind;

class PgConnection {
 public:
  // url: postgresql://…; the password comes from the URL, PGPASSWORD, ~/.pgpass or
  // password_file (--password-file), in libpq's order, with password_file first.
  PgConnection(const std::string& url, const std::string& password_file);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  pg_conn* handle() const { return m_conn; }
  const std::string& name() const { return m_name; }  // masked
  // Runs SQL that returns no rows; throws IoError (UsageError for SQL errors when user_sql).
  void exec(const std::string& sql);
  // Runs SQL with text parameters (nullptr = NULL); returns the result, or throws.
  std::unique_ptr<pg_result, void (*)(pg_result*)> query(const std::string& sql,
                                                         const std::vector<const char*>& params);
  std::string error() const;

 private:
  pg_conn* m_conn = nullptr;
  std::string m_name;
};

// "public.orders" → "public"."orders"; a name without a dot → "name".
std::string pg_quote_name(const std::string& name);
// PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and cuts the rest with only a
// notice: names longer than that are refused, never stored as another.
inline constexpr NameRules kPgNames{false, 63};
// Throws UsageError when a name (one part of it) is longer than PostgreSQL keeps.
void refuse_long_pg_name(std::string_view name);

// etl-load --checkpoint: the row NAME of the etl_checkpoint table (made when missing), read
// once the session holds the checkpoint (see hold_checkpoint_lock), and its update, which the
// caller runs in the transaction of the batch it covers.
std::optional<CheckpointRow> pg_read_checkpoint(PgConnection& conn, const std::string& name);
void pg_store_checkpoint(PgConnection& conn, const std::string& name, const CheckpointRow& row);

// Upsert's "and some value differs" over the non-key fields (etl_t is the table, EXCLUDED the
// row), exact: compared as text.
std::string pg_changed_condition(const std::vector<std::string>& fields,
                                 const std::vector<std::string>& key);
// One record's upsert into table (quoted); answers one row: (the row existed, it was written).
std::string pg_upsert_sql(const std::string& table, const Record& r,
                          const std::vector<std::string>& key);

// The upsert of a staged batch (see postgres_sink.cpp): answers the ids, "existed" and
// "written" of every staged row.
std::string pg_staged_upsert_sql(const std::string& table, const std::string& stage,
                                 const std::vector<std::string>& fields,
                                 const std::vector<std::string>& key,
                                 const std::vector<std::string>& ids);

// etl-load --children: records with child arrays into a parent table and child tables.
std::unique_ptr<Sink> open_pg_family_sink(const std::string& url, const ConnectorOptions& o);

// etl-load --changes into a PostgreSQL table (see change_set_sink.hpp).
std::unique_ptr<Sink> open_pg_change_sink(const std::string& url, const ConnectorOptions& o);

class PgSource : public Source {
 public:
  PgSource(const std::string& url, const ConnectorOptions& o);
  ~PgSource() override;
  bool next(Sourced& out) override;
  std::vector<std::string> time_columns() const override;

  std::vector<std::string> notes() const override { return json_as_text_notes(m_json_as_text); }

 private:
  void convert(std::size_t col, std::string_view text, Value& v);
  std::string since_clause(const ConnectorOptions& o) const;
  PgConnection m_conn;
  std::string m_name;
  std::vector<std::string> m_names;
  std::map<std::string, std::uint64_t> m_json_as_text;  // per column
  std::vector<PgKind> m_kinds;
  std::uint64_t m_row = 0;
  bool m_done = false;
  TextRows m_rows{'\t'};  // COPY's text format: a row split into its fields, unescaped
};

class PgSink : public Sink {
 public:
  PgSink(const std::string& url, const ConnectorOptions& o);
  ~PgSink() override;  // without commit(): the open transaction is rolled back
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void discard() override;
  void on_outcome(OutcomeFn fn) override { m_outcome = std::move(fn); }
  std::optional<std::uint64_t> committed() const override { return m_committed; }
  void use_checkpoint(Checkpoint& checkpoint) override;
  std::vector<std::string> notes() const override { return m_typing.notes(); }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  // Replace mode, --dry-run and --all-or-nothing run in one transaction, each batch a savepoint.
  bool one_transaction() const {
    return m_opts.sink.mode == WriteMode::Replace || m_opts.sink.dry_run ||
           m_opts.sink.one_transaction;
  }
  void ensure_table(const Record& first);
  void add_missing_columns(const Record& r);
  void retype_columns(const Record& r);
  // Ends the batch; its commit covers the first `settled` records this sink was handed.
  void flush(std::uint64_t settled);
  void store_checkpoint(std::uint64_t settled);
  void start_batch();
  void copy_record(const Record& r, std::size_t row);
  void begin_copy();
  void send_copy();
  void put_copy_data(std::string_view bytes);
  void send_records(std::size_t from, std::size_t to);
  std::size_t line_end(std::size_t i) const;  // where record i's COPY line ends in m_text
  static constexpr std::size_t kNoLine = static_cast<std::size_t>(-1);
  std::size_t end_copy();
  void copy_again(std::size_t from, std::size_t to, std::size_t failed_line);
  void copy_range(std::size_t from, std::size_t to);
  void merge_staged();
  void merge_upsert();
  WriteResult upsert_result(bool existed, bool written);
  void write_one_by_one(std::size_t from, std::size_t to);
  std::string update_sql(const Record& r) const;

  PgConnection m_conn;
  ConnectorOptions m_opts;
  std::string m_table;  // quoted
  std::vector<std::string> m_columns;
  ColumnTyping m_typing;
  PgLossyColumns m_lossy;               // the table's columns that would change a number
  std::vector<StoredAs> m_batch_kinds;  // of m_batch_fields' columns
  bool m_table_ready = false;
  bool m_grows = false;  // a field without a column adds one (see ConnectorOptions::add_columns)
  bool m_in_tx = false;
  void count_committed();
  std::uint64_t m_batch_written = 0;  // Written outcomes since the last COMMIT
  std::uint64_t m_committed = 0;
  std::uint64_t m_inserted = 0, m_updated = 0, m_unchanged = 0;  // upsert's outcomes
  // The batch's records are kept as their COPY lines plus each field's JSON type (not copies of
  // the records: a million small allocations cost more than the load), and turned back into
  // records, exactly, only when one must be retried or rejected.
  // Record i's field kinds are m_kinds[i * m_batch_fields.size()...]: a batch's records all
  // have its fields.
  struct Held {
    std::uint64_t line_at;  // in m_text
    std::uint64_t line;
    std::uint32_t source;  // in m_sources
    std::uint32_t detail;  // in m_details from 1; 0: none
  };
  Sourced held_record(std::size_t i);
  void report(std::size_t i, const WriteResult& w);
  std::vector<Held> m_batch;
  std::string m_kinds;  // per field: n(ull) s(tring) d(ecimal number) b(oolean) j(son)
  std::vector<std::string> m_sources;
  std::vector<std::string> m_details;
  std::set<std::string> m_batch_keys;  // staged modes: a key twice makes the merge ambiguous
  bool m_batch_duplicate_keys = false;
  std::vector<std::string> m_batch_fields;  // the field list every record of the batch has
  HeldText m_text;                          // the batch's COPY text
  OutcomeFn m_outcome;
  Checkpoint* m_checkpoint = nullptr;
  std::uint64_t m_handed = 0;  // records written to this sink
  static constexpr std::size_t kDefaultBatchRecords = 1000000;
  static constexpr std::size_t kDefaultBatchText = std::size_t{64} << 20;
  std::size_t m_batch_text_limit = static_cast<std::size_t>(-1);  // bytes of a batch's COPY text
};

}  // namespace etl
