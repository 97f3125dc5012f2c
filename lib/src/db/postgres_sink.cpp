#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <set>

#include "etl/binary.hpp"
#include "etl/checkpoint.hpp"
#include "etl/db/postgres.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/error.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/held_text.hpp"
#include "etl/json.hpp"
#include "pg_values.hpp"
#include "sql_text.hpp"

namespace etl {
namespace {

StoredAs stored_as(PgKind k) {
  switch (k) {
    case PgKind::Text:
      return StoredAs::Text;
    case PgKind::Number:
    case PgKind::Float:
      return StoredAs::Number;
    case PgKind::Bool:
      return StoredAs::Boolean;
    case PgKind::Json:
      return StoredAs::Json;
    default:
      return StoredAs::Other;  // times and bytes: as they came
  }
}

const SqlDialect kPg{pg_quote_name, '$'};

// The line of a failed COPY's data that the server's error names ("COPY t, line 12, column
// total: ..."), from 1; 0 when it names none.
std::size_t copy_error_line(const PGresult* r) {
  const char* context = PQresultErrorField(r, PG_DIAG_CONTEXT);
  if (context == nullptr) return 0;
  std::string_view text(context);
  std::size_t at = text.find(", line ");
  if (!text.starts_with("COPY ") || at == std::string_view::npos) return 0;
  std::size_t line = 0;
  for (char c : text.substr(at + 7)) {
    if (c < '0' || c > '9') break;
    line = line * 10 + static_cast<std::size_t>(c - '0');
    if (line > (std::size_t{1} << 40)) return 0;
  }
  return line;
}

}  // namespace

// "and some value differs", for ON CONFLICT … DO UPDATE … WHERE: compared as text, so that
// it is exact (1.0 is not 1.00) and works for types without equality (json).
std::string pg_changed_condition(const std::vector<std::string>& fields,
                                 const std::vector<std::string>& key) {
  std::string changed;
  for (const auto& f : fields)
    if (!is_key_field(key, f))
      changed += fmt::format("{0}etl_t.{1}::text IS DISTINCT FROM EXCLUDED.{1}::text",
                             changed.empty() ? "" : " OR ", pg_quote_name(f));
  return changed;
}

// One record's upsert, answering one row: whether the row existed, and whether the statement
// wrote it (see PgSink::merge_upsert).
std::string pg_upsert_sql(const std::string& table, const Record& r,
                          const std::vector<std::string>& key) {
  std::vector<std::string> fields;
  std::string updates;
  for (const auto& m : r.fields()) {
    fields.push_back(m.key);
    if (!is_key_field(key, m.key))
      updates +=
          fmt::format("{0}{1} = EXCLUDED.{1}", updates.empty() ? "" : ", ", pg_quote_name(m.key));
  }
  std::string action = updates.empty() ? "NOTHING"
                                       : fmt::format("UPDATE SET {} WHERE {}", updates,
                                                     pg_changed_condition(fields, key));
  return fmt::format(
      "WITH existing AS (SELECT 1 FROM {} WHERE {}), written AS ({} ON CONFLICT {} DO {} "
      "RETURNING 1) SELECT (SELECT count(*) FROM existing) > 0, (SELECT count(*) FROM written) > "
      "0",
      table, sql_where_key(kPg, r, key), sql_insert(kPg, table + " AS etl_t", r),
      sql_name_list(kPg, key), action);
}

// The upsert of a staged batch (a table with the target's columns and ids saying which input
// record, and element, each row is), telling inserted, updated and unchanged apart: every part
// of one statement sees the table as it was before it, so "existing" lists the rows already
// there, and the INSERT returns only the rows it inserted or changed (not the equal ones).
// Answers the ids, then "existed" and "written", per staged row.
std::string pg_staged_upsert_sql(const std::string& table, const std::string& stage,
                                 const std::vector<std::string>& fields,
                                 const std::vector<std::string>& key,
                                 const std::vector<std::string>& ids) {
  std::string cols, keys, updates, join, written_join, id_list, id_join;
  for (const auto& f : fields) {
    cols += (cols.empty() ? "" : ", ") + pg_quote_name(f);
    if (!is_key_field(key, f))
      updates +=
          fmt::format("{0}{1} = EXCLUDED.{1}", updates.empty() ? "" : ", ", pg_quote_name(f));
  }
  for (const auto& k : key) {
    keys += (keys.empty() ? "" : ", ") + pg_quote_name(k);
    join += fmt::format("{0}t.{1} = s.{1}", join.empty() ? "" : " AND ", pg_quote_name(k));
    written_join +=
        fmt::format("{0}w.{1} = s.{1}", written_join.empty() ? "" : " AND ", pg_quote_name(k));
  }
  for (const auto& id : ids) {
    id_list += fmt::format("{}s.{}", id_list.empty() ? "" : ", ", id);
    id_join += fmt::format("{0}e.{1} = s.{1}", id_join.empty() ? "" : " AND ", id);
  }
  std::string action = updates.empty() ? "NOTHING"
                                       : fmt::format("UPDATE SET {} WHERE {}", updates,
                                                     pg_changed_condition(fields, key));
  return fmt::format(
      "WITH existing AS (SELECT {7} FROM {8} s JOIN {0} t ON {4}), "
      "written AS (INSERT INTO {0} AS etl_t ({1}) SELECT {1} FROM {8} ON "
      "CONFLICT ({2}) DO {3} RETURNING {2}) "
      "SELECT {7}, e.{9} IS NOT NULL, w.{5} IS NOT NULL FROM {8} s LEFT JOIN existing e ON {10} "
      "LEFT JOIN written w ON {6}",
      table, cols, keys, action, join, pg_quote_name(key[0]), written_join, id_list, stage, ids[0],
      id_join);
}

PgSink::PgSink(const std::string& url, const ConnectorOptions& o)
    : m_conn(url, o.password_file), m_opts(o) {
  if (o.table.empty()) throw UsageError("a postgresql destination needs --table");
  // A batch is one COPY, and each COPY gets a fresh ring of shared buffers that the server's
  // process has not touched yet: a page fault for each page, 0.4 s for the 20 COPYs of a
  // 1M-record load in batches of 50000, measured against one COPY. So a batch is large by
  // default, bounded by its COPY text (held in a file for a retry, not in memory).
  if (m_opts.sink.batch_size == 0) {
    m_opts.sink.batch_size = kDefaultBatchRecords;
    m_batch_text_limit = kDefaultBatchText;
  }
  check_key_for_mode(o);
  m_table = pg_quote_name(o.table);
}

PgSink::~PgSink() {
  if (PQtransactionStatus(m_conn.handle()) == PQTRANS_ACTIVE) {  // a COPY still open
    PQputCopyEnd(m_conn.handle(), "etl-load stopped");
    while (PGresult* r = PQgetResult(m_conn.handle())) PQclear(r);
  }
  if (m_in_tx) PQclear(PQexec(m_conn.handle(), "ROLLBACK"));
}

void PgSink::ensure_table(const Record& first) {
  m_table_ready = true;
  std::string quoted = pg_quote_name(m_opts.table);
  auto read_columns = [&] {
    return m_conn.query(
        "SELECT attname, atttypid, atttypmod FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        {quoted.c_str()});
  };
  auto type_of = [](const auto& r, int i) {
    return static_cast<unsigned>(std::stoul(PQgetvalue(r.get(), i, 1)));
  };
  auto add_lossy = [&](const auto& r, int i) {
    m_lossy.add(PQgetvalue(r.get(), i, 0), type_of(r, i), std::stoi(PQgetvalue(r.get(), i, 2)));
  };
  auto r = read_columns();
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    m_columns.emplace_back(PQgetvalue(r.get(), i, 0));
    m_typing.add(m_columns.back(), stored_as(pg_kind(type_of(r, i))));
    add_lossy(r, i);
  }
  m_grows = m_opts.sink.add_columns;
  if (m_columns.empty()) {
    m_grows = m_opts.sink.add_columns || m_opts.sink.schema_file.empty();  // see ConnectorOptions
    std::vector<ColumnSpec> cols = columns_for_new_table(m_opts.sink.schema_file, first);
    for (const auto& k : m_opts.sink.key)
      if (std::none_of(cols.begin(), cols.end(), [&](auto& c) { return c.name == k; }))
        throw UsageError(fmt::format("--key column '{}' is not one of the table's columns", k));
    std::string sql = "CREATE TABLE IF NOT EXISTS " + m_table + " (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      sql +=
          fmt::format("{}{} {}", i ? ", " : "", pg_quote_name(cols[i].name), pg_type(cols[i].type));
      m_columns.push_back(cols[i].name);
      // A column whose first value is null is typed by its first value later (retype).
      m_typing.add(cols[i].name, stored_as(cols[i].type), cols[i].type == ColumnType::Unknown);
    }
    if (!m_opts.sink.key.empty()) {
      sql += ", PRIMARY KEY (";
      for (std::size_t i = 0; i < m_opts.sink.key.size(); ++i)
        sql += (i ? ", " : "") + pg_quote_name(m_opts.sink.key[i]);
      sql += ")";
    }
    m_conn.exec(sql + ")");
    r = read_columns();  // the types --schema gave the new table's columns
    for (int i = 0; i < PQntuples(r.get()); ++i) add_lossy(r, i);
  }
  if (m_opts.sink.mode == WriteMode::Replace) m_conn.exec("DELETE FROM " + m_table);
  if (m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update) {
    // The staging table has the target's column types and no constraints; __etl_row says which
    // input record a staged row is.
    m_conn.exec("CREATE TEMP TABLE IF NOT EXISTS etl_stage AS SELECT * FROM " + m_table +
                " WITH NO DATA");
    m_conn.exec("ALTER TABLE etl_stage ADD COLUMN IF NOT EXISTS __etl_row integer");
  }
}

WriteResult PgSink::write(const Sourced& in) {
  const Record& r = in.record;
  ++m_handed;
  // A record with the fields of the batch being copied has had their names checked and their
  // columns found already (each a string compare for each column: a sixth of a load).
  bool same = r.has_keys(m_batch_fields);
  if (std::string why = same ? std::string() : unstorable_names(r, kPgNames); !why.empty())
    return {WriteOutcome::Rejected, why};
  if (!m_table_ready) {
    m_conn.exec("BEGIN");
    m_in_tx = true;
    ensure_table(r);
    // Replace and --dry-run run as one transaction; otherwise the table is committed now, so a
    // batch that fails can roll back alone.
    if (!one_transaction()) {
      m_conn.exec("COMMIT");
      m_in_tx = false;
    }
  }
  for (const auto& k : m_opts.sink.key) {
    const Value* v = r.find(k);
    if (v == nullptr || v->is_null())
      return {WriteOutcome::Rejected, fmt::format("missing key field '{}'", k)};
  }
  for (const auto& m : r.fields()) {
    if (!same && !m_grows &&
        std::find(m_columns.begin(), m_columns.end(), m.key) == m_columns.end())
      return {WriteOutcome::Rejected,
              fmt::format("field '{}' has no column in table '{}' (--add-columns adds it)", m.key,
                          m_opts.table)};
    // PostgreSQL text cannot hold U+0000; it would be cut short, never stored as given.
    if (m.value.kind() == Value::Kind::String && m.value.text().find('\0') != std::string::npos)
      return {WriteOutcome::Rejected,
              fmt::format("field '{}': PostgreSQL text cannot hold the character U+0000", m.key)};
  }
  if (std::string why = m_lossy.changed_value(r); !why.empty())
    return {WriteOutcome::Rejected, why};
  if (!same) add_missing_columns(r);
  if (m_typing.any_provisional()) {
    retype_columns(r);
    same = r.has_keys(m_batch_fields);  // (a column retyped ends the batch)
  }
  // A batch is COPYed with one column list: a record with other fields starts a new batch.
  if (!same) {
    flush(m_handed - 1);
    m_batch_fields.clear();
    for (const auto& m : r.fields()) m_batch_fields.push_back(m.key);
    m_batch_kinds = m_typing.kinds_of(r);
  }
  m_typing.count(r, m_batch_kinds);
  if (m_batch.empty()) start_batch();
  Held h{m_text.size(), in.where.line, 0, 0};
  copy_record(r, m_batch.size());
  if (m_sources.empty() || m_sources.back() != in.where.source)
    m_sources.push_back(in.where.source);
  h.source = static_cast<std::uint32_t>(m_sources.size() - 1);
  if (!in.where.detail.empty()) {
    m_details.push_back(in.where.detail);
    h.detail = static_cast<std::uint32_t>(m_details.size());
  }
  m_batch.push_back(h);
  if (m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update) {
    std::string k;
    for (const auto& f : m_opts.sink.key) k += to_json(*r.find(f)) + "\x1f";
    m_batch_duplicate_keys = m_batch_duplicate_keys || !m_batch_keys.insert(k).second;
  }
  if (m_batch.size() >= m_opts.sink.batch_size || m_text.size() >= m_batch_text_limit)
    flush(m_handed);
  return {WriteOutcome::Pending, ""};
}

// A field without a column (m_grows): the batch so far is flushed (its COPY names the old
// columns), then the column is added to the table and to the staging table.
void PgSink::add_missing_columns(const Record& r) {
  for (const auto& m : r.fields()) {
    if (std::find(m_columns.begin(), m_columns.end(), m.key) != m_columns.end()) continue;
    flush(m_handed - 1);
    m_batch_fields.clear();
    std::string column = pg_quote_name(m.key);
    ColumnType type = column_type_of(m.value);
    m_conn.exec(fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}", m_table, column,
                            pg_type(type)));
    if (m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update)
      m_conn.exec(fmt::format("ALTER TABLE etl_stage ADD COLUMN IF NOT EXISTS {} {}", column,
                              pg_type(type)));
    m_columns.push_back(m.key);
    m_typing.add(m.key, stored_as(type), type == ColumnType::Unknown);
  }
}

// Columns this run created while they held only nulls take the type of their first value: the
// batch so far is flushed, and the column (all NULL, so nothing converts) changes its type.
void PgSink::retype_columns(const Record& r) {
  for (const auto& m : r.fields()) {
    if (m.value.is_null() || !m_typing.provisional(m.key)) continue;
    flush(m_handed - 1);
    m_batch_fields.clear();
    ColumnType type = column_type_of(m.value);
    std::string column = pg_quote_name(m.key);
    for (const std::string& table : {m_table, std::string("etl_stage")}) {
      if (table == "etl_stage" && m_opts.sink.mode != WriteMode::Upsert &&
          m_opts.sink.mode != WriteMode::Update)
        continue;
      m_conn.exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL", table, column,
                              pg_type(type)));
    }
    m_typing.settle(m.key, stored_as(type));
  }
}

// A batch streams into COPY as its records arrive, so the server parses while we read on.
Sourced PgSink::held_record(std::size_t i) {
  const Held& h = m_batch[i];
  Sourced s;
  s.where = Location{m_sources[h.source], h.line, h.detail ? m_details[h.detail - 1] : ""};
  std::string held;
  m_text.read(h.line_at, line_end(i), held);
  std::string_view line(held);
  line = line.substr(0, line.find('\n'));
  std::string text;
  std::size_t kinds_at = i * m_batch_fields.size();
  for (std::size_t f = 0; f < m_batch_fields.size(); ++f) {
    std::size_t tab = line.find('\t');
    std::string_view field = line.substr(0, tab);
    line = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
    Value v;
    char kind = m_kinds[kinds_at + f];
    if (kind != 'n') unescape_text_field(field, text);  // (its own COPY text: no error)
    if (kind == 's') v = Value::string(text);
    if (kind == 'd') v = Value::number(text);
    if (kind == 'b') v = Value::boolean(text == "true");
    if (kind == 'j' && parse_json(text, v)) v = Value::string(text);
    if (kind == 'x') v = bytes_value(from_bytea_hex(text).value_or(text));
    s.record.fields().push_back({m_batch_fields[f], std::move(v)});
  }
  return s;
}

// Tells the pipeline how record i of the batch ended; only a reject (or --audit) needs the record
// itself.
void PgSink::report(std::size_t i, const WriteResult& w) {
  if (w.outcome == WriteOutcome::Written) ++m_batch_written;
  if (!m_outcome) return;
  static const Sourced nothing;
  if (w.outcome == WriteOutcome::Rejected || m_opts.sink.outcome_records)
    m_outcome(held_record(i), w);
  else
    m_outcome(nothing, w);
}

// Each batch is its own transaction, except in replace mode, where the emptied table must never
// be committed half-loaded, and in a dry run, which must commit nothing: a batch is then a
// savepoint (savepoints slow COPY down).
void PgSink::start_batch() {
  bool staged = m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update;
  if (!m_in_tx) {
    m_conn.exec("BEGIN");
    m_in_tx = true;
  }
  if (one_transaction()) m_conn.exec("SAVEPOINT etl_batch");
  if (staged) m_conn.exec("TRUNCATE etl_stage");
  begin_copy();
}

void PgSink::begin_copy() {
  bool staged = m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update;
  std::string cols;
  for (const auto& f : m_batch_fields) cols += (cols.empty() ? "" : ", ") + pg_quote_name(f);
  if (staged) cols += (cols.empty() ? "" : ", ") + std::string("__etl_row");
  PGresult* start =
      PQexec(m_conn.handle(),
             fmt::format("COPY {} ({}) FROM STDIN", staged ? "etl_stage" : m_table, cols).c_str());
  bool ok = PQresultStatus(start) == PGRES_COPY_IN;
  std::string why = pg_reason(start);
  PQclear(start);
  if (!ok) throw IoError(fmt::format("{}: {}", m_conn.name(), why));
}

void PgSink::copy_record(const Record& r, std::size_t row) {
  const auto& fields = r.fields();
  std::string& copy = m_text.tail();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) copy.push_back('\t');
    append_copy_field(copy, fields[i].value);
    static constexpr char kKind[] = {'n', 'b', 'd', 's', 'j', 'j'};  // by Value::Kind
    m_kinds.push_back(is_bytes(fields[i].value) ? 'x'
                                                : kKind[static_cast<int>(fields[i].value.kind())]);
  }
  if (m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update)
    copy += fmt::format("{}{}", fields.empty() ? "" : "\t", row);
  copy.push_back('\n');
  if (copy.size() >= (1 << 16)) send_copy();
}

// Sends the text not sent yet, and keeps it in the file for held_record().
void PgSink::send_copy() {
  put_copy_data(m_text.tail());
  m_text.spill();
}

void PgSink::put_copy_data(std::string_view bytes) {
  if (!bytes.empty() &&
      PQputCopyData(m_conn.handle(), bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw IoError(fmt::format("{}: {}", m_conn.name(), m_conn.error()));
}

// Records [from, to) of the batch again, from the held text.
void PgSink::send_records(std::size_t from, std::size_t to) {
  std::string piece;
  for (std::size_t at = m_batch[from].line_at, end = line_end(to - 1); at < end;) {
    std::size_t next = std::min(end, at + (std::size_t{1} << 20));
    m_text.read(at, next, piece);
    put_copy_data(piece);
    at = next;
  }
}

std::size_t PgSink::line_end(std::size_t i) const {
  return i + 1 < m_batch.size() ? m_batch[i + 1].line_at : m_text.size();
}

// Ends the COPY: 0 when the server took every row, else the line its error names from 1
// (kNoLine when it names none).
std::size_t PgSink::end_copy() {
  send_copy();
  if (PQputCopyEnd(m_conn.handle(), nullptr) != 1)
    throw IoError(fmt::format("{}: {}", m_conn.name(), m_conn.error()));
  std::size_t failed = 0;
  while (PGresult* r = PQgetResult(m_conn.handle())) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && failed == 0) {
      std::size_t line = copy_error_line(r);
      failed = line == 0 ? kNoLine : line;
    }
    PQclear(r);
  }
  return failed;
}

std::string PgSink::update_sql(const Record& r) const {
  std::string update = sql_update(kPg, m_table, r, m_opts.sink.key);
  if (!update.empty()) return update;
  // nothing but the key: a statement that only finds the row
  return fmt::format("UPDATE {0} SET {1} = {1} WHERE {2}", m_table,
                     pg_quote_name(m_opts.sink.key[0]), sql_where_key(kPg, r, m_opts.sink.key));
}

// The staged batch into the table: upsert or update; update reports the records with no row.
void PgSink::merge_staged() {
  std::string cols, updates, keys, join;
  for (const auto& f : m_batch_fields) {
    cols += (cols.empty() ? "" : ", ") + pg_quote_name(f);
    if (!is_key_field(m_opts.sink.key, f))
      updates +=
          fmt::format("{}{} = {}.{}", updates.empty() ? "" : ", ", pg_quote_name(f),
                      m_opts.sink.mode == WriteMode::Upsert ? "EXCLUDED" : "s", pg_quote_name(f));
  }
  for (const auto& k : m_opts.sink.key) {
    keys += (keys.empty() ? "" : ", ") + pg_quote_name(k);
    join += fmt::format("{}t.{} = s.{}", join.empty() ? "" : " AND ", pg_quote_name(k),
                        pg_quote_name(k));
  }
  if (m_opts.sink.mode == WriteMode::Upsert) return merge_upsert();
  if (updates.empty())
    updates = pg_quote_name(m_opts.sink.key[0]) + " = t." + pg_quote_name(m_opts.sink.key[0]);
  auto r = m_conn.query(fmt::format("UPDATE {} AS t SET {} FROM etl_stage AS s WHERE {} "
                                    "RETURNING s.__etl_row",
                                    m_table, updates, join),
                        {});
  std::vector<bool> matched(m_batch.size(), false);
  for (int i = 0; i < PQntuples(r.get()); ++i)
    matched[static_cast<std::size_t>(std::stoul(PQgetvalue(r.get(), i, 0)))] = true;
  for (std::size_t n = 0; n < m_batch.size(); ++n)
    report(n, {matched[n] ? WriteOutcome::Written : WriteOutcome::Unmatched, ""});
}

// Upsert of the staged batch, telling inserted, updated and unchanged apart: every part of one
// statement sees the table as it was before it, so "existing" lists the rows already there, and
// the INSERT returns only the rows it inserted or changed (not the ones that were equal).
void PgSink::merge_upsert() {
  auto r = m_conn.query(
      pg_staged_upsert_sql(m_table, "etl_stage", m_batch_fields, m_opts.sink.key, {"__etl_row"}),
      {});
  std::vector<WriteResult> results(m_batch.size());
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto n = static_cast<std::size_t>(std::stoul(PQgetvalue(r.get(), i, 0)));
    bool existed = PQgetvalue(r.get(), i, 1)[0] == 't';
    bool written = PQgetvalue(r.get(), i, 2)[0] == 't';
    results.at(n) = upsert_result(existed, written);
  }
  for (std::size_t n = 0; n < results.size(); ++n) report(n, results[n]);  // in input order
}

WriteResult PgSink::upsert_result(bool existed, bool written) {
  if (existed && !written) {
    ++m_unchanged;
    return {WriteOutcome::Unchanged, "", RowChange::Updated};
  }
  ++(existed ? m_updated : m_inserted);
  return {WriteOutcome::Written, "", existed ? RowChange::Updated : RowChange::Inserted};
}

std::vector<std::pair<std::string, std::uint64_t>> PgSink::counts() const {
  if (m_opts.sink.mode != WriteMode::Upsert) return {};
  return {{"inserted", m_inserted}, {"updated", m_updated}, {"unchanged", m_unchanged}};
}

// Records [from, to) of a failed batch, each in its own savepoint, so only the bad ones fail.
void PgSink::write_one_by_one(std::size_t from, std::size_t to) {
  std::vector<std::string> texts;
  std::vector<const char*> params;
  for (std::size_t n = from; n < to; ++n) {
    Sourced in = held_record(n);
    const Record& r = in.record;
    std::string sql = m_opts.sink.mode == WriteMode::Update ? update_sql(r)
                      : m_opts.sink.mode == WriteMode::Upsert
                          ? pg_upsert_sql(m_table, r, m_opts.sink.key)
                          : sql_insert(kPg, m_table, r);
    texts.clear();
    params.clear();
    for (const auto& m : r.fields()) texts.push_back(pg_param_text(m.value));
    for (std::size_t i = 0; i < r.size(); ++i)
      params.push_back(r.fields()[i].value.is_null() ? nullptr : texts[i].c_str());
    m_conn.exec("SAVEPOINT etl_row");
    std::unique_ptr<PGresult, void (*)(PGresult*)> res(
        PQexecParams(m_conn.handle(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                     params.data(), nullptr, nullptr, 0),
        PQclear);
    WriteResult outcome;
    ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      outcome = {WriteOutcome::Rejected, pg_reason(res.get())};
      m_conn.exec("ROLLBACK TO SAVEPOINT etl_row");
    } else {
      if (m_opts.sink.mode == WriteMode::Update && std::string(PQcmdTuples(res.get())) == "0")
        outcome.outcome = WriteOutcome::Unmatched;
      if (m_opts.sink.mode == WriteMode::Upsert)
        outcome = upsert_result(PQgetvalue(res.get(), 0, 0)[0] == 't',
                                PQgetvalue(res.get(), 0, 1)[0] == 't');
      m_conn.exec("RELEASE SAVEPOINT etl_row");
    }
    if (outcome.outcome == WriteOutcome::Written) ++m_batch_written;
    if (m_outcome) m_outcome(in, outcome);
  }
}

void PgSink::flush(std::uint64_t settled) {
  if (m_batch.empty()) return;
  std::size_t failed_line = end_copy();
  bool staged = m_opts.sink.mode == WriteMode::Upsert || m_opts.sink.mode == WriteMode::Update;
  // Two records with one key in a staged batch would make the merge ambiguous: one by one.
  bool ok = failed_line == 0 && !m_batch_duplicate_keys;
  if (ok) {
    if (staged) {
      try {
        merge_staged();
      } catch (const IoError&) {
        ok = false;  // a constraint of the table: find the record by record
      }
    } else {
      for (std::size_t n = 0; n < m_batch.size(); ++n) report(n, {WriteOutcome::Written, ""});
    }
  }
  bool replace = one_transaction();
  if (ok) {
    if (!replace) store_checkpoint(settled);
    m_conn.exec(replace ? "RELEASE SAVEPOINT etl_batch" : "COMMIT");
    if (!replace) count_committed();
  } else if (replace) {
    m_conn.exec("ROLLBACK TO SAVEPOINT etl_batch");
  } else {
    m_conn.exec("ROLLBACK");
    m_conn.exec("BEGIN");
  }
  if (!ok && staged) write_one_by_one(0, m_batch.size());
  if (!ok && !staged) copy_again(0, m_batch.size(), failed_line);
  if (!ok && !replace) {
    store_checkpoint(settled);
    m_conn.exec("COMMIT");
    count_committed();
  }
  if (!replace) m_in_tx = false;
  m_batch.clear();
  m_text.clear();
  m_kinds.clear();
  m_sources.clear();
  m_details.clear();
  m_batch_keys.clear();
  m_batch_duplicate_keys = false;
}

// Records [from, to) of a batch whose COPY failed at line `failed_line` of their text (from 1;
// kNoLine: at none named). The records before that line go again in one COPY, it alone as its
// own statement, the records after it in two halves, each COPY under a savepoint: a bad record
// costs a few COPYs of its neighbours, not a statement for every record of a large batch. Every
// record still ends written by a COPY that succeeded or with its own statement's outcome.
void PgSink::copy_again(std::size_t from, std::size_t to, std::size_t failed_line) {
  constexpr std::size_t kOneByOne = 16;  // fewer records: a statement each costs less
  if (to - from <= kOneByOne) return write_one_by_one(from, to);
  if (failed_line != kNoLine && failed_line <= to - from) {
    std::size_t bad = from + failed_line - 1;
    copy_range(from, bad);
    write_one_by_one(bad, bad + 1);
    from = bad + 1;
  }
  std::size_t mid = from + (to - from) / 2;
  copy_range(from, mid);
  copy_range(mid, to);
}

// Records [from, to) in one COPY under a savepoint; where it fails, copy_again.
void PgSink::copy_range(std::size_t from, std::size_t to) {
  if (from == to) return;
  m_conn.exec("SAVEPOINT etl_part");
  begin_copy();
  send_records(from, to);
  std::size_t failed_line = end_copy();
  if (failed_line == 0) {
    m_conn.exec("RELEASE SAVEPOINT etl_part");
    for (std::size_t n = from; n < to; ++n) report(n, {WriteOutcome::Written, ""});
    return;
  }
  m_conn.exec("ROLLBACK TO SAVEPOINT etl_part");
  m_conn.exec("RELEASE SAVEPOINT etl_part");
  copy_again(from, to, failed_line);
}

void PgSink::discard() {
  flush(m_handed);  // the outcomes; the destructor rolls the one transaction back
}

void PgSink::commit() {
  flush(m_handed);
  if (m_checkpoint) {
    if (!m_in_tx) m_conn.exec("BEGIN");
    m_in_tx = true;
    store_checkpoint(m_handed);
  }
  if (m_in_tx) m_conn.exec("COMMIT");
  m_in_tx = false;
  count_committed();
}

void PgSink::count_committed() {
  m_committed += m_batch_written;
  m_batch_written = 0;
}

void PgSink::use_checkpoint(Checkpoint& checkpoint) {
  if (one_transaction())
    throw UsageError(
        "--checkpoint: --mode replace loads in one transaction, there is nothing "
        "to resume");
  m_checkpoint = &checkpoint;
  checkpoint.found(pg_read_checkpoint(m_conn, checkpoint.name()));
}

// In the batch's transaction, so the row and the batch commit together.
void PgSink::store_checkpoint(std::uint64_t settled) {
  if (m_checkpoint) pg_store_checkpoint(m_conn, m_checkpoint->name(), m_checkpoint->row(settled));
}

namespace {

// A load killed just after sending its COMMIT leaves a backend that is still committing; a
// rerun reading the checkpoint before that commit lands would resume too early and load a batch
// twice. Two loads of one checkpoint at once would do the same. So the load holds an advisory
// lock on the checkpoint's name for its session: a dead client's backend lets go as soon as it
// ends, a live load does not, and waiting for it longer than a while is an error.
void hold_checkpoint_lock(PgConnection& conn, const std::string& name) {
  conn.exec("BEGIN");
  conn.exec("SET LOCAL lock_timeout = '30s'");
  try {
    conn.query("SELECT pg_advisory_lock(hashtext('etl_checkpoint'), hashtext($1))", {name.c_str()});
  } catch (const IoError&) {
    conn.exec("ROLLBACK");
    throw IoError(fmt::format(
        "--checkpoint {}: another load of this checkpoint is still running on this database "
        "(waited 30 s for it)",
        name));
  }
  conn.exec("COMMIT");
}

}  // namespace

std::optional<CheckpointRow> pg_read_checkpoint(PgConnection& conn, const std::string& name) {
  hold_checkpoint_lock(conn, name);
  conn.exec(
      "CREATE TABLE IF NOT EXISTS etl_checkpoint (name text PRIMARY KEY, records bigint NOT "
      "NULL, first_record text, last_record text, complete boolean NOT NULL, updated_at "
      "timestamptz NOT NULL DEFAULT now(), digest text)");
  // A table made by an older version has no digest column yet.
  conn.exec("ALTER TABLE etl_checkpoint ADD COLUMN IF NOT EXISTS digest text");
  auto r = conn.query(
      "SELECT records, first_record, last_record, complete, coalesce(digest, '') FROM "
      "etl_checkpoint WHERE name = $1",
      {name.c_str()});
  if (PQntuples(r.get()) != 1) return std::nullopt;
  return CheckpointRow{std::stoull(PQgetvalue(r.get(), 0, 0)), PQgetvalue(r.get(), 0, 1),
                       PQgetvalue(r.get(), 0, 2), PQgetvalue(r.get(), 0, 3)[0] == 't',
                       PQgetvalue(r.get(), 0, 4)};
}

void pg_store_checkpoint(PgConnection& conn, const std::string& name, const CheckpointRow& row) {
  std::string records = std::to_string(row.records);
  conn.query(
      "INSERT INTO etl_checkpoint (name, records, first_record, last_record, complete, digest) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO UPDATE SET records = "
      "EXCLUDED.records, first_record = EXCLUDED.first_record, last_record = "
      "EXCLUDED.last_record, complete = EXCLUDED.complete, digest = EXCLUDED.digest, "
      "updated_at = now()",
      {name.c_str(), records.c_str(), row.first.c_str(), row.last.c_str(),
       row.complete ? "true" : "false", row.digest.c_str()});
}

}  // namespace etl
