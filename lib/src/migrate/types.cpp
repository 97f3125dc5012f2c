// Column types between SQLite and PostgreSQL: the tables README.md's migration section shows.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "etl/error.hpp"
#include "etl/migrate/schema.hpp"

namespace etl::migrate {
namespace {

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

bool has(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

// "(10,2)" after the type name: precision and scale, or a length.
void read_size(const std::string& t, Column& c, bool numeric) {
  auto open = t.find('(');
  if (open == std::string::npos) return;
  int a = std::atoi(t.c_str() + open + 1);
  auto comma = t.find(',', open);
  if (numeric) {
    c.precision = a;
    c.scale = comma == std::string::npos ? 0 : std::atoi(t.c_str() + comma + 1);
  } else {
    c.length = a;
  }
}

}  // namespace

const Column* Table::column(const std::string& n) const {
  for (const auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}

// SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), refined by the names that
// say more: BOOLEAN, DATE, DATETIME, TIMESTAMP, JSON, NUMERIC(p,s), VARCHAR(n).
void type_from_sqlite(const std::string& declared, Column& c) {
  c.declared = declared;
  std::string t = upper(declared);
  if (has(t, "BOOL") || t == "TINYINT(1)") {
    c.type = SqlType::Boolean;
  } else if (has(t, "INT")) {
    c.type = has(t, "SMALLINT") || has(t, "TINYINT") ? SqlType::SmallInt : SqlType::BigInt;
  } else if (has(t, "VARCHAR") || has(t, "VARYING") || (has(t, "CHAR") && has(t, "("))) {
    c.type = SqlType::Varchar;
    read_size(t, c, false);
  } else if (has(t, "CHAR") || has(t, "CLOB") || has(t, "TEXT")) {
    c.type = SqlType::Text;
  } else if (has(t, "BLOB") || has(t, "BINARY") || has(t, "BYTEA")) {
    c.type = SqlType::Blob;
  } else if (has(t, "REAL") || has(t, "FLOA") || has(t, "DOUB")) {
    c.type = SqlType::Real;
  } else if (has(t, "TIMESTAMPTZ") || has(t, "WITH TIME ZONE")) {
    c.type = SqlType::TimestampTz;
  } else if (has(t, "DATETIME") || has(t, "TIMESTAMP")) {
    c.type = SqlType::Timestamp;
  } else if (has(t, "DATE")) {
    c.type = SqlType::Date;
  } else if (has(t, "TIME")) {
    c.type = SqlType::Time;
  } else if (has(t, "JSON")) {
    c.type = SqlType::Json;
  } else if (has(t, "UUID")) {
    c.type = SqlType::Uuid;
  } else {  // NUMERIC, DECIMAL, MONEY and anything else: NUMERIC affinity
    c.type = SqlType::Numeric;
    read_size(t, c, true);
  }
}

void type_from_pg(const std::string& formatted, Column& c) {
  c.declared = formatted;
  const std::string& t = formatted;
  if (t == "smallint")
    c.type = SqlType::SmallInt;
  else if (t == "integer")
    c.type = SqlType::Integer;
  else if (t == "bigint")
    c.type = SqlType::BigInt;
  else if (t.starts_with("numeric")) {
    c.type = SqlType::Numeric;
    read_size(t, c, true);
  } else if (t == "real" || t == "double precision")
    c.type = SqlType::Real;
  else if (t.starts_with("character varying") || t.starts_with("character(")) {
    c.type = SqlType::Varchar;
    read_size(t, c, false);
  } else if (t == "boolean")
    c.type = SqlType::Boolean;
  else if (t == "date")
    c.type = SqlType::Date;
  else if (t.starts_with("time") && has(t, "with time zone") && t.starts_with("timestamp"))
    c.type = SqlType::TimestampTz;
  else if (t.starts_with("timestamp"))
    c.type = SqlType::Timestamp;
  else if (t.starts_with("time"))
    c.type = SqlType::Time;
  else if (t == "bytea")
    c.type = SqlType::Blob;
  else if (t == "json" || t == "jsonb")
    c.type = SqlType::Json;
  else if (t == "uuid")
    c.type = SqlType::Uuid;
  else
    c.type = SqlType::Text;  // text, citext, enums, arrays …: their text
}

void type_from_mariadb(const std::string& column_type, bool json, Column& c) {
  c.declared = column_type;
  const std::string t = upper(column_type);
  bool is_unsigned = has(t, "UNSIGNED");
  auto starts = [&](const char* p) { return t.starts_with(p); };
  if (json) {
    c.type = SqlType::Json;
  } else if (starts("TINYINT(1)") && !is_unsigned) {
    c.type = SqlType::Boolean;  // MySQL's BOOLEAN
  } else if (starts("TINYINT") || starts("YEAR")) {
    c.type = SqlType::SmallInt;
  } else if (starts("SMALLINT") || starts("MEDIUMINT")) {
    c.type = is_unsigned || starts("MEDIUMINT") ? SqlType::Integer : SqlType::SmallInt;
  } else if (starts("INT")) {
    c.type = is_unsigned ? SqlType::BigInt : SqlType::Integer;
  } else if (starts("BIGINT")) {
    c.type = is_unsigned ? SqlType::Numeric : SqlType::BigInt;  // up to 2^64 - 1
    if (is_unsigned) c.precision = 20, c.scale = 0;
  } else if (starts("DECIMAL") || starts("NUMERIC")) {
    c.type = SqlType::Numeric;
    read_size(t, c, true);
  } else if (starts("FLOAT") || starts("DOUBLE") || starts("REAL")) {
    c.type = SqlType::Real;
  } else if (starts("BIT(1)")) {
    c.type = SqlType::Boolean;
  } else if (starts("BIT")) {
    c.type = SqlType::BigInt;
  } else if (starts("VARCHAR") || starts("CHAR")) {
    c.type = SqlType::Varchar;
    read_size(t, c, false);
  } else if (starts("BINARY") || starts("VARBINARY") || has(t, "BLOB") || starts("GEOMETRY") ||
             starts("POINT") || starts("POLYGON") || starts("LINESTRING")) {
    c.type = SqlType::Blob;
  } else if (starts("DATETIME")) {
    c.type = SqlType::Timestamp;
  } else if (starts("TIMESTAMP")) {
    c.type = SqlType::TimestampTz;  // an instant, read in UTC
  } else if (starts("DATE")) {
    c.type = SqlType::Date;
  } else if (starts("TIME")) {
    c.type = SqlType::Time;
  } else if (starts("UUID")) {
    c.type = SqlType::Uuid;
  } else {
    c.type = SqlType::Text;  // TEXT types, ENUM, SET, INET6 …: their text
  }
}

void type_from_name(const std::string& name, Column& c) {
  std::string declared = c.declared;
  std::string t = upper(name);
  if (t == "TIMESTAMPTZ")
    c.type = SqlType::TimestampTz;
  else if (t == "TEXT")
    c.type = SqlType::Text;
  else if (t == "BIGINT")
    c.type = SqlType::BigInt;
  else if (t == "INTEGER" || t == "INT")
    c.type = SqlType::Integer;
  else if (t == "DOUBLE PRECISION" || t == "DOUBLE")
    c.type = SqlType::Real;
  else {
    Column probe;
    type_from_sqlite(name, probe);
    if (probe.type == SqlType::Numeric && !t.starts_with("NUMERIC") && !t.starts_with("DECIMAL"))
      throw UsageError(fmt::format("--cast: unknown type '{}'", name));
    c.type = probe.type;
    c.precision = probe.precision;
    c.scale = probe.scale;
    c.length = probe.length;
  }
  c.declared = declared;
}

std::string pg_column_type(const Column& c) {
  switch (c.type) {
    case SqlType::SmallInt:
      return "smallint";
    case SqlType::Integer:
      return "integer";
    case SqlType::BigInt:
      return "bigint";
    case SqlType::Numeric:
      return c.precision > 0 ? fmt::format("numeric({},{})", c.precision, std::max(c.scale, 0))
                             : "numeric";
    case SqlType::Real:
      return "double precision";
    case SqlType::Text:
      return "text";
    case SqlType::Varchar:
      return c.length > 0 ? fmt::format("varchar({})", c.length) : "varchar";
    case SqlType::Boolean:
      return "boolean";
    case SqlType::Date:
      return "date";
    case SqlType::Time:
      return "time";
    case SqlType::Timestamp:
      return "timestamp";
    case SqlType::TimestampTz:
      return "timestamptz";
    case SqlType::Blob:
      return "bytea";
    case SqlType::Json:
      return "jsonb";
    case SqlType::Uuid:
      return "uuid";
  }
  return "text";
}

std::string sqlite_column_type(const Column& c) {
  switch (c.type) {
    case SqlType::SmallInt:
    case SqlType::Integer:
    case SqlType::BigInt:
      return "INTEGER";
    // SQLite stores NUMERIC values as doubles: up to 15 digits they come back exactly (their
    // places from the declared scale, see declared_scale in sqlite.cpp); wider or unconstrained
    // numbers go to a column without a type, which keeps each value's exact text.
    case SqlType::Numeric:
      return c.precision > 0 && c.precision <= 15
                 ? fmt::format("NUMERIC({},{})", c.precision, std::max(c.scale, 0))
                 : "";
    case SqlType::Real:
      return "REAL";
    case SqlType::Varchar:
      return c.length > 0 ? fmt::format("VARCHAR({})", c.length) : "TEXT";
    case SqlType::Boolean:
      return "BOOLEAN";
    case SqlType::Date:
      return "DATE";
    case SqlType::Time:
      return "TIME";
    case SqlType::Timestamp:
      return "DATETIME";
    case SqlType::TimestampTz:
      return "TIMESTAMPTZ";
    case SqlType::Blob:
      return "BLOB";
    case SqlType::Json:
      return "JSON";
    default:
      return "TEXT";
  }
}

// MariaDB has no unconstrained decimal: DECIMAL(65,30), its widest, and a value with more
// places is rejected, not rounded (see mariadb_unfit). Text and bytes that are keyed take 255.
std::string mariadb_column_type(const Column& c, bool in_key) {
  switch (c.type) {
    case SqlType::SmallInt:
      return "SMALLINT";
    case SqlType::Integer:
      return "INT";
    case SqlType::BigInt:
      return "BIGINT";
    case SqlType::Numeric:
      return c.precision > 0 && c.precision <= 65 && c.scale <= 30
                 ? fmt::format("DECIMAL({},{})", c.precision, std::max(c.scale, 0))
                 : "DECIMAL(65,30)";
    case SqlType::Real:
      return "DOUBLE";
    case SqlType::Varchar:
      if (c.length > 0 && c.length <= (in_key ? 768 : 16383))
        return fmt::format("VARCHAR({})", c.length);
      return in_key ? "VARCHAR(255)" : "LONGTEXT";
    case SqlType::Boolean:
      return "BOOLEAN";
    case SqlType::Date:
      return "DATE";
    case SqlType::Time:
      return "TIME(6)";
    case SqlType::Timestamp:
      return "DATETIME(6)";
    case SqlType::TimestampTz:
      return "TIMESTAMP(6)";  // NULL or NOT NULL said explicitly: no automatic default
    case SqlType::Blob:
      return in_key ? "VARBINARY(255)" : "LONGBLOB";
    case SqlType::Json:
      return "JSON";
    case SqlType::Uuid:
      return "CHAR(36)";
    default:
      return in_key ? "VARCHAR(255)" : "LONGTEXT";
  }
}

std::string name_list(const std::vector<std::string>& names, QuoteName quote) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + quote(n);
  return out;
}

std::string create_index_sql(const Index& ix, const std::string& table, QuoteName quote) {
  return fmt::format("CREATE {}INDEX {} ON {} ({})", ix.unique ? "UNIQUE " : "", quote(ix.name),
                     quote(table), name_list(ix.columns, quote));
}

std::string foreign_key_sql(const ForeignKey& fk, QuoteName quote) {
  std::string sql = fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", name_list(fk.columns, quote),
                                quote(fk.ref_table), name_list(fk.ref_columns, quote));
  if (!fk.on_delete.empty()) sql += " ON DELETE " + fk.on_delete;
  if (!fk.on_update.empty()) sql += " ON UPDATE " + fk.on_update;
  return sql;
}

const char* type_name(SqlType t) {
  static const char* kNames[] = {"smallint",  "integer",     "bigint",  "numeric", "real",
                                 "text",      "varchar",     "boolean", "date",    "time",
                                 "timestamp", "timestamptz", "blob",    "json",    "uuid"};
  return kNames[static_cast<int>(t)];
}

}  // namespace etl::migrate
