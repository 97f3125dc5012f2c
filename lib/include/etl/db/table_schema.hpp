#pragma once
// The columns of a table etl-load creates: from --schema FILE (a JSON object of column: text |
// number | integer | boolean | json | bytes | date | timestamp | timestamptz), else from the
// first record's values. Each database maps these logical types to its own.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "etl/value.hpp"

namespace etl {

enum class ColumnType {
  Text,
  Number,
  Integer,
  Boolean,
  Json,
  Bytes,
  Date,
  Timestamp,    // without a zone
  TimestampTz,  // an instant
  Unknown
};

struct ColumnSpec {
  std::string name;
  ColumnType type;
};

std::vector<ColumnSpec> read_schema_file(const std::string& path);
// string → Text, number → Number, boolean → Boolean, {"$base64": …} → Bytes, other arrays and
// objects → Json, null → Unknown.
ColumnType column_type_of(const Value& v);
std::vector<ColumnSpec> columns_from_record(const Record& first);
// --schema when given, else the first record.
std::vector<ColumnSpec> columns_for_new_table(const std::string& schema_file, const Record& first);

// How a database takes column names: whether it ignores ASCII case (SQLite, MariaDB), and how
// many bytes of a name it keeps (0: all). PostgreSQL cuts a longer name with no more than a
// notice, so a field with a longer name would be stored under another.
struct NameRules {
  bool ignore_case = false;
  std::size_t max_bytes = 0;
};
// Why a database cannot hold a record's field names as columns, or empty: a NUL byte in a name,
// a name longer than the database keeps, or, ignoring case, two names that differ only in case.
// The sink rejects that record alone.
std::string unstorable_names(const Record& r, NameRules rules);
// Column names as SQLite compares them: ASCII letters in either case are the same.
bool same_identifier_ignoring_case(std::string_view a, std::string_view b);
// The notes of a source whose JSON columns held values etlkit does not read as JSON (a key
// twice in an object, nesting too deep, or no JSON at all): those are read as their text, and
// said so, column by column.
std::vector<std::string> json_as_text_notes(const std::map<std::string, std::uint64_t>& counts);

// name with A-Z as a-z: the key of a name where names ignore ASCII case.
std::string ascii_lower(std::string_view name);

}  // namespace etl
