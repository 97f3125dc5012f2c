#include "etl/migrate/schema_out.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
#include "etl/migrate/database.hpp"

namespace etl::migrate {
namespace {

// The --schema type of a column: its values' kind, and times as times.
const char* schema_type(SqlType t) {
  switch (t) {
    case SqlType::SmallInt:
    case SqlType::Integer:
    case SqlType::BigInt:
      return "integer";
    case SqlType::Numeric:
    case SqlType::Real:
      return "number";
    case SqlType::Boolean:
      return "boolean";
    case SqlType::Json:
      return "json";
    case SqlType::Blob:
      return "bytes";
    case SqlType::Date:
      return "date";
    case SqlType::Timestamp:
      return "timestamp";
    case SqlType::TimestampTz:
      return "timestamptz";
    default:
      return "text";
  }
}

bool is_database(const std::string& address) {
  return address.starts_with("sqlite:") || address.starts_with("postgres") ||
         address.starts_with("mysql://") || address.starts_with("mariadb://");
}

}  // namespace

void write_schema_out(const std::string& address, const ConnectorOptions& o,
                      const std::string& path) {
  std::string db = address, table = o.table;
  if (auto hash = address.rfind('#'); hash != std::string::npos && is_database(address)) {
    db = address.substr(0, hash);
    table = address.substr(hash + 1);
  }
  if (!is_database(db) || table.empty())
    throw UsageError(fmt::format(
        "--schema-out: '{}' is not a database table (sqlite:PATH#TABLE, postgresql://…#TABLE, "
        "mysql://…#TABLE, or --table)",
        mask_address(address)));
  Schema schema = open_database(db, o, false)->read_schema();
  for (const auto& t : schema.tables) {
    if (t.name != table) continue;
    std::string out = "{";
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      if (i > 0) out += ", ";
      append_json_string(out, t.columns[i].name);
      out += fmt::format(": \"{}\"", schema_type(t.columns[i].type));
    }
    OutputStream file(path);
    file.write(out + "}\n");
    file.commit();
    return;
  }
  throw UsageError(fmt::format("--schema-out: {} has no table '{}'", mask_address(db), table));
}

}  // namespace etl::migrate
