#pragma once
#include <cstdint>
#include <string>

namespace etl {

// Where a record came from: `orders.csv:1043`, `sqlite:erp.db#orders rowid 17`.
struct Location {
  std::string source;
  std::uint64_t line = 0;  // 0 when the source has no lines
  std::string detail;      // e.g. "rowid 17", used when line is 0

  std::string to_string() const;
};

}  // namespace etl
