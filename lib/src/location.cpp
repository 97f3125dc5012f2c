#include "etl/location.hpp"

#include <fmt/format.h>

namespace etl {
std::string Location::to_string() const {
  if (line > 0) return fmt::format("{}:{}", source, line);
  if (!detail.empty()) return fmt::format("{}#{}", source, detail);
  return source;
}
}  // namespace etl
