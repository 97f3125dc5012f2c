// The SQLite side of etl-load --children (the rules are in family_sink.cpp).
#include <fmt/format.h>
#include <sqlite3.h>

#include <deque>
#include <functional>
#include <map>

#include "etl/db/family_sink.hpp"
#include "etl/db/sqlite.hpp"
#include "etl/error.hpp"
#include "sql_text.hpp"

namespace etl {
namespace {

const SqlDialect kSqlite{quote_identifier, '?'};

class SqliteFamilyTarget : public FamilyTarget {
 public:
  explicit SqliteFamilyTarget(const std::string& path) : m_db(path, SqliteOpen::Create) {
    m_db.exec("PRAGMA synchronous=NORMAL");
    m_db.exec("PRAGMA foreign_keys=ON");  // the child tables' keys to their parents hold
  }

  ~SqliteFamilyTarget() override {
    for (auto& [sql, st] : m_statements) sqlite3_finalize(st);
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // no-op after COMMIT
  }

  // BEGIN, SAVEPOINT … run for every family: prepared once.
  void exec(const std::string& sql) override {
    sqlite3_stmt* st = statement(sql);
    int rc = sqlite3_step(st);
    std::string error = rc == SQLITE_DONE ? "" : m_db.errmsg();
    sqlite3_reset(st);
    if (!error.empty()) throw IoError(fmt::format("sqlite: {}: {}", sql, error));
  }
  NameRules name_rules() const override { return {true, 0}; }

  std::vector<std::string> columns(const std::string& table) override {
    std::vector<std::string> out;
    sqlite3_stmt* st = statement("SELECT name FROM pragma_table_info(?1)");
    sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return out;
  }

  void create_table(const std::string& table, const std::vector<ColumnSpec>& columns,
                    const std::vector<std::string>& key, const std::string& parent_table,
                    const std::vector<std::string>& parent_key) override {
    std::string sql = "CREATE TABLE " + quote_identifier(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i)
      sql += (i ? ", " : "") + quote_identifier(columns[i].name) + declared_type(columns[i].type);
    sql += ", PRIMARY KEY " + sql_name_list(kSqlite, key);
    if (!parent_table.empty())
      sql += fmt::format(", FOREIGN KEY {0} REFERENCES {1} {0}", sql_name_list(kSqlite, parent_key),
                         quote_identifier(parent_table));
    m_db.exec(sql + ")");
  }

  void add_column(const std::string& table, const std::string& name, ColumnType type) override {
    m_db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}{}", quote_identifier(table),
                          quote_identifier(name), declared_type(type)));
    forget_statements();  // they name the table's old columns
  }

  void empty_table(const std::string& table) override {
    m_db.exec("DELETE FROM " + quote_identifier(table));
  }

  RowResult insert(const std::string& table, const Record& row) override {
    sqlite3_stmt* st =
        cached('i', table, row, [&] { return sql_insert(kSqlite, quote_identifier(table), row); });
    return run(st, row, RowWrite::Inserted);
  }

  RowResult upsert(const std::string& table, const Record& row,
                   const std::vector<std::string>& key) override {
    sqlite3_stmt* insert = cached('u', table, row, [&] {
      return sql_insert(kSqlite, quote_identifier(table), row) + " ON CONFLICT " +
             sql_name_list(kSqlite, key) + " DO NOTHING";
    });
    RowResult r = run(insert, row, RowWrite::Inserted);
    if (!r.refused.empty() || r.row == RowWrite::Inserted) return r;
    sqlite3_stmt* update = cached('c', table, row, [&] {
      return sql_update(kSqlite, quote_identifier(table), row, key,
                        sqlite_changed_condition(row, key));
    });
    if (update == nullptr) return {RowWrite::Unchanged, ""};  // nothing but the key
    r = run(update, row, RowWrite::Updated);
    if (r.refused.empty() && r.row == RowWrite::Missing) r.row = RowWrite::Unchanged;
    return r;
  }

  RowResult update(const std::string& table, const Record& row,
                   const std::vector<std::string>& key) override {
    std::string quoted = quote_identifier(table);
    std::string update = sql_update(kSqlite, quoted, row, key);
    if (update.empty())  // nothing but the key: a statement that only finds the row
      update = fmt::format("UPDATE {0} SET {1} = {1} WHERE {2}", quoted, quote_identifier(key[0]),
                           sql_where_key(kSqlite, row, key));
    return run(statement(update), row, RowWrite::Updated);
  }

  RowResult remove(const std::string& table, const Record& key) override {
    std::vector<std::string> names;
    for (const auto& m : key.fields()) names.push_back(m.key);
    return run(statement(fmt::format("DELETE FROM {} WHERE {}", quote_identifier(table),
                                     sql_where_key(kSqlite, key, names))),
               key, RowWrite::Deleted);
  }

  std::vector<Record> keys_where(const std::string& table, const Record& match,
                                 const std::vector<std::string>& key) override {
    std::vector<std::string> names;
    for (const auto& m : match.fields()) names.push_back(m.key);
    std::string cols = sql_name_list(kSqlite, key);
    sqlite3_stmt* st =
        statement(fmt::format("SELECT {} FROM {} WHERE {}", cols.substr(1, cols.size() - 2),
                              quote_identifier(table), sql_where_key(kSqlite, match, names)));
    bind(st, match);
    std::vector<Record> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Record r;
      for (std::size_t i = 0; i < key.size(); ++i) {
        Value v;
        read_column(st, static_cast<int>(i), ColumnKind::Plain, v);
        r.fields().push_back({key[i], std::move(v)});
      }
      out.push_back(std::move(r));
    }
    std::string error = rc == SQLITE_DONE ? "" : m_db.errmsg();
    sqlite3_reset(st);
    m_keep.clear();
    if (!error.empty()) throw IoError(fmt::format("sqlite:{}: {}", table, error));
    return out;
  }

  std::optional<CheckpointRow> read_checkpoint(const std::string& name) override {
    return sqlite_read_checkpoint(m_db, name);
  }
  void store_checkpoint(const std::string& name, const CheckpointRow& row) override {
    sqlite_store_checkpoint(m_db, name, row);
  }

 private:
  sqlite3_stmt* statement(const std::string& sql) {
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) it = m_statements.emplace(sql, m_db.prepare(sql)).first;
    return it->second;
  }

  // The statement of kind `op` for a row of `table` with r's fields: rows of one table mostly
  // share their field list, so the last one is kept by kind and table and its SQL is not built
  // again. nullptr when sql() is empty.
  sqlite3_stmt* cached(char op, const std::string& table, const Record& r,
                       const std::function<std::string()>& sql) {
    Slot& slot = m_last[std::string(1, op) + table];
    const auto& fields = r.fields();
    bool same = slot.ready && fields.size() == slot.fields.size();
    for (std::size_t i = 0; same && i < fields.size(); ++i) same = fields[i].key == slot.fields[i];
    if (same) return slot.st;
    slot.fields.clear();
    for (const auto& m : fields) slot.fields.push_back(m.key);
    std::string text = sql();
    slot.st = text.empty() ? nullptr : statement(text);
    slot.ready = true;
    return slot.st;
  }

  void forget_statements() {
    for (auto& [sql, st] : m_statements) sqlite3_finalize(st);
    m_statements.clear();
    m_last.clear();
  }

  void bind(sqlite3_stmt* st, const Record& r) {
    int n = 0;
    for (const auto& m : r.fields()) bind_value(st, ++n, m.value, m_keep);
  }

  // Steps a statement bound to r: `done` when it changed a row, Missing when none, refused when
  // a constraint stopped it.
  RowResult run(sqlite3_stmt* st, const Record& r, RowWrite done) {
    bind(st, r);
    int rc = sqlite3_step(st);
    std::string error = rc == SQLITE_DONE ? "" : m_db.errmsg();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    m_keep.clear();
    if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG)
      return {done, error};
    if (rc != SQLITE_DONE) throw IoError(fmt::format("sqlite: {}", error));
    return {sqlite3_changes(m_db.handle()) > 0 ? done : RowWrite::Missing, ""};
  }

  struct Slot {
    std::vector<std::string> fields;
    sqlite3_stmt* st = nullptr;
    bool ready = false;
  };
  SqliteDb m_db;
  std::map<std::string, sqlite3_stmt*> m_statements;  // by their SQL
  std::map<std::string, Slot> m_last;                 // by kind and table (see cached)
  std::deque<std::string> m_keep;                     // bound JSON text, until the step
};

}  // namespace

std::unique_ptr<Sink> open_sqlite_family_sink(const std::string& path, const ConnectorOptions& o) {
  if (o.table.empty()) throw UsageError("a sqlite destination needs --table");
  return std::make_unique<FamilySink>(std::make_unique<SqliteFamilyTarget>(path), o, 10000);
}

}  // namespace etl
