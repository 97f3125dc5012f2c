// etl-load into MariaDB/MySQL: a prepared statement per record, batch transactions, the
// checkpoint in the batch's transaction.
#include <fmt/format.h>
#include <mysql.h>

#include <algorithm>
#include <cstring>
#include <deque>

#include "etl/binary.hpp"
#include "etl/checkpoint.hpp"
#include "etl/db/mariadb.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

constexpr unsigned kNoSuchTable = 1146;

bool is_integer_text(const std::string& t) {
  std::size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
  return i < t.size() && i + 18 >= t.size() &&
         t.find_first_not_of("0123456789", i) == std::string::npos;
}

// Errors that belong to the record (its values or its key), not to the run: SQLSTATE class 22
// (data) and 23 (integrity), and the server's value errors that answer HY000.
bool record_error(unsigned code, const char* sqlstate) {
  if (std::strncmp(sqlstate, "22", 2) == 0 || std::strncmp(sqlstate, "23", 2) == 0) return true;
  static const unsigned kCodes[] = {1048, 1062, 1264, 1265, 1292, 1364, 1366, 1367,
                                    1406, 1451, 1452, 1690, 3140, 4025, 4078};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

// The column type etl-load gives a logical type in a table it creates. MariaDB has no decimal
// without a fixed scale, so a number column is JSON: each value keeps its exact text, compares
// as a number in SQL (total > 100), and reads back as the number it was.
std::string column_type(ColumnType t, bool key) {
  switch (t) {
    case ColumnType::Integer:
      return "BIGINT";
    case ColumnType::Boolean:
      return "BOOLEAN";
    case ColumnType::Number:
    case ColumnType::Json:
    case ColumnType::Unknown:  // typed by its first value later, where the run can
      return key ? "VARCHAR(255)" : "JSON";
    case ColumnType::Bytes:
      return key ? "VARBINARY(255)" : "LONGBLOB";
    case ColumnType::Date:
      return "DATE";
    case ColumnType::Timestamp:
      return "DATETIME(6)";
    case ColumnType::TimestampTz:
      return "TIMESTAMP(6) NULL";
    default:
      return key ? "VARCHAR(255)" : "LONGTEXT";
  }
}

}  // namespace

struct MariaDbSink::Statement {
  MYSQL_STMT* stmt = nullptr;
  std::vector<std::size_t> order;  // the record's field behind each parameter
  std::vector<std::string> columns;
};

// The parameters of one statement for one or many records, column by column: a value's text
// (pointer and length, kept alive in text), or NULL.
struct MariaDbSink::Params {
  explicit Params(std::size_t n) : ptrs(n), lens(n), nulls(n), blob(n, false) {}
  std::vector<std::vector<const char*>> ptrs;
  std::vector<std::vector<unsigned long>> lens;
  std::vector<std::vector<char>> nulls;  // STMT_INDICATOR_NULL or _NONE; my_bool for one row
  std::vector<bool> blob;
  std::deque<std::string> text;
  std::vector<MYSQL_BIND> binds(bool array) {
    std::vector<MYSQL_BIND> b(ptrs.size());
    for (std::size_t p = 0; p < b.size(); ++p) {
      b[p].buffer_type = blob[p] ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
      if (array) {
        b[p].buffer = ptrs[p].data();
        b[p].length = lens[p].data();
        b[p].u.indicator = nulls[p].data();
      } else {
        b[p].buffer = const_cast<char*>(ptrs[p][0]);
        b[p].buffer_length = lens[p][0];
        b[p].is_null = reinterpret_cast<my_bool*>(nulls[p].data());
      }
    }
    return b;
  }
};

MariaDbSink::MariaDbSink(const std::string& url, const ConnectorOptions& o)
    : m_conn(url, o.password_file, o.sink.mode == WriteMode::Update), m_opts(o) {
  if (m_opts.sink.batch_size == 0) m_opts.sink.batch_size = 1000;
  if (o.table.empty()) throw UsageError("a mariadb destination needs --table or …/db#TABLE");
  check_key_for_mode(o);
  m_table = mariadb_quote_name(o.table);
}

MariaDbSink::~MariaDbSink() {
  finalize_statements();
  if (m_in_tx) mysql_rollback(m_conn.handle());
}

void MariaDbSink::finalize_statements() {
  for (auto* statements : {&m_statements, &m_bulk_statements}) {
    for (auto& [signature, st] : *statements) mysql_stmt_close(st->stmt);
    statements->clear();
  }
}

void MariaDbSink::begin() {
  if (m_in_tx) return;
  m_conn.exec("START TRANSACTION");
  m_in_tx = true;
}

// The table's columns and how each takes values, from an empty result of it.
void MariaDbSink::read_columns() {
  m_columns.clear();
  m_column_info.clear();
  std::string sql = "SELECT * FROM " + m_table + " LIMIT 0";
  if (mysql_real_query(m_conn.handle(), sql.data(), sql.size()) != 0) {
    if (m_conn.error_number() == kNoSuchTable) return;
    throw IoError(fmt::format("{}: {}", m_conn.name(), m_conn.error()));
  }
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> r(mysql_store_result(m_conn.handle()),
                                                     mysql_free_result);
  MYSQL_FIELD* f = mysql_fetch_fields(r.get());
  for (unsigned i = 0; i < mysql_num_fields(r.get()); ++i) {
    std::string name(f[i].name, f[i].name_length);
    m_columns.push_back(name);
    m_column_info[name] = mariadb_column(f[i]);
    if (!m_typing.provisional(name)) m_typing.add(name, stored_as(m_column_info[name].kind));
  }
}

// MariaDB commits DDL at once, so the table is made before the first batch's transaction; a run
// that must leave nothing behind (--dry-run) needs the table to exist.
void MariaDbSink::ensure_table(const Record& first) {
  m_table_ready = true;
  read_columns();
  m_grows = m_opts.sink.add_columns;
  if (m_columns.empty()) {
    if (m_opts.sink.dry_run)
      throw UsageError(fmt::format(
          "{}: --dry-run needs table '{}' to exist (MariaDB commits a CREATE TABLE at once)",
          m_conn.name(), m_opts.table));
    m_grows = m_opts.sink.add_columns || m_opts.sink.schema_file.empty();
    std::vector<ColumnSpec> cols = columns_for_new_table(m_opts.sink.schema_file, first);
    std::string sql = "CREATE TABLE " + m_table + " (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      bool key = std::find(m_opts.sink.key.begin(), m_opts.sink.key.end(), cols[i].name) !=
                 m_opts.sink.key.end();
      // A key can't be JSON: one whose first value is an integer is BIGINT (a later 2.5 is
      // refused, not rounded), any other number key is text, with a note.
      const Value* v = first.find(cols[i].name);
      if (key && cols[i].type == ColumnType::Number && v && is_integer_text(v->text()))
        cols[i].type = ColumnType::Integer;
      sql += fmt::format("{}{} {}", i ? ", " : "", mariadb_quote_name(cols[i].name),
                         column_type(cols[i].type, key));
      // A column whose first value is null is typed by its first value later, in batch modes; a
      // run that must be one transaction cannot change the table, so it stays JSON (which keeps
      // any value exactly).
      if (cols[i].type == ColumnType::Unknown && !key && !single_transaction())
        m_typing.add(cols[i].name, StoredAs::Json, true);
    }
    for (const auto& k : m_opts.sink.key)
      if (std::none_of(cols.begin(), cols.end(), [&](auto& c) { return c.name == k; }))
        throw UsageError(fmt::format("--key column '{}' is not one of the table's columns", k));
    if (!m_opts.sink.key.empty()) {
      sql += ", PRIMARY KEY (";
      for (std::size_t i = 0; i < m_opts.sink.key.size(); ++i)
        sql += (i ? ", " : "") + mariadb_quote_name(m_opts.sink.key[i]);
      sql += ")";
    }
    m_conn.exec(sql + ") DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin");
    read_columns();
  }
  begin();
  if (m_opts.sink.mode == WriteMode::Replace) m_conn.exec("DELETE FROM " + m_table);
}

std::string MariaDbSink::sql_for(const Record& r) const {
  auto is_key = [&](const std::string& f) {
    return std::find(m_opts.sink.key.begin(), m_opts.sink.key.end(), f) != m_opts.sink.key.end();
  };
  std::string cols, params, sets;
  for (const auto& m : r.fields()) {
    cols += (cols.empty() ? "" : ", ") + mariadb_quote_name(m.key);
    params += params.empty() ? "?" : ", ?";
    if (!is_key(m.key))
      sets += fmt::format("{}{} = {}", sets.empty() ? "" : ", ", mariadb_quote_name(m.key),
                          m_opts.sink.mode == WriteMode::Update
                              ? "?"
                              : "VALUES(" + mariadb_quote_name(m.key) + ")");
  }
  std::string first_key = mariadb_quote_name(m_opts.sink.key.empty() ? "" : m_opts.sink.key[0]);
  if (sets.empty() && !m_opts.sink.key.empty()) sets = first_key + " = " + first_key;
  if (m_opts.sink.mode == WriteMode::Update) {
    std::string where;
    for (const auto& k : m_opts.sink.key)
      where += fmt::format("{}{} = ?", where.empty() ? "" : " AND ", mariadb_quote_name(k));
    return fmt::format("UPDATE {} SET {} WHERE {}", m_table, sets, where);
  }
  std::string insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", m_table, cols, params);
  if (m_opts.sink.mode == WriteMode::Upsert) insert += " ON DUPLICATE KEY UPDATE " + sets;
  return insert;
}

MariaDbSink::Statement& MariaDbSink::statement_for(const Record& r) {
  std::string signature;
  for (const auto& m : r.fields()) signature += m.key + '\0';
  auto it = m_statements.find(signature);
  if (it == m_statements.end()) it = m_statements.emplace(signature, prepare(r)).first;
  return *it->second;
}

std::unique_ptr<MariaDbSink::Statement> MariaDbSink::prepare(const Record& r) {
  auto st = std::make_unique<Statement>();
  std::string sql = sql_for(r);
  st->stmt = mysql_stmt_init(m_conn.handle());
  if (st->stmt == nullptr || mysql_stmt_prepare(st->stmt, sql.data(), sql.size()) != 0) {
    std::string msg = st->stmt ? mysql_stmt_error(st->stmt) : "out of memory";
    if (st->stmt) mysql_stmt_close(st->stmt);
    throw IoError(fmt::format("{}: {}", m_conn.name(), msg));
  }
  const auto& f = r.fields();
  auto is_key = [&](const std::string& k) {
    return std::find(m_opts.sink.key.begin(), m_opts.sink.key.end(), k) != m_opts.sink.key.end();
  };
  for (std::size_t i = 0; i < f.size(); ++i)  // update: SET's fields, then the key's
    if (m_opts.sink.mode != WriteMode::Update || !is_key(f[i].key)) st->order.push_back(i);
  if (m_opts.sink.mode == WriteMode::Update)
    for (const auto& k : m_opts.sink.key)
      for (std::size_t i = 0; i < f.size(); ++i)
        if (f[i].key == k) st->order.push_back(i);
  for (std::size_t i : st->order) st->columns.push_back(f[i].key);
  return st;
}

void MariaDbSink::bind_values(Params& params, const Statement& st, const Record& r) {
  for (std::size_t p = 0; p < st.order.size(); ++p) {
    const Value& v = r.fields()[st.order[p]].value;
    const MariaDbColumn& col = m_column_info[st.columns[p]];
    const std::string* t = nullptr;
    if (v.is_null()) {
      params.ptrs[p].push_back("");
      params.lens[p].push_back(0);
      params.nulls[p].push_back(STMT_INDICATOR_NULL);
      continue;
    }
    if (auto bytes = bytes_of(v)) {
      params.blob[p] = true;
      t = &params.text.emplace_back(*bytes);
    } else if (col.kind == MariaDbKind::Json) {
      t = &params.text.emplace_back(to_json(v));
    } else if (v.kind() == Value::Kind::Bool) {
      t = &params.text.emplace_back(col.kind == MariaDbKind::Text ? (v.as_bool() ? "true" : "false")
                                                                  : (v.as_bool() ? "1" : "0"));
    } else if (col.kind == MariaDbKind::Timestamp && v.kind() == Value::Kind::String) {
      t = &params.text.emplace_back(mariadb_utc_time(v.text()));
    } else if (v.kind() == Value::Kind::Number || v.kind() == Value::Kind::String) {
      t = &v.text();
    } else {
      t = &params.text.emplace_back(to_json(v));
    }
    params.ptrs[p].push_back(t->data());
    params.lens[p].push_back(t->size());
    params.nulls[p].push_back(STMT_INDICATOR_NONE);
  }
}

long long MariaDbSink::execute(Statement& st, const Record& r) {
  Params params(st.order.size());
  bind_values(params, st, r);
  std::vector<MYSQL_BIND> binds = params.binds(false);
  if (mysql_stmt_bind_param(st.stmt, binds.data()) != 0 || mysql_stmt_execute(st.stmt) != 0) {
    m_error = mysql_stmt_error(st.stmt);
    if (record_error(mysql_stmt_errno(st.stmt), mysql_stmt_sqlstate(st.stmt))) return -1;
    throw IoError(fmt::format("{}: {}", m_conn.name(), m_error));
  }
  return static_cast<long long>(mysql_stmt_affected_rows(st.stmt));
}

// A field without a column adds one (--add-columns, or a table this run made); a column made
// while only nulls were seen takes its first value's type. MariaDB commits DDL at once, so the
// batch so far is committed first, with its checkpoint.
WriteResult MariaDbSink::add_missing_columns(const Record& r) {
  std::vector<std::string> ddl;
  for (const auto& m : r.fields()) {
    if (m_column_info.count(m.key)) {
      if (m_typing.provisional(m.key) && !m.value.is_null()) {
        ColumnType t = column_type_of(m.value);
        ddl.push_back(fmt::format("ALTER TABLE {} MODIFY {} {}", m_table, mariadb_quote_name(m.key),
                                  column_type(t, false)));
        m_typing.settle(m.key, stored_as(t));
      }
      continue;
    }
    if (!m_grows)
      return {WriteOutcome::Rejected,
              fmt::format("field '{}' has no column in table '{}' (--add-columns adds it)", m.key,
                          m_opts.table)};
    ColumnType t = column_type_of(m.value);
    ddl.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", m_table, mariadb_quote_name(m.key),
                              column_type(t, false)));
    if (t == ColumnType::Unknown) m_typing.add(m.key, StoredAs::Json, true);
  }
  if (ddl.empty()) return {};
  if (single_transaction())
    throw UsageError(fmt::format(
        "{}: record needs a change to table '{}' ({}), which MariaDB would commit in the middle "
        "of a run that must be one transaction: create the table with all its columns first",
        m_conn.name(), m_opts.table, ddl.front()));
  commit();
  for (const auto& sql : ddl) m_conn.exec(sql);
  finalize_statements();
  read_columns();
  begin();
  return {};
}

std::vector<std::pair<std::string, std::uint64_t>> MariaDbSink::counts() const {
  if (m_opts.sink.mode != WriteMode::Upsert) return {};
  return {{"inserted", m_inserted}, {"updated", m_updated}, {"unchanged", m_unchanged}};
}

WriteResult MariaDbSink::write(const Sourced& in) {
  const Record& r = in.record;
  ++m_handed;
  if (std::string why = unstorable_names(r, {true, 0}); !why.empty())
    return {WriteOutcome::Rejected, why};
  if (!m_table_ready) ensure_table(r);
  for (const auto& k : m_opts.sink.key) {
    const Value* v = r.find(k);
    if (v == nullptr || v->is_null())
      return {WriteOutcome::Rejected, fmt::format("missing key field '{}'", k)};
  }
  if (!m_pending.empty() && !m_column_info.empty()) {
    // A change to the table commits: the array goes first.
    for (const auto& m : r.fields())
      if (!m_column_info.count(m.key) || m_typing.provisional(m.key)) {
        flush_bulk();
        break;
      }
  }
  if (WriteResult w = add_missing_columns(r); w.outcome == WriteOutcome::Rejected) return w;
  for (const auto& m : r.fields())
    if (std::string why = mariadb_unfit(m_column_info[m.key], m.value); !why.empty())
      return {WriteOutcome::Rejected, fmt::format("field '{}': {}", m.key, why)};
  begin();
  m_typing.count(r, m_typing.kinds_of(r));
  if (!bulk()) {
    WriteResult w = write_one(in);
    end_batch_if_full();
    return w;
  }
  std::string signature;
  for (const auto& m : r.fields()) signature += m.key + '\0';
  if (!m_pending.empty() && signature != m_pending_signature) flush_bulk();
  m_pending_signature = signature;
  m_pending.push_back(in);
  if (m_pending.size() >= std::min<std::size_t>(m_opts.sink.batch_size, 1000)) flush_bulk();
  return {WriteOutcome::Pending, ""};
}

bool MariaDbSink::bulk() const {
  return m_outcome &&
         (m_opts.sink.mode == WriteMode::Insert || m_opts.sink.mode == WriteMode::Replace);
}

// One record's statement; its outcome.
WriteResult MariaDbSink::write_one(const Sourced& in, bool alone) {
  const Record& r = in.record;
  Statement& st = statement_for(r);
  if (alone) m_conn.exec("SAVEPOINT etl_row");
  long long affected = execute(st, r);
  if (affected < 0) return {WriteOutcome::Rejected, m_error};
  // What strict mode still lets through with only a note (trailing spaces cut off …): the
  // record, or else the batch, is given up rather than committed with a value changed.
  if (mysql_warning_count(m_conn.handle()) > 0) {
    auto warnings = m_conn.rows("SHOW WARNINGS");
    std::string what = warnings.empty() || !warnings[0][2] ? "a warning" : *warnings[0][2];
    if (alone) {
      m_conn.exec("ROLLBACK TO SAVEPOINT etl_row");
      return {WriteOutcome::Rejected, fmt::format("the server would change a value: {}", what)};
    }
    throw DataError(
        fmt::format("{}: {}: the server changed a value ({}); the batch was rolled back",
                    m_conn.name(), in.where.to_string(), what));
  }
  WriteResult result;
  if (m_opts.sink.mode ==
      WriteMode::Upsert) {  // ON DUPLICATE KEY UPDATE: 1 inserted, 2 updated, 0 unchanged
    result.change = affected == 1 ? RowChange::Inserted : RowChange::Updated;
    if (affected == 0) result.outcome = WriteOutcome::Unchanged;
    ++(affected == 0 ? m_unchanged : affected == 1 ? m_inserted : m_updated);
  }
  if (m_opts.sink.mode == WriteMode::Update && affected == 0)
    result.outcome = WriteOutcome::Unmatched;
  if (result.outcome == WriteOutcome::Written) ++m_batch_written;
  ++m_in_batch;
  return result;
}

// Replace mode, --dry-run and --all-or-nothing are one transaction; else every batch_size
// records commit.
void MariaDbSink::end_batch_if_full() {
  if (m_in_batch >= m_opts.sink.batch_size && !single_transaction()) commit();
}

void MariaDbSink::flush_bulk() {
  if (m_pending.empty()) return;
  std::vector<Sourced> rows = std::move(m_pending);
  m_pending.clear();
  auto it = m_bulk_statements.find(m_pending_signature);  // their own handles: in array mode
  if (it == m_bulk_statements.end())
    it = m_bulk_statements.emplace(m_pending_signature, prepare(rows[0].record)).first;
  Statement& st = *it->second;
  Params params(st.order.size());
  for (const auto& row : rows) bind_values(params, st, row.record);
  std::vector<MYSQL_BIND> binds = params.binds(true);
  unsigned int n = static_cast<unsigned int>(rows.size());
  m_conn.exec("SAVEPOINT etl_array");
  bool ok = mysql_stmt_attr_set(st.stmt, STMT_ATTR_ARRAY_SIZE, &n) == 0 &&
            mysql_stmt_bind_param(st.stmt, binds.data()) == 0 && mysql_stmt_execute(st.stmt) == 0 &&
            mysql_warning_count(m_conn.handle()) == 0;
  if (!ok && mysql_stmt_errno(st.stmt) != 0 &&
      !record_error(mysql_stmt_errno(st.stmt), mysql_stmt_sqlstate(st.stmt)))
    throw IoError(fmt::format("{}: {}", m_conn.name(), mysql_stmt_error(st.stmt)));
  if (ok) {
    m_batch_written += n;
    m_in_batch += n;
    for (const auto& row : rows) m_outcome(row, {WriteOutcome::Written, ""});
  } else {
    m_conn.exec("ROLLBACK TO SAVEPOINT etl_array");
    for (const auto& row : rows) m_outcome(row, write_one(row, true));
  }
  end_batch_if_full();
}

void MariaDbSink::commit() {
  flush_bulk();
  if (m_opts.sink.dry_run) return;  // the destructor rolls back
  if (m_checkpoint) {
    begin();
    store_checkpoint();
  }
  if (m_in_tx && mysql_commit(m_conn.handle()) != 0)
    throw IoError(fmt::format("{}: COMMIT: {}", m_conn.name(), m_conn.error()));
  m_in_tx = false;
  m_in_batch = 0;
  m_committed += std::exchange(m_batch_written, 0);
}

void MariaDbSink::use_checkpoint(Checkpoint& checkpoint) {
  if (m_opts.sink.mode == WriteMode::Replace)
    throw UsageError(
        "--checkpoint: --mode replace loads in one transaction, there is nothing to resume");
  m_checkpoint = &checkpoint;
  checkpoint.found(mariadb_read_checkpoint(m_conn, checkpoint.name()));
}

void MariaDbSink::store_checkpoint() {
  mariadb_store_checkpoint(m_conn, m_checkpoint->name(), m_checkpoint->row(m_handed));
}

std::optional<CheckpointRow> mariadb_read_checkpoint(MariaDbConnection& conn,
                                                     const std::string& name) {
  std::string lock = mariadb_literal(conn, "etl_checkpoint " + name);
  auto got = conn.rows("SELECT GET_LOCK(" + lock + ", 30)");
  if (got.empty() || !got[0][0] || *got[0][0] != "1")
    throw IoError(fmt::format("--checkpoint {}: another load holds it (waited 30 s)", name));
  conn.exec(
      "CREATE TABLE IF NOT EXISTS etl_checkpoint (name VARCHAR(255) PRIMARY KEY, records BIGINT "
      "NOT NULL, first_record LONGTEXT, last_record LONGTEXT, complete BOOLEAN NOT NULL, "
      "updated_at VARCHAR(32) NOT NULL, digest VARCHAR(64)) DEFAULT CHARSET = utf8mb4 COLLATE = "
      "utf8mb4_bin");
  auto rows = conn.rows(
      "SELECT records, first_record, last_record, complete, digest FROM etl_checkpoint WHERE "
      "name = " +
      mariadb_literal(conn, name));
  if (rows.empty()) return std::nullopt;
  auto text = [&](int i) { return rows[0][i].value_or(""); };
  return CheckpointRow{std::stoull(text(0)), text(1), text(2), text(3) == "1", text(4)};
}

void mariadb_store_checkpoint(MariaDbConnection& conn, const std::string& name,
                              const CheckpointRow& row) {
  conn.exec(fmt::format(
      "INSERT INTO etl_checkpoint (name, records, first_record, last_record, complete, "
      "updated_at, digest) VALUES ({}, {}, {}, {}, {}, DATE_FORMAT(UTC_TIMESTAMP(6), "
      "'%Y-%m-%dT%H:%i:%s.%fZ'), {}) ON DUPLICATE KEY UPDATE records = VALUES(records), "
      "first_record = VALUES(first_record), last_record = VALUES(last_record), complete = "
      "VALUES(complete), updated_at = VALUES(updated_at), digest = VALUES(digest)",
      mariadb_literal(conn, name), row.records, mariadb_literal(conn, row.first),
      mariadb_literal(conn, row.last), row.complete ? 1 : 0, mariadb_literal(conn, row.digest)));
}

}  // namespace etl
