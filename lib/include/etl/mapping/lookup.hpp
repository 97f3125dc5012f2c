#pragma once
// A lookup table of a mapping: inline, or read once from a CSV file beside the mapping or from
// a database table. Keyed on one field or several (their texts joined by kKeySeparator).
#include <optional>
#include <string>
#include <unordered_map>

#include "etl/value.hpp"

namespace etl::mapping {

struct Lookup {
  static constexpr char kKeySeparator = '\x1f';
  std::string name;
  std::unordered_map<std::string, Value> entries;
  std::optional<Value> default_value;  // absent: a miss rejects the record
  std::size_t key_count = 1;           // lookup('name', key1, …, keyN[, default])
};

}  // namespace etl::mapping
