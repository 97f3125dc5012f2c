// SQLite for etl-migrate: its schema from sqlite_schema and the table pragmas, and DDL that
// declares keys and foreign keys with the table (SQLite cannot add them later).
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "etl/db/sqlite.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/migrate/database.hpp"

namespace etl::migrate {
namespace {

std::string column_text(sqlite3_stmt* st, int col) {
  const auto* t = sqlite3_column_text(st, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(const std::string& address, const std::string& path, bool create)
      : Database(address), m_path(path), m_create(create) {}

  Schema read_schema() override {
    Schema s;
    sqlite3_stmt* st = db().prepare(
        "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND type IN "
        "('table', 'view', 'trigger') ORDER BY name");
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string type = column_text(st, 0), name = column_text(st, 1);
      if (type == "table")
        s.tables.push_back(read_table(name, s));
      else
        s.not_migrated.push_back(type + " " + name);
    }
    sqlite3_finalize(st);
    return s;
  }

  std::vector<std::string> create_tables(const Schema& s) const override {
    std::vector<std::string> out;
    for (const auto& t : s.tables) {
      std::string sql = "CREATE TABLE " + quote_identifier(t.name) + " (";
      bool rowid_key = t.primary_key.size() == 1 && t.column(t.primary_key[0])->identity;
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const Column& c = t.columns[i];
        std::string type =
            rowid_key && c.name == t.primary_key[0] ? "INTEGER PRIMARY KEY" : sqlite_column_type(c);
        sql += fmt::format("{}{}{}{}", i ? ", " : "", quote_identifier(c.name),
                           type.empty() ? "" : " ", type);
        if (c.not_null) sql += " NOT NULL";
      }
      if (!t.primary_key.empty() && !rowid_key)
        sql += ", PRIMARY KEY (" + name_list(t.primary_key, quote_identifier) + ")";
      for (const auto& fk : t.foreign_keys) sql += ", " + foreign_key_sql(fk, quote_identifier);
      out.push_back(sql + ")");
    }
    return out;
  }

  std::vector<std::string> after_data(const Schema& s) const override {
    std::vector<std::string> out;
    for (const auto& t : s.tables)
      for (const auto& ix : t.indexes)
        out.push_back(create_index_sql(ix, t.name, quote_identifier));
    return out;
  }

  void run(const std::string& sql) override { db().exec(sql); }

  bool has_table(const std::string& name) override {
    sqlite3_stmt* st =
        db().prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
  }

  void empty_table(const std::string& name) override {
    run("DELETE FROM " + quote_identifier(name));
  }

  bool parallel_loads() const override { return false; }

 private:
  Table read_table(const std::string& name, Schema& s) {
    Table t;
    t.name = name;
    sqlite3_stmt* st =
        db().prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)");
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    std::map<int, std::string> pk;
    while (sqlite3_step(st) == SQLITE_ROW) {
      Column c;
      c.name = column_text(st, 0);
      type_from_sqlite(column_text(st, 1), c);
      c.not_null = sqlite3_column_int(st, 2) != 0;
      if (int at = sqlite3_column_int(st, 3); at > 0) pk[at] = c.name;
      t.columns.push_back(std::move(c));
    }
    sqlite3_finalize(st);
    for (const auto& [at, column] : pk) t.primary_key.push_back(column);
    for (auto& c : t.columns) {
      // A column declared INTEGER PRIMARY KEY is the rowid: its values come from a sequence.
      if (t.primary_key.size() == 1 && c.name == t.primary_key[0] && c.declared == "INTEGER") {
        c.identity = true;
        c.not_null = true;
      }
      if (c.declared.empty()) type_from_values(t.name, c);
    }
    read_indexes(t, s);
    read_foreign_keys(t);
    return t;
  }

  // A column without a declared type holds what it was given: typed by its values.
  void type_from_values(const std::string& table, Column& c) {
    sqlite3_stmt* st =
        db().prepare(fmt::format("SELECT typeof({0}), {0} FROM {1} WHERE {0} IS NOT NULL",
                                 quote_identifier(c.name), quote_identifier(table)));
    bool integer = true, number = true, blob = true, any = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
      any = true;
      std::string type = column_text(st, 0);
      blob = blob && type == "blob";
      integer = integer && type == "integer";
      number = number && (type == "integer" || type == "real" ||
                          (type == "text" && is_json_number(column_text(st, 1))));
    }
    sqlite3_finalize(st);
    c.type = !any      ? SqlType::Text
             : integer ? SqlType::BigInt
             : number  ? SqlType::Numeric
             : blob    ? SqlType::Blob
                       : SqlType::Text;
  }

  void read_indexes(Table& t, Schema& s) {
    sqlite3_stmt* list =
        db().prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)");
    sqlite3_bind_text(list, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(list) == SQLITE_ROW) {
      Index ix{column_text(list, 0), {}, sqlite3_column_int(list, 1) != 0};
      std::string origin = column_text(list, 2);
      if (origin == "pk") continue;
      sqlite3_stmt* info = db().prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno");
      sqlite3_bind_text(info, 1, ix.name.c_str(), -1, SQLITE_TRANSIENT);
      bool expression = false;
      while (sqlite3_step(info) == SQLITE_ROW) {
        if (sqlite3_column_type(info, 0) == SQLITE_NULL) expression = true;
        ix.columns.push_back(column_text(info, 0));
      }
      sqlite3_finalize(info);
      if (expression || sqlite3_column_int(list, 3) != 0) {
        s.not_migrated.push_back(fmt::format("index {} (on an expression, or partial)", ix.name));
        continue;
      }
      // A UNIQUE constraint's index has a name SQLite keeps for itself: named as PostgreSQL
      // names them, TABLE_COLUMN_key.
      if (origin == "u") ix.name = fmt::format("{}_{}_key", t.name, fmt::join(ix.columns, "_"));
      t.indexes.push_back(std::move(ix));
    }
    sqlite3_finalize(list);
  }

  void read_foreign_keys(Table& t) {
    sqlite3_stmt* st = db().prepare(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM "
        "pragma_foreign_key_list(?1) ORDER BY id, seq");
    sqlite3_bind_text(st, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    int last = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (sqlite3_column_int(st, 0) != last) {
        last = sqlite3_column_int(st, 0);
        t.foreign_keys.push_back({});
        auto& fk = t.foreign_keys.back();
        fk.ref_table = column_text(st, 1);
        auto action = [](std::string a) { return a == "NO ACTION" ? std::string() : a; };
        fk.on_update = action(column_text(st, 4));
        fk.on_delete = action(column_text(st, 5));
      }
      auto& fk = t.foreign_keys.back();
      fk.columns.push_back(column_text(st, 2));
      if (sqlite3_column_type(st, 3) != SQLITE_NULL) fk.ref_columns.push_back(column_text(st, 3));
    }
    sqlite3_finalize(st);
    // REFERENCES parent without columns: the parent's primary key.
    for (auto& fk : t.foreign_keys)
      if (fk.ref_columns.empty()) fk.ref_columns = primary_key_of(fk.ref_table);
  }

  std::vector<std::string> primary_key_of(const std::string& table) {
    std::map<int, std::string> pk;
    sqlite3_stmt* st = db().prepare("SELECT name, pk FROM pragma_table_info(?1) WHERE pk > 0");
    sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) pk[sqlite3_column_int(st, 1)] = column_text(st, 0);
    sqlite3_finalize(st);
    std::vector<std::string> out;
    for (const auto& [at, c] : pk) out.push_back(c);
    return out;
  }

  // Opened when first used: --dry-run writes the DDL of a destination that is not there yet.
  SqliteDb& db() {
    if (!m_db)
      m_db =
          std::make_unique<SqliteDb>(m_path, m_create ? SqliteOpen::Create : SqliteOpen::ReadOnly);
    return *m_db;
  }

  std::string m_path;
  bool m_create;
  std::unique_ptr<SqliteDb> m_db;
};

}  // namespace

std::unique_ptr<Database> open_sqlite_database(const std::string& address, bool create) {
  return std::make_unique<SqliteDatabase>(address, address.substr(7), create);
}

}  // namespace etl::migrate
