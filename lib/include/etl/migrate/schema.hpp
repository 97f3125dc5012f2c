#pragma once
// A database's tables as etl-migrate moves them: columns with their types, the primary key,
// unique constraints and indexes, and foreign keys; read from a source database and written to
// a destination by the per-database code in lib/src/migrate.
#include <string>
#include <vector>

namespace etl::migrate {

// A column's type, neutral between databases (see types.cpp for the mapping tables).
enum class SqlType {
  SmallInt,
  Integer,  // 32-bit where the source says so (PostgreSQL integer)
  BigInt,
  Numeric,  // precision and scale when declared
  Real,     // double precision
  Text,
  Varchar,  // length when declared
  Boolean,
  Date,
  Time,
  Timestamp,
  TimestampTz,
  Blob,
  Json,
  Uuid,
};

struct Column {
  std::string name;
  std::string declared;  // as the source declared it, for the report and --cast
  SqlType type = SqlType::Text;
  int precision = 0, scale = -1, length = 0;
  bool not_null = false;
  bool identity = false;  // its values come from a sequence (SQLite's INTEGER PRIMARY KEY)
};

struct Index {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
};

struct ForeignKey {
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string on_delete, on_update;  // empty: NO ACTION
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<Index> indexes;  // unique constraints too
  std::vector<ForeignKey> foreign_keys;
  const Column* column(const std::string& name) const;
};

struct Schema {
  std::vector<Table> tables;
  std::vector<std::string> not_migrated;  // "view customer_totals", "trigger …"
};

// "INTEGER", "NVARCHAR(160)", "NUMERIC(10,2)": the SQLite declared type as a column type, by
// SQLite's affinity rules and the common type names.
void type_from_sqlite(const std::string& declared, Column& c);
// PostgreSQL's format_type(): "integer", "numeric(10,2)", "character varying(40)", …
void type_from_pg(const std::string& formatted, Column& c);
// MariaDB's information_schema COLUMN_TYPE: "int(10) unsigned", "decimal(10,2)", "tinyint(1)" …;
// json: the column has MariaDB's json_valid check (its JSON type).
void type_from_mariadb(const std::string& column_type, bool json, Column& c);
// A column type by name, as --cast gives it: "timestamptz", "numeric(12,4)", "text" …
void type_from_name(const std::string& name, Column& c);
// The column's type in the destination's DDL.
std::string pg_column_type(const Column& c);
std::string sqlite_column_type(const Column& c);
// in_key: the column is part of a key or index, which MariaDB cannot make on LONGTEXT or LONGBLOB.
std::string mariadb_column_type(const Column& c, bool in_key);
const char* type_name(SqlType t);

// DDL every database writes alike, but for how it quotes a name.
using QuoteName = std::string (*)(const std::string&);
// "a", "b" — the names quoted, comma-separated.
std::string name_list(const std::vector<std::string>& names, QuoteName quote);
// CREATE [UNIQUE] INDEX i ON t (c, …)
std::string create_index_sql(const Index& ix, const std::string& table, QuoteName quote);
// FOREIGN KEY (c, …) REFERENCES p (c, …) [ON DELETE …] [ON UPDATE …]
std::string foreign_key_sql(const ForeignKey& fk, QuoteName quote);

}  // namespace etl::migrate
