#include "etl/source.hpp"

#include <fmt/format.h>

namespace etl {

void start_table_row(Sourced& out, const std::string& source, std::uint64_t row,
                     const std::vector<std::string>& columns) {
  out.where.source = source;
  out.where.line = 0;
  out.where.detail = fmt::format("row {}", row);
  out.reject_reason.clear();
  out.raw.clear();
  out.record.take_keys(columns);
}

}  // namespace etl
