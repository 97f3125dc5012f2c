#pragma once
// SQL text that the SQLite and PostgreSQL writers share: both number their parameters (?1 and
// $1) and quote names with double quotes. A record's fields are its parameters, in order.
#include <string>
#include <vector>

#include "etl/value.hpp"

namespace etl {

struct SqlDialect {
  std::string (*quote)(const std::string& name);
  char param;  // '?' (SQLite) or '$' (PostgreSQL)
};

// INSERT INTO table (a, b) VALUES (?1, ?2); table is quoted already.
std::string sql_insert(const SqlDialect& d, const std::string& table, const Record& r);
// "a = ?1 AND b = ?2": the key fields, numbered by their place in r.
std::string sql_where_key(const SqlDialect& d, const Record& r,
                          const std::vector<std::string>& key);
// "(a, b)": the names, quoted, for ON CONFLICT and key lists.
std::string sql_name_list(const SqlDialect& d, const std::vector<std::string>& names);
// UPDATE table SET c = ?3 … WHERE key; changed (may be empty) is ANDed to the WHERE. Empty when r
// has nothing but the key.
std::string sql_update(const SqlDialect& d, const std::string& table, const Record& r,
                       const std::vector<std::string>& key, const std::string& changed = "");
bool is_key_field(const std::vector<std::string>& key, const std::string& field);

}  // namespace etl
