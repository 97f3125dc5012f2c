#include "result_columns.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "etl/error.hpp"

namespace etl {

void refuse_repeated_columns(const std::vector<std::string>& names, const std::string& source) {
  std::unordered_map<std::string, std::size_t> first;  // name: its first column, from 1
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto [at, fresh] = first.emplace(names[i], i + 1);
    if (!fresh)
      throw UsageError(fmt::format(
          "{}: the query's columns {} and {} are both named '{}'; a record holds a field once: "
          "name them apart (SELECT … AS other_name)",
          source, at->second, i + 1, names[i]));
  }
}

}  // namespace etl
