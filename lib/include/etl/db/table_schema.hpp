#pragma once
// The columns of a table etl-load creates: from --schema FILE (a JSON object of column: text |
// number | integer | boolean | json), else from the first record's values. Each database maps
// these logical types to its own.
#include <string>
#include <vector>

#include "etl/value.hpp"

namespace etl {

enum class ColumnType { Text, Number, Integer, Boolean, Json, Unknown };

struct ColumnSpec {
  std::string name;
  ColumnType type;
};

std::vector<ColumnSpec> read_schema_file(const std::string& path);
// string → Text, number → Number, boolean → Boolean, array/object → Json, null → Unknown.
ColumnType column_type_of(const Value& v);
std::vector<ColumnSpec> columns_from_record(const Record& first);
// --schema when given, else the first record.
std::vector<ColumnSpec> columns_for_new_table(const std::string& schema_file, const Record& first);

}  // namespace etl
