#include "etl/db/table_schema.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "etl/binary.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"

namespace etl {

std::vector<ColumnSpec> read_schema_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UsageError(fmt::format("--schema {}: no such file", path));
  InputStream in(path);
  std::string text;
  char buf[1 << 14];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;) text.append(buf, n);
  Value doc;
  if (auto err = parse_json(text, doc))
    throw UsageError(fmt::format("{}:{}:{}: {}", path, err->line, err->column, err->message));
  if (doc.kind() != Value::Kind::Object || doc.members().empty())
    throw UsageError(fmt::format("{}: a schema is a JSON object of column: type", path));
  static const std::pair<const char*, ColumnType> kTypes[] = {
      {"text", ColumnType::Text},
      {"number", ColumnType::Number},
      {"integer", ColumnType::Integer},
      {"boolean", ColumnType::Boolean},
      {"json", ColumnType::Json},
      {"bytes", ColumnType::Bytes},
      {"date", ColumnType::Date},
      {"timestamp", ColumnType::Timestamp},
      {"timestamptz", ColumnType::TimestampTz}};
  std::vector<ColumnSpec> cols;
  for (const auto& m : doc.members()) {
    const ColumnType* type = nullptr;
    for (const auto& [name, t] : kTypes)
      if (m.value.kind() == Value::Kind::String && m.value.text() == name) type = &t;
    if (type == nullptr)
      throw UsageError(fmt::format(
          "{}: column '{}': type must be one of text, number, integer, boolean, json, bytes, "
          "date, timestamp, timestamptz",
          path, m.key));
    cols.push_back({m.key, *type});
  }
  return cols;
}

ColumnType column_type_of(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::String:
      return ColumnType::Text;
    case Value::Kind::Number:
      return ColumnType::Number;
    case Value::Kind::Bool:
      return ColumnType::Boolean;
    case Value::Kind::Object:
      return is_bytes(v) ? ColumnType::Bytes : ColumnType::Json;
    case Value::Kind::Array:
      return ColumnType::Json;
    case Value::Kind::Null:
      break;
  }
  return ColumnType::Unknown;
}

std::vector<ColumnSpec> columns_from_record(const Record& first) {
  std::vector<ColumnSpec> cols;
  for (const auto& m : first.fields()) cols.push_back({m.key, column_type_of(m.value)});
  return cols;
}

std::vector<ColumnSpec> columns_for_new_table(const std::string& schema_file, const Record& first) {
  return schema_file.empty() ? columns_from_record(first) : read_schema_file(schema_file);
}

std::vector<std::string> json_as_text_notes(const std::map<std::string, std::uint64_t>& counts) {
  std::vector<std::string> out;
  for (const auto& [column, n] : counts)
    out.push_back(fmt::format(
        "column '{}': {} values that are not JSON etlkit reads (a key twice, nesting too deep, "
        "or no JSON) read as their text",
        column, n));
  return out;
}

std::string ascii_lower(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool same_identifier_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string unstorable_names(const Record& r, NameRules rules) {
  const auto& f = r.fields();
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i].key.find('\0') != std::string::npos)
      return fmt::format("field name '{}' holds a NUL byte, which no column name can",
                         f[i].key.substr(0, f[i].key.find('\0')) + "\\u0000");
    if (rules.max_bytes && f[i].key.size() > rules.max_bytes)
      return fmt::format(
          "field name '{}' is {} bytes; the database keeps {} bytes of a column name and would "
          "store it under a name cut short (rename it in a mapping)",
          f[i].key, f[i].key.size(), rules.max_bytes);
    if (!rules.ignore_case) continue;
    for (std::size_t j = 0; j < i; ++j)
      if (same_identifier_ignoring_case(f[i].key, f[j].key))
        return fmt::format("fields '{}' and '{}' would be one column (column names ignore case)",
                           f[j].key, f[i].key);
  }
  return {};
}

}  // namespace etl
