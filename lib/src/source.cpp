#include "etl/source.hpp"

#include <charconv>

#include "etl/binary.hpp"

namespace etl {

void start_table_row(Sourced& out, const std::string& source, std::uint64_t row,
                     const std::vector<std::string>& columns) {
  out.where.source = source;
  out.where.line = 0;
  out.where.detail.assign("row ");  // (per row: no formatting machinery)
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, row).ptr;
  out.where.detail.append(digits, end);
  out.reject_reason.clear();
  out.raw.clear();
  out.record.take_keys(columns);
}

void reject_text_not_utf8(Sourced& out, Value& v, std::string_view text, std::string reason) {
  v = bytes_value(text);
  if (out.reject_reason.empty()) out.reject_reason = std::move(reason);
}

}  // namespace etl
