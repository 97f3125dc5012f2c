#pragma once
// etl-extract --schema-out FILE: a database table's column types in the --schema format that
// etl-load reads, so that extract | transform | load into another database makes the same
// types (integer, number, boolean, json, bytes, text).
#include <string>

#include "etl/connector_options.hpp"

namespace etl::migrate {

// address: sqlite:PATH#TABLE or postgresql://…#TABLE, or the database with o.table.
void write_schema_out(const std::string& address, const ConnectorOptions& o,
                      const std::string& path);

}  // namespace etl::migrate
