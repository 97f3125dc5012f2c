#include "sql_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace etl {

bool is_key_field(const std::vector<std::string>& key, const std::string& field) {
  return std::find(key.begin(), key.end(), field) != key.end();
}

std::string sql_insert(const SqlDialect& d, const std::string& table, const Record& r) {
  std::string names, params;
  int n = 0;
  for (const auto& m : r.fields()) {
    ++n;
    names += (n > 1 ? ", " : "") + d.quote(m.key);
    params += fmt::format("{}{}{}", n > 1 ? ", " : "", d.param, n);
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, params);
}

std::string sql_where_key(const SqlDialect& d, const Record& r,
                          const std::vector<std::string>& key) {
  std::string where;
  int n = 0;
  for (const auto& m : r.fields()) {
    ++n;
    if (is_key_field(key, m.key))
      where += fmt::format("{}{} = {}{}", where.empty() ? "" : " AND ", d.quote(m.key), d.param, n);
  }
  return where;
}

std::string sql_name_list(const SqlDialect& d, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + d.quote(n);
  return "(" + out + ")";
}

std::string sql_update(const SqlDialect& d, const std::string& table, const Record& r,
                       const std::vector<std::string>& key, const std::string& changed) {
  std::string set;
  int n = 0;
  for (const auto& m : r.fields()) {
    ++n;
    if (!is_key_field(key, m.key))
      set += fmt::format("{}{} = {}{}", set.empty() ? "" : ", ", d.quote(m.key), d.param, n);
  }
  if (set.empty()) return "";
  std::string where = sql_where_key(d, r, key);
  if (!changed.empty()) where += " AND (" + changed + ")";
  return fmt::format("UPDATE {} SET {} WHERE {}", table, set, where);
}

}  // namespace etl
