#include "etl/db/column_typing.hpp"

#include <fmt/format.h>

#include "etl/db/sql_number.hpp"

namespace etl {

StoredAs stored_as(ColumnType t) {
  switch (t) {
    case ColumnType::Text:
    case ColumnType::Date:
    case ColumnType::Timestamp:
    case ColumnType::TimestampTz:
      return StoredAs::Text;
    case ColumnType::Number:
    case ColumnType::Integer:
      return StoredAs::Number;
    case ColumnType::Boolean:
      return StoredAs::Boolean;
    case ColumnType::Json:
      return StoredAs::Json;
    case ColumnType::Bytes:
    case ColumnType::Unknown:
      break;
  }
  return StoredAs::Other;
}

void ColumnTyping::add(const std::string& column, StoredAs kind, bool provisional) {
  auto& c = m_columns[column];
  if (c.provisional) --m_provisional;
  c = {kind, provisional};
  if (provisional) ++m_provisional;
}

StoredAs ColumnTyping::kind(const std::string& column) const {
  auto it = m_columns.find(column);
  return it == m_columns.end() ? StoredAs::Other : it->second.kind;
}

bool ColumnTyping::provisional(const std::string& column) const {
  auto it = m_columns.find(column);
  return it != m_columns.end() && it->second.provisional;
}

void ColumnTyping::settle(const std::string& column, StoredAs kind) {
  add(column, kind, false);
}

const char* ColumnTyping::conversion(StoredAs k, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      return nullptr;
    case Value::Kind::Number:
      return k == StoredAs::Text      ? "numbers stored as text"
             : k == StoredAs::Boolean ? "numbers stored as booleans"
                                      : nullptr;
    case Value::Kind::Bool:
      return k == StoredAs::Text     ? "booleans stored as text"
             : k == StoredAs::Number ? "booleans stored as numbers"
                                     : nullptr;
    case Value::Kind::String:
      // (as a database reads a number: " 42", "007", "+5" and ".5" too)
      if (k == StoredAs::Number && is_sql_number(v.text())) return "strings stored as numbers";
      return k == StoredAs::Boolean ? "strings stored as booleans" : nullptr;
    case Value::Kind::Array:
    case Value::Kind::Object:
      return k == StoredAs::Text ? "arrays and objects stored as JSON text" : nullptr;
  }
  return nullptr;
}

std::vector<StoredAs> ColumnTyping::kinds_of(const Record& r) const {
  std::vector<StoredAs> out;
  for (const auto& m : r.fields()) out.push_back(kind(m.key));
  return out;
}

void ColumnTyping::count(const Record& r, const std::vector<StoredAs>& kinds) {
  const auto& f = r.fields();
  for (std::size_t i = 0; i < f.size() && i < kinds.size(); ++i) {
    const Value& v = f[i].value;
    if (const char* what = conversion(kinds[i], v))
      ++m_counts[{f[i].key, what}];
    else if (m_keeps_text && kinds[i] == StoredAs::Number && v.kind() == Value::Kind::String)
      ++m_counts[{f[i].key, v.text().empty()
                                ? "empty strings kept as text, not null (with --null '' "
                                  "an empty CSV field reads as null)"
                                : "strings that are not numbers kept as text"}];
  }
}

std::vector<std::string> ColumnTyping::notes() const {
  static const char* kNames[] = {"text", "number", "boolean", "json", "other"};
  std::vector<std::string> out;
  for (const auto& [at, n] : m_counts)
    out.push_back(fmt::format("column '{}' ({}): {} {}", at.first,
                              kNames[static_cast<int>(kind(at.first))], n, at.second));
  return out;
}

}  // namespace etl
