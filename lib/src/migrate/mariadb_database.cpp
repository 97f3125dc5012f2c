// MariaDB/MySQL for etl-migrate: its schema from information_schema (the tables of the URL's
// database), and DDL with the primary key in CREATE TABLE (InnoDB keeps rows in key order:
// adding it later would rebuild the table), indexes and foreign keys after the data.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "etl/db/mariadb.hpp"
#include "etl/error.hpp"
#include "etl/migrate/database.hpp"

namespace etl::migrate {
namespace {

std::string text(const MariaDbConnection::Row& row, std::size_t i) {
  return i < row.size() ? row[i].value_or("") : "";
}

// "NO ACTION" and "RESTRICT" are MariaDB's default; the others are said.
std::string action(const std::string& rule) {
  return rule == "CASCADE" || rule == "SET NULL" || rule == "SET DEFAULT" ? rule : "";
}

// The columns that a key or index of t names: they cannot be LONGTEXT or LONGBLOB.
std::set<std::string> keyed_columns(const Table& t) {
  std::set<std::string> out(t.primary_key.begin(), t.primary_key.end());
  for (const auto& ix : t.indexes) out.insert(ix.columns.begin(), ix.columns.end());
  for (const auto& fk : t.foreign_keys) out.insert(fk.columns.begin(), fk.columns.end());
  return out;
}

class MariaDbDatabase : public Database {
 public:
  MariaDbDatabase(const std::string& address, const ConnectorOptions& o)
      : Database(address), m_conn(address, o.password_file) {}

  Schema read_schema() override {
    Schema s;
    std::string db = mariadb_literal(m_conn, m_conn.database());
    for (const auto& row : m_conn.rows(
             "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
             db + " ORDER BY TABLE_NAME")) {
      if (text(row, 1) == "BASE TABLE")
        s.tables.push_back(Table{text(row, 0), {}, {}, {}, {}});
      else
        s.not_migrated.push_back("view " + text(row, 0));
    }
    read_columns(db, s);
    read_indexes(db, s);
    read_foreign_keys(db, s);
    for (const auto& row : m_conn.rows(
             "SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE "
             "TRIGGER_SCHEMA = " +
             db +
             " UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME) FROM "
             "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = " +
             db + " ORDER BY 1"))
      s.not_migrated.push_back(text(row, 0));
    return s;
  }

  std::vector<std::string> create_tables(const Schema& s) const override {
    std::vector<std::string> out;
    for (const auto& t : s.tables) {
      std::set<std::string> keyed = keyed_columns(t);
      std::string sql = "CREATE TABLE " + mariadb_quote_name(t.name) + " (";
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const Column& c = t.columns[i];
        sql += fmt::format("{}{} {}{}", i ? ", " : "", mariadb_quote_name(c.name),
                           mariadb_column_type(c, keyed.count(c.name) > 0),
                           c.not_null ? " NOT NULL" : " NULL");
        // AUTO_INCREMENT needs the column to lead a key: the primary key's first.
        if (c.identity && !t.primary_key.empty() && t.primary_key[0] == c.name &&
            (c.type == SqlType::Integer || c.type == SqlType::BigInt ||
             c.type == SqlType::SmallInt))
          sql += " AUTO_INCREMENT";
      }
      if (!t.primary_key.empty())
        sql += ", PRIMARY KEY (" + name_list(t.primary_key, mariadb_quote_name) + ")";
      out.push_back(sql + ") DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin");
    }
    return out;
  }

  std::vector<std::string> after_data(const Schema& s) const override {
    std::vector<std::string> out;
    for (const auto& t : s.tables)
      for (const auto& ix : t.indexes)
        out.push_back(create_index_sql(ix, t.name, mariadb_quote_name));
    for (const auto& t : s.tables)
      for (const auto& fk : t.foreign_keys)
        out.push_back(fmt::format("ALTER TABLE {} ADD {}", mariadb_quote_name(t.name),
                                  foreign_key_sql(fk, mariadb_quote_name)));
    return out;
  }

  void run(const std::string& sql) override { m_conn.exec(sql); }

  bool has_table(const std::string& name) override {
    return !m_conn
                .rows(
                    "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                    "AND TABLE_NAME = " +
                    mariadb_literal(m_conn, name))
                .empty();
  }

  void empty_table(const std::string& name) override {
    m_conn.exec("DELETE FROM " + mariadb_quote_name(name));
  }

  bool parallel_loads() const override { return true; }

 private:
  Table* table(Schema& s, const std::string& name) {
    for (auto& t : s.tables)
      if (t.name == name) return &t;
    return nullptr;
  }

  void read_columns(const std::string& db, Schema& s) {
    std::set<std::pair<std::string, std::string>> json;  // MariaDB's JSON: a json_valid check
    for (const auto& row :
         m_conn.rows("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                     "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = " +
                     db))
      if (text(row, 2) == "json_valid(`" + text(row, 1) + "`)")
        json.insert({text(row, 0), text(row, 1)});
    for (const auto& row : m_conn.rows(
             "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA, DATA_TYPE FROM "
             "information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
             db + " ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
      Table* t = table(s, text(row, 0));
      if (t == nullptr) continue;  // a view's
      Column c;
      c.name = text(row, 1);
      bool is_json = text(row, 5) == "json" || json.count({t->name, c.name}) > 0;
      type_from_mariadb(text(row, 2), is_json, c);
      c.not_null = text(row, 3) == "NO";
      c.identity = text(row, 4).find("auto_increment") != std::string::npos;
      t->columns.push_back(std::move(c));
    }
  }

  void read_indexes(const std::string& db, Schema& s) {
    std::string last;
    for (const auto& row :
         m_conn.rows("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM "
                     "information_schema.STATISTICS WHERE TABLE_SCHEMA = " +
                     db + " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
      Table* t = table(s, text(row, 0));
      if (t == nullptr) continue;
      std::string index = text(row, 1), column = text(row, 3);
      if (index == "PRIMARY") {
        t->primary_key.push_back(column);
        continue;
      }
      if (t->name + "." + index != last) t->indexes.push_back({index, {}, text(row, 2) == "0"});
      last = t->name + "." + index;
      t->indexes.back().columns.push_back(column);
    }
  }

  void read_foreign_keys(const std::string& db, Schema& s) {
    std::string last;
    for (const auto& row : m_conn.rows(
             "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
             "k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE FROM "
             "information_schema.KEY_COLUMN_USAGE k JOIN "
             "information_schema.REFERENTIAL_CONSTRAINTS "
             "r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = "
             "k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = " +
             db +
             " AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, "
             "k.ORDINAL_POSITION")) {
      Table* t = table(s, text(row, 0));
      if (t == nullptr) continue;
      std::string name = t->name + "." + text(row, 1);
      if (name != last)
        t->foreign_keys.push_back(
            {{}, text(row, 3), {}, action(text(row, 5)), action(text(row, 6))});
      last = name;
      t->foreign_keys.back().columns.push_back(text(row, 2));
      t->foreign_keys.back().ref_columns.push_back(text(row, 4));
    }
  }

  MariaDbConnection m_conn;
};

}  // namespace

std::unique_ptr<Database> open_mariadb_database(const std::string& address,
                                                const ConnectorOptions& o) {
  return std::make_unique<MariaDbDatabase>(address, o);
}

}  // namespace etl::migrate
