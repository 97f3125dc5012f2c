#include "etl/db/sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <utility>

#include "etl/binary.hpp"
#include "etl/checkpoint.hpp"
#include "etl/db/sql_number.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/utf8.hpp"
#include "etl/watermark.hpp"
#include "result_columns.hpp"
#include "sql_text.hpp"

namespace etl {
namespace {

// The exact storage of a number's text: INTEGER, REAL or (when neither is exact) TEXT.
enum class NumberStorage { Integer, Real, Text };
NumberStorage storage_of(const std::string& t, std::int64_t& i, double& d) {
  auto ri = std::from_chars(t.data(), t.data() + t.size(), i);
  if (ri.ec == std::errc() && ri.ptr == t.data() + t.size() && std::to_string(i) == t)
    return NumberStorage::Integer;
  auto rd = std::from_chars(t.data(), t.data() + t.size(), d);
  if (rd.ec == std::errc() && rd.ptr == t.data() + t.size() && shortest_text(d) == t)
    return NumberStorage::Real;
  return NumberStorage::Text;
}

StoredAs stored_as(ColumnKind k) {
  switch (k) {
    case ColumnKind::Boolean:
      return StoredAs::Boolean;
    case ColumnKind::Json:
      return StoredAs::Json;
    case ColumnKind::Numeric:
      return StoredAs::Number;  // no declared type: text that is a JSON number reads back one
    default:
      return StoredAs::Text;
  }
}

}  // namespace

// The declared type that keeps each kind of value exact (see sqlite.hpp): numbers get none.
std::string declared_type(ColumnType type) {
  switch (type) {
    case ColumnType::Text:
      return " TEXT";
    case ColumnType::Integer:
      return " INTEGER";
    case ColumnType::Boolean:
      return " BOOLEAN";
    case ColumnType::Json:
      return " JSON";
    case ColumnType::Bytes:
      return " BLOB";
    case ColumnType::Date:  // SQLite keeps times as the ISO text they are
      return " DATE";
    case ColumnType::Timestamp:
      return " DATETIME";
    case ColumnType::TimestampTz:
      return " TIMESTAMPTZ";
    default:
      return "";
  }
}

std::string quote_identifier(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

SqliteDb::SqliteDb(const std::string& path, SqliteOpen mode) : m_path(path) {
  int flags = mode == SqliteOpen::ReadOnly ? SQLITE_OPEN_READONLY
              : mode == SqliteOpen::Create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                           : SQLITE_OPEN_READWRITE;
  // A connection is used by one thread at a time (its source or sink's, or a reader thread's
  // that hands records over): no mutex around every call, which was a fifth of reading a table.
  flags |= SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
    std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw IoError(fmt::format("sqlite:{}: cannot open: {}", path, msg));
  }
  sqlite3_busy_timeout(m_db, 5000);
}

SqliteDb::~SqliteDb() {
  sqlite3_close(m_db);
}

std::string SqliteDb::errmsg() const {
  return sqlite3_errmsg(m_db);
}

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw IoError(fmt::format("sqlite:{}: {}", m_path, msg));
  }
}

sqlite3_stmt* SqliteDb::prepare(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)  // the file, not the command line, is wrong
    throw DataError(fmt::format("sqlite:{}: {}", m_path, errmsg()));
  if (rc != SQLITE_OK) throw UsageError(fmt::format("sqlite:{}: {}", m_path, errmsg()));
  return st;
}

ColumnKind column_kind(const char* declared_type) {
  std::string d = declared_type ? declared_type : "";
  if (declares(d, "BOOL")) return ColumnKind::Boolean;
  if (declares(d, "JSON")) return ColumnKind::Json;
  if (d.empty() || declares(d, "NUM") || declares(d, "DEC") || declares(d, "INT") ||
      declares(d, "REAL") || declares(d, "FLOA") || declares(d, "DOUB"))
    return ColumnKind::Numeric;
  return ColumnKind::Plain;
}

bool is_time_type(const char* declared_type) {
  std::string d = declared_type ? declared_type : "";
  return declares(d, "DATE") || declares(d, "TIME");
}

int declared_scale(const char* declared_type) {
  std::string d = declared_type ? declared_type : "";
  if (!declares(d, "NUM") && !declares(d, "DEC")) return -1;
  auto comma = d.find(',');
  if (comma == std::string::npos || d.find('(') > comma) return -1;
  int scale = std::atoi(d.c_str() + comma + 1);
  return scale > 0 && scale <= 38 ? scale : -1;
}

void pad_to_scale(Value& v, int scale) {
  if (v.kind() != Value::Kind::Number) return;
  const std::string& t = v.text();
  if (t.find_first_of("eE") != std::string::npos) return;
  auto dot = t.find('.');
  int places = dot == std::string::npos ? 0 : static_cast<int>(t.size() - dot - 1);
  if (places >= scale) return;
  std::string padded = t + (dot == std::string::npos ? "." : "");
  padded.append(static_cast<std::size_t>(scale - places), '0');
  v.set_number(padded);
}

void read_column(sqlite3_stmt* st, int col, ColumnKind kind, Value& v) {
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
      v.set_null();
      break;
    case SQLITE_INTEGER:
      if (kind == ColumnKind::Boolean)
        v = Value::boolean(sqlite3_column_int64(st, col) != 0);
      else
        v.set_number(std::to_string(sqlite3_column_int64(st, col)));
      break;
    case SQLITE_FLOAT: {  // ±Infinity has no JSON number: a string, as PostgreSQL's is
      double d = sqlite3_column_double(st, col);
      if (std::isfinite(d))
        v.set_number(shortest_text(d));
      else
        v.set_string(std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      break;
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(st, col));
      v = bytes_value(
          std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col))));
      break;
    }
    default: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      std::string_view t(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
      if (kind == ColumnKind::Numeric && is_json_number(t)) {
        v.set_number(t);
      } else if (kind == ColumnKind::Json && !parse_json(t, v)) {
        // parsed in place
      } else {
        v.set_string(t);
      }
    }
  }
}

void bind_value(sqlite3_stmt* st, int index, const Value& v, std::deque<std::string>& keep) {
  switch (v.kind()) {
    case Value::Kind::Null:
      sqlite3_bind_null(st, index);
      break;
    case Value::Kind::Bool:
      sqlite3_bind_int(st, index, v.as_bool() ? 1 : 0);
      break;
    case Value::Kind::String:
      sqlite3_bind_text(st, index, v.text().data(), static_cast<int>(v.text().size()),
                        SQLITE_STATIC);
      break;
    case Value::Kind::Number: {
      std::int64_t i = 0;
      double d = 0;
      switch (storage_of(v.text(), i, d)) {
        case NumberStorage::Integer:
          sqlite3_bind_int64(st, index, i);
          break;
        case NumberStorage::Real:
          sqlite3_bind_double(st, index, d);
          break;
        case NumberStorage::Text:
          sqlite3_bind_text(st, index, v.text().data(), static_cast<int>(v.text().size()),
                            SQLITE_STATIC);
      }
      break;
    }
    default:
      if (auto bytes = bytes_of(v)) {  // {"$base64": …}: a BLOB
        keep.push_back(std::move(*bytes));
        sqlite3_bind_blob(st, index, keep.back().data(), static_cast<int>(keep.back().size()),
                          SQLITE_STATIC);
        break;
      }
      keep.push_back(to_json(v));
      sqlite3_bind_text(st, index, keep.back().data(), static_cast<int>(keep.back().size()),
                        SQLITE_STATIC);
  }
}

// ---- source ----

SqliteSource::SqliteSource(const std::string& path, const ConnectorOptions& o)
    : m_db(path, SqliteOpen::ReadOnly), m_name("sqlite:" + path) {
  if (o.table.empty() == o.query.empty())
    throw UsageError("a sqlite source needs exactly one of --table or --query");
  std::string sql = o.query.empty() ? "SELECT * FROM " + quote_identifier(o.table) : o.query;
  if (!o.table.empty()) m_name += "#" + o.table;
  m_stmt = m_db.prepare(sql);
  if (!sqlite3_stmt_readonly(m_stmt)) {
    sqlite3_finalize(m_stmt);  // the destructor does not run for a constructor that throws
    throw UsageError(
        fmt::format("{}: --query would write to the database; sources are read-only", m_name));
  }
  int n = sqlite3_column_count(m_stmt);
  for (int i = 0; i < n; ++i) {
    m_names.emplace_back(sqlite3_column_name(m_stmt, i));
    m_kinds.push_back(column_kind(sqlite3_column_decltype(m_stmt, i)));
    if (is_time_type(sqlite3_column_decltype(m_stmt, i))) m_time_columns.push_back(m_names.back());
    m_scales.push_back(declared_scale(sqlite3_column_decltype(m_stmt, i)));
  }
  try {
    refuse_repeated_columns(m_names, m_name);
  } catch (...) {
    sqlite3_finalize(m_stmt);
    throw;
  }
  if (!o.table.empty() && o.since.value &&
      std::find(m_names.begin(), m_names.end(), o.since.field) != m_names.end())
    push_since(o);
}

// etl-extract --state: ask only for the rows whose first cursor field may lie at or beyond the
// watermark, compared as Watermark::compare compares, so no row it would pass is left out: by
// value when the watermark is a number (rows holding text are all kept: "10" is after "9"), and
// bytewise when it is text (rows holding numbers are all kept).
void SqliteSource::push_since(const ConnectorOptions& o) {
  const Value& after = *o.since.value;
  if (after.kind() != Value::Kind::String && after.kind() != Value::Kind::Number) return;
  if (!o.since.instant.empty()) return push_since_time(o);
  bool numeric = Watermark::compares_as_number(after);
  std::string c = quote_identifier(o.since.field);
  std::string sql =
      fmt::format("SELECT * FROM {} WHERE CASE WHEN typeof({}) IN ({}) THEN {} >= ?1 {} ELSE 1 END",
                  quote_identifier(o.table), c, numeric ? "'integer', 'real'" : "'text'", c,
                  numeric ? "" : "COLLATE BINARY");
  sqlite3_finalize(m_stmt);
  m_stmt = m_db.prepare(sql);
  const std::string& t = after.text();
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
  if (!numeric)
    sqlite3_bind_text(m_stmt, 1, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  else if (ec == std::errc() && end == t.data() + t.size())
    sqlite3_bind_int64(m_stmt, 1, i);
  else  // rounded down, so a double just above the watermark's decimal is not left out
    sqlite3_bind_double(m_stmt, 1, std::nextafter(std::strtod(t.c_str(), nullptr), -HUGE_VAL));
}

// A time cursor: SQLite holds times as text, in any form and offset. Rows whose text starts
// with an ISO 8601 date are asked for from the day before the watermark on (no offset moves a
// later instant's date below that); rows in any other form are all fetched.
void SqliteSource::push_since_time(const ConnectorOptions& o) {
  std::string c = quote_identifier(o.since.field);
  std::string sql = fmt::format(
      "SELECT * FROM {} WHERE CASE WHEN typeof({}) = 'text' AND {} GLOB "
      "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN {} >= ?1 COLLATE BINARY ELSE 1 END",
      quote_identifier(o.table), c, c, c);
  sqlite3_finalize(m_stmt);
  m_stmt = m_db.prepare(sql);
  sqlite3_bind_text(m_stmt, 1, o.since.iso_floor.c_str(), -1, SQLITE_TRANSIENT);
}

SqliteSource::~SqliteSource() {
  sqlite3_finalize(m_stmt);
}

bool SqliteSource::next(Sourced& out) {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) throw IoError(fmt::format("{}: {}", m_name, m_db.errmsg()));
  start_table_row(out, m_name, ++m_row, m_names);
  auto& rec = out.record.fields();
  for (std::size_t i = 0; i < m_names.size(); ++i) {
    Value& v = rec[i].value;
    read_column(m_stmt, static_cast<int>(i), m_kinds[i], v);
    if (m_kinds[i] == ColumnKind::Json && v.kind() == Value::Kind::String)
      ++m_json_as_text[m_names[i]];
    if (m_scales[i] > 0) pad_to_scale(v, m_scales[i]);
    if (v.kind() == Value::Kind::String && !is_valid_utf8(v.text()))
      reject_text_not_utf8(
          out, v, v.text(),
          fmt::format("column '{}' holds TEXT that is not UTF-8 (bytes belong in a BLOB)",
                      m_names[i]));
  }
  return true;
}

// ---- sink ----

SqliteSink::SqliteSink(const std::string& path, const ConnectorOptions& o)
    : m_db(path, SqliteOpen::Create), m_opts(o) {
  if (m_opts.sink.batch_size == 0) m_opts.sink.batch_size = 10000;
  if (o.table.empty()) throw UsageError("a sqlite destination needs --table");
  check_key_for_mode(o);
  m_db.exec("PRAGMA synchronous=NORMAL");
  m_typing.keeps_unconverted_text();
}

SqliteSink::~SqliteSink() {
  finalize_statements();
  if (m_in_tx) sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteSink::ensure_table(const Record& first) {
  m_table_ready = true;
  const std::string table = quote_identifier(m_opts.table);
  sqlite3_stmt* info = m_db.prepare("SELECT name, type FROM pragma_table_info(?1)");
  sqlite3_bind_text(info, 1, m_opts.table.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(info) == SQLITE_ROW) {
    m_columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info, 0)));
    const auto* declared = reinterpret_cast<const char*>(sqlite3_column_text(info, 1));
    m_typing.add(m_columns.back(), stored_as(column_kind(declared)));
    track_affinity(m_columns.back(), declared ? declared : "");
  }
  sqlite3_finalize(info);
  m_grows = m_opts.sink.add_columns;
  if (m_columns.empty()) {
    // Column types from --schema, else from the first record; numbers get no declared type
    // (see sqlite.hpp). Without --schema, a later record's new field adds its column.
    m_grows = m_opts.sink.add_columns || m_opts.sink.schema_file.empty();
    std::vector<ColumnSpec> cols = columns_for_new_table(m_opts.sink.schema_file, first);
    for (const auto& k : m_opts.sink.key)
      if (std::none_of(cols.begin(), cols.end(), [&](auto& c) { return c.name == k; }))
        throw UsageError(fmt::format("--key column '{}' is not one of the table's columns", k));
    std::string sql = "CREATE TABLE IF NOT EXISTS " + table + " (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += quote_identifier(cols[i].name) + declared_type(cols[i].type);
      m_columns.push_back(cols[i].name);
      track_affinity(cols[i].name, declared_type(cols[i].type));
      // A column whose first value is null is typed by its first value later (retype).
      m_typing.add(cols[i].name, stored_as(column_kind(declared_type(cols[i].type).c_str())),
                   cols[i].type == ColumnType::Unknown);
    }
    if (!m_opts.sink.key.empty()) {
      sql += ", PRIMARY KEY (";
      for (std::size_t i = 0; i < m_opts.sink.key.size(); ++i)
        sql += (i > 0 ? ", " : "") + quote_identifier(m_opts.sink.key[i]);
      sql += ")";
    }
    sql += ")";
    m_db.exec(sql);
  }
  if (m_opts.sink.mode == WriteMode::Replace) m_db.exec("DELETE FROM " + table);
}

void SqliteSink::finalize_statements() {
  for (auto& [signature, st] : m_statements) {
    sqlite3_finalize(st.write);
    sqlite3_finalize(st.update_changed);
  }
  m_statements.clear();
  m_last_statements = nullptr;
}

const SqliteSink::Statements& SqliteSink::statements_for(const Record& r) {
  // Records of one stream mostly share their field list: reuse the last statements then.
  const auto& fields = r.fields();
  if (m_last_statements != nullptr && r.has_keys(m_last_keys)) return *m_last_statements;
  m_last_keys.clear();
  m_last_converting.clear();
  for (const auto& m : fields) {
    m_last_keys.push_back(m.key);
    auto at = m_converting.find(ascii_lower(m.key));
    m_last_converting.push_back(at == m_converting.end() ? nullptr : &at->second);
  }
  m_last_kinds = m_typing.kinds_of(r);
  std::string signature;
  for (const auto& m : fields) {
    signature += m.key;
    signature.push_back('\0');
  }
  auto it = m_statements.find(signature);
  if (it == m_statements.end()) it = m_statements.emplace(signature, prepare_for(r)).first;
  m_last_statements = &it->second;
  return it->second;
}

// Columns this run created while they held only nulls take the type of their first value. SQLite
// cannot change a column's declared type, so the column (all NULL: nothing is lost) is dropped
// and added again with it; the prepared statements, which name it, are made anew.
void SqliteSink::retype_columns(const Record& r) {
  for (const auto& m : r.fields()) {
    if (m.value.is_null() || !m_typing.provisional(m.key)) continue;
    std::string declared = declared_type(column_type_of(m.value));
    if (!declared.empty()) {
      finalize_statements();
      std::string table = quote_identifier(m_opts.table), column = quote_identifier(m.key);
      m_db.exec(fmt::format("ALTER TABLE {} DROP COLUMN {}", table, column));
      m_db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}{}", table, column, declared));
      track_affinity(m.key, declared);
    }
    m_typing.settle(m.key, stored_as(column_kind(declared.c_str())));
  }
}

// A column declared INTEGER, REAL or NUMERIC turns text that is a number into a number, and an
// integer into a REAL in a REAL column: the columns whose affinity may change a value.
void SqliteSink::track_affinity(const std::string& column, std::string_view declared) {
  Affinity a = affinity_of(declared);
  std::string key = ascii_lower(column);
  if (a == Affinity::Integer || a == Affinity::Real || a == Affinity::Numeric)
    m_converting[key] = {a, std::string(declared)};
  else
    m_converting.erase(key);
}

// Why r cannot be written unchanged: a number (or a string that is one) which its column's
// affinity would store as another value; empty when none would be. (After statements_for(r):
// m_last_converting is of r's fields.)
std::string SqliteSink::changed_number(const Record& r) const {
  if (m_converting.empty()) return {};
  const auto& fields = r.fields();
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const auto* converting = m_last_converting[f];
    if (converting == nullptr) continue;
    const Member& m = fields[f];
    const Value& v = m.value;
    bool number = v.kind() == Value::Kind::Number;
    if (!number && v.kind() != Value::Kind::String) continue;  // (a string of no number is kept)
    Affinity a = converting->first;
    std::int64_t i = 0;
    double d = 0;
    // A number bound as an INTEGER or a REAL keeps its value, but for an INTEGER in a REAL
    // column; one bound as text is converted as a string would be.
    if (number) {
      NumberStorage bound = storage_of(v.text(), i, d);
      if (bound == NumberStorage::Real || (bound == NumberStorage::Integer && a != Affinity::Real))
        continue;
    }
    if (sqlite_keeps_value(v.text(), a)) continue;
    return fmt::format(
        "field '{}': column '{}' (declared {}) would store {} as {}; a column declared TEXT, or "
        "with no type, keeps it as it is",
        m.key, m.key, converting->second, v.text(), *sqlite_stored_number(v.text(), a));
  }
  return {};
}

namespace {

const SqlDialect kSqlite{quote_identifier, '?'};

}  // namespace

// Upsert's "and some value differs" (IS NOT: null-safe, and exact, so 1.0 is not 1.00).
std::string sqlite_changed_condition(const Record& r, const std::vector<std::string>& key) {
  std::string changed;
  int n = 0;
  for (const auto& m : r.fields()) {
    ++n;
    if (!is_key_field(key, m.key))
      changed +=
          fmt::format("{}{} IS NOT ?{}", changed.empty() ? "" : " OR ", quote_identifier(m.key), n);
  }
  return changed;
}

SqliteSink::Statements SqliteSink::prepare_for(const Record& r) {
  const std::string table = quote_identifier(m_opts.table);
  if (m_opts.sink.mode == WriteMode::Update) {
    std::string update = sql_update(kSqlite, table, r, m_opts.sink.key);
    if (update.empty())  // nothing but the key: a statement that only finds the row
      update = fmt::format("UPDATE {0} SET {1} = {1} WHERE {2}", table,
                           quote_identifier(m_opts.sink.key[0]),
                           sql_where_key(kSqlite, r, m_opts.sink.key));
    return {m_db.prepare(update), nullptr};
  }
  std::string insert = sql_insert(kSqlite, table, r);
  if (m_opts.sink.mode != WriteMode::Upsert) return {m_db.prepare(insert), nullptr};
  Statements st{m_db.prepare(insert + " ON CONFLICT " + sql_name_list(kSqlite, m_opts.sink.key) +
                             " DO NOTHING"),
                nullptr};
  std::string update =
      sql_update(kSqlite, table, r, m_opts.sink.key, sqlite_changed_condition(r, m_opts.sink.key));
  if (!update.empty()) st.update_changed = m_db.prepare(update);
  return st;
}

// Binds the record to st and steps it once; the SQLite result code.
int SqliteSink::step(sqlite3_stmt* st, const Record& r) {
  int n = 0;
  for (const auto& m : r.fields()) bind_value(st, ++n, m.value, m_bound_text);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) m_step_error = m_db.errmsg();  // before the reset
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  m_bound_text.clear();
  return rc;
}

std::vector<std::pair<std::string, std::uint64_t>> SqliteSink::counts() const {
  if (m_opts.sink.mode != WriteMode::Upsert) return {};
  return {{"inserted", m_inserted}, {"updated", m_updated}, {"unchanged", m_unchanged}};
}

// Each field's column, added when the table grows (in the batch's transaction: the column and
// the first rows that fill it commit together); a field with none rejects the record.
WriteResult SqliteSink::find_columns(const Record& r) {
  for (const auto& m : r.fields()) {
    if (std::any_of(m_columns.begin(), m_columns.end(),
                    [&](const std::string& c) { return same_identifier_ignoring_case(c, m.key); }))
      continue;
    if (!m_grows)
      return {WriteOutcome::Rejected,
              fmt::format("field '{}' has no column in table '{}' (--add-columns adds it)", m.key,
                          m_opts.table)};
    ColumnType type = column_type_of(m.value);
    m_db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}{}", quote_identifier(m_opts.table),
                          quote_identifier(m.key), declared_type(type)));
    m_columns.push_back(m.key);
    track_affinity(m.key, declared_type(type));
    m_typing.add(m.key, stored_as(column_kind(declared_type(type).c_str())),
                 type == ColumnType::Unknown);
  }
  return {};
}

WriteResult SqliteSink::write(const Sourced& in) {
  const Record& r = in.record;
  ++m_handed;
  // A record with the fields of the last one written had their names checked, their columns
  // found (a compare, ignoring case, for each pair: an eighth of a load) and its statements made.
  bool known = m_last_statements != nullptr && r.has_keys(m_last_keys);
  if (std::string why = known ? std::string() : unstorable_names(r, {true, 0}); !why.empty())
    return {WriteOutcome::Rejected, why};
  if (!m_table_ready) {
    if (!m_in_tx) {
      m_db.exec("BEGIN");
      m_in_tx = true;
    }
    ensure_table(r);
  }
  for (const auto& k : m_opts.sink.key) {
    const Value* v = r.find(k);
    if (v == nullptr || v->is_null())
      return {WriteOutcome::Rejected, fmt::format("missing key field '{}'", k)};
  }
  if (!m_in_tx) {
    m_db.exec("BEGIN");
    m_in_tx = true;
  }
  if (!known)
    if (WriteResult w = find_columns(r); w.outcome == WriteOutcome::Rejected) return w;
  if (m_typing.any_provisional()) retype_columns(r);
  // (retyping a column drops the statements)
  const Statements& st = known && m_last_statements ? *m_last_statements : statements_for(r);
  if (std::string why = changed_number(r); !why.empty()) return {WriteOutcome::Rejected, why};
  m_typing.count(r, m_last_kinds);
  int rc = step(st.write, r);
  WriteResult result;
  if (m_opts.sink.mode == WriteMode::Upsert && rc == SQLITE_DONE) {
    bool inserted = sqlite3_changes(m_db.handle()) > 0;
    if (!inserted && st.update_changed) rc = step(st.update_changed, r);
    result.change = inserted ? RowChange::Inserted : RowChange::Updated;
    if (!inserted && (!st.update_changed || sqlite3_changes(m_db.handle()) == 0))
      result.outcome = WriteOutcome::Unchanged;
  }
  if (rc != SQLITE_DONE) {
    const std::string& reason = m_step_error;
    if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG)
      return {WriteOutcome::Rejected, reason};
    throw IoError(fmt::format("sqlite:{}: {}", m_opts.table, reason));
  }
  if (m_opts.sink.mode == WriteMode::Update && sqlite3_changes(m_db.handle()) == 0)
    result.outcome = WriteOutcome::Unmatched;
  if (result.outcome == WriteOutcome::Written) ++m_batch_written;
  if (m_opts.sink.mode == WriteMode::Upsert)
    ++(result.outcome == WriteOutcome::Unchanged ? m_unchanged
       : result.change == RowChange::Inserted    ? m_inserted
                                                 : m_updated);
  // replace runs as one transaction, so the emptied table is never committed half-loaded.
  if (++m_in_batch >= m_opts.sink.batch_size && m_opts.sink.mode != WriteMode::Replace &&
      !m_opts.sink.dry_run && !m_opts.sink.one_transaction) {
    if (m_checkpoint) store_checkpoint();
    m_db.exec("COMMIT");
    m_in_tx = false;
    m_in_batch = 0;
    m_committed += std::exchange(m_batch_written, 0);
  }
  return result;
}

void SqliteSink::commit() {
  if (m_checkpoint) {
    if (!m_in_tx) m_db.exec("BEGIN");
    m_in_tx = true;
    store_checkpoint();
  }
  if (m_in_tx) m_db.exec("COMMIT");
  m_in_tx = false;
  m_committed += std::exchange(m_batch_written, 0);
}

void SqliteSink::use_checkpoint(Checkpoint& checkpoint) {
  if (m_opts.sink.mode == WriteMode::Replace)
    throw UsageError(
        "--checkpoint: --mode replace loads in one transaction, there is nothing "
        "to resume");
  m_checkpoint = &checkpoint;
  checkpoint.found(sqlite_read_checkpoint(m_db, checkpoint.name()));
}

// In the open transaction, so the row and the batch commit together.
void SqliteSink::store_checkpoint() {
  sqlite_store_checkpoint(m_db, m_checkpoint->name(), m_checkpoint->row(m_handed));
}

std::optional<CheckpointRow> sqlite_read_checkpoint(SqliteDb& db, const std::string& name) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS etl_checkpoint (name TEXT PRIMARY KEY, records INTEGER NOT "
      "NULL, first_record TEXT, last_record TEXT, complete INTEGER NOT NULL, updated_at TEXT NOT "
      "NULL, digest TEXT)");
  // A table made by an older version has no digest column yet.
  sqlite3_stmt* info =
      db.prepare("SELECT count(*) FROM pragma_table_info('etl_checkpoint') WHERE name = 'digest'");
  bool has_digest = sqlite3_step(info) == SQLITE_ROW && sqlite3_column_int(info, 0) > 0;
  sqlite3_finalize(info);
  if (!has_digest) db.exec("ALTER TABLE etl_checkpoint ADD COLUMN digest TEXT");
  sqlite3_stmt* st = db.prepare(
      "SELECT records, first_record, last_record, complete, digest FROM etl_checkpoint WHERE "
      "name = ?1");
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  std::optional<CheckpointRow> row;
  if (sqlite3_step(st) == SQLITE_ROW) {
    auto text = [&](int col) {
      const auto* t = sqlite3_column_text(st, col);
      return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    row = CheckpointRow{static_cast<std::uint64_t>(sqlite3_column_int64(st, 0)), text(1), text(2),
                        sqlite3_column_int(st, 3) != 0, text(4)};
  }
  sqlite3_finalize(st);
  return row;
}

void sqlite_store_checkpoint(SqliteDb& db, const std::string& name, const CheckpointRow& row) {
  sqlite3_stmt* st = db.prepare(
      "INSERT INTO etl_checkpoint (name, records, first_record, last_record, complete, "
      "updated_at, digest) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ'), ?6) "
      "ON CONFLICT (name) DO UPDATE SET records = excluded.records, first_record = "
      "excluded.first_record, last_record = excluded.last_record, complete = excluded.complete, "
      "updated_at = excluded.updated_at, digest = excluded.digest");
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(row.records));
  sqlite3_bind_text(st, 3, row.first.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, row.last.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 5, row.complete ? 1 : 0);
  sqlite3_bind_text(st, 6, row.digest.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw IoError(fmt::format("--checkpoint: {}", db.errmsg()));
}

}  // namespace etl
