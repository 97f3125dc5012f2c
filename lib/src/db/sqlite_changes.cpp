// The SQLite side of etl-load --changes (the rules are in change_set_sink.cpp).
#include <fmt/format.h>
#include <sqlite3.h>

#include <deque>
#include <map>

#include "etl/db/change_set_sink.hpp"
#include "etl/db/sqlite.hpp"
#include "etl/error.hpp"

namespace etl {
namespace {

class SqliteChangeTarget : public ChangeTarget {
 public:
  SqliteChangeTarget(const std::string& path, const ConnectorOptions& o)
      : m_db(path, SqliteOpen::ReadWrite), m_name(o.table), m_table(quote_identifier(o.table)) {
    if (o.table.empty()) throw UsageError("a sqlite destination needs --table");
    sqlite3_stmt* info = m_db.prepare("SELECT name, type FROM pragma_table_info(?1)");
    sqlite3_bind_text(info, 1, o.table.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(info) == SQLITE_ROW)
      m_columns[reinterpret_cast<const char*>(sqlite3_column_text(info, 0))] =
          column_kind(reinterpret_cast<const char*>(sqlite3_column_text(info, 1)));
    sqlite3_finalize(info);
    if (m_columns.empty())
      throw UsageError(
          fmt::format("sqlite:{}: no table '{}' to apply the changes to", path, o.table));
    m_db.exec("BEGIN IMMEDIATE");
  }

  ~SqliteChangeTarget() override {
    for (auto& [sql, st] : m_statements) sqlite3_finalize(st);
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // no-op after COMMIT
  }

  bool has_column(const std::string& name) const override { return m_columns.count(name) > 0; }
  bool numeric_column(const std::string& name) const override {
    auto it = m_columns.find(name);
    return it != m_columns.end() && it->second == ColumnKind::Numeric;
  }

  std::uint64_t row_count() override {
    sqlite3_stmt* st = statement("SELECT count(*) FROM " + m_table);
    std::uint64_t n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) n = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    return n;
  }

  Found fetch(const Record& key, const std::vector<const std::string*>& columns) override {
    std::string select;
    for (const auto* c : columns) select += (select.empty() ? "" : ", ") + quote_identifier(*c);
    sqlite3_stmt* st =
        statement(fmt::format("SELECT {} FROM {} WHERE {} LIMIT 2", select.empty() ? "1" : select,
                              m_table, where_key(key, 1)));
    int n = 0;
    for (const auto& m : key.fields()) bind(st, ++n, m.value, m.key);
    Found found;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (++found.rows > 1) break;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        Value v;
        read_column(st, static_cast<int>(i), m_columns[*columns[i]], v);
        found.values.set(*columns[i], std::move(v));
      }
    }
    std::string err = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : m_db.errmsg();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    m_keep.clear();
    if (!err.empty()) throw IoError(fmt::format("sqlite:{}: {}", m_name, err));
    return found;
  }

  std::string insert(const Record& record) override {
    std::string names, marks;
    int n = 0;
    for (const auto& m : record.fields()) {
      names += (n ? ", " : "") + quote_identifier(m.key);
      marks += fmt::format("{}?{}", n ? ", " : "", n + 1);
      ++n;
    }
    sqlite3_stmt* st =
        statement(fmt::format("INSERT INTO {} ({}) VALUES ({})", m_table, names, marks));
    n = 0;
    for (const auto& m : record.fields()) bind(st, ++n, m.value, m.key);
    return step(st);
  }

  std::string update(const Record& key, const std::vector<diff::FieldUpdate>& updates) override {
    std::string set;
    int n = 0;
    for (const auto& u : updates)
      set += fmt::format("{}{} = ?{}", n++ ? ", " : "", quote_identifier(u.field), n);
    sqlite3_stmt* st =
        statement(fmt::format("UPDATE {} SET {} WHERE {}", m_table, set, where_key(key, n + 1)));
    Value null_value;
    int i = 0;
    for (const auto& u : updates) bind(st, ++i, u.new_value ? *u.new_value : null_value, u.field);
    for (const auto& m : key.fields()) bind(st, ++i, m.value, m.key);
    return step(st);
  }

  std::string remove(const Record& key) override {
    sqlite3_stmt* st =
        statement(fmt::format("DELETE FROM {} WHERE {}", m_table, where_key(key, 1)));
    int n = 0;
    for (const auto& m : key.fields()) bind(st, ++n, m.value, m.key);
    return step(st);
  }

  void commit() override { m_db.exec("COMMIT"); }

 private:
  sqlite3_stmt* statement(const std::string& sql) {
    auto it = m_statements.find(sql);
    if (it != m_statements.end()) return it->second;
    sqlite3_stmt* st = m_db.prepare(sql);
    m_statements.emplace(sql, st);
    return st;
  }

  // A number-like string bound to a numeric column is bound as the number, so a key read from
  // a CSV export finds the row a typed load wrote.
  void bind(sqlite3_stmt* st, int index, const Value& v, const std::string& column) {
    if (numeric_column(column) && v.kind() == Value::Kind::String && is_json_number(v.text())) {
      bind_value(st, index, Value::number(v.text()), m_keep);
      return;
    }
    bind_value(st, index, v, m_keep);
  }

  std::string where_key(const Record& key, int first_param) const {
    std::string where;
    int n = first_param;
    for (const auto& m : key.fields())
      where +=
          fmt::format("{}{} IS ?{}", where.empty() ? "" : " AND ", quote_identifier(m.key), n++);
    return where;
  }

  // Runs a bound INSERT, UPDATE or DELETE; a constraint the row breaks rejects just this change.
  std::string step(sqlite3_stmt* st) {
    int rc = sqlite3_step(st);
    std::string err = rc == SQLITE_DONE ? "" : m_db.errmsg();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    m_keep.clear();
    if (!err.empty() && rc != SQLITE_CONSTRAINT && rc != SQLITE_MISMATCH && rc != SQLITE_TOOBIG)
      throw IoError(fmt::format("sqlite:{}: {}", m_name, err));
    return err;
  }

  SqliteDb m_db;
  std::string m_name;
  std::string m_table;  // quoted
  std::map<std::string, ColumnKind> m_columns;
  std::map<std::string, sqlite3_stmt*> m_statements;  // by SQL text
  std::deque<std::string> m_keep;
};

}  // namespace

std::unique_ptr<Sink> open_sqlite_change_sink(const std::string& path, const ConnectorOptions& o) {
  return std::make_unique<ChangeSetSink>(std::make_unique<SqliteChangeTarget>(path, o), o);
}

}  // namespace etl
