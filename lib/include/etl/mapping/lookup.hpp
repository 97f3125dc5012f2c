#pragma once
// A lookup table of a mapping: inline, or read once from a CSV file beside the mapping.
#include <optional>
#include <string>
#include <unordered_map>

#include "etl/value.hpp"

namespace etl::mapping {

struct Lookup {
  std::string name;
  std::unordered_map<std::string, Value> entries;
  std::optional<Value> default_value;  // absent: a miss rejects the record
};

}  // namespace etl::mapping
