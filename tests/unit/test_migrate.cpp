// Column types between databases (etl-migrate), the comparison rules its verification uses, and
// the --children option's grammar.
#include <catch2/catch.hpp>

#include "etl/db/family_sink.hpp"
#include "etl/db/sqlite.hpp"
#include "etl/diff/compare.hpp"
#include "etl/error.hpp"
#include "etl/migrate/schema.hpp"

using etl::Value;
using etl::migrate::Column;
using etl::migrate::SqlType;

namespace {

Column sqlite(const std::string& declared) {
  Column c;
  etl::migrate::type_from_sqlite(declared, c);
  return c;
}

Column pg(const std::string& formatted) {
  Column c;
  etl::migrate::type_from_pg(formatted, c);
  return c;
}

bool same(const char* a, const char* b, const etl::diff::CompareRules& rules) {
  Value x = Value::string(a), y = Value::string(b);
  return etl::diff::values_equal("f", &x, &y, rules);
}

}  // namespace

TEST_CASE("SQLite declared types map by affinity and by name", "[migrate]") {
  CHECK(etl::migrate::pg_column_type(sqlite("INTEGER")) == "bigint");
  CHECK(etl::migrate::pg_column_type(sqlite("NVARCHAR(160)")) == "varchar(160)");
  CHECK(etl::migrate::pg_column_type(sqlite("NUMERIC(10,2)")) == "numeric(10,2)");
  CHECK(etl::migrate::pg_column_type(sqlite("DECIMAL(12)")) == "numeric(12,0)");
  CHECK(etl::migrate::pg_column_type(sqlite("REAL")) == "double precision");
  CHECK(etl::migrate::pg_column_type(sqlite("DATETIME")) == "timestamp");
  CHECK(etl::migrate::pg_column_type(sqlite("DATE")) == "date");
  CHECK(etl::migrate::pg_column_type(sqlite("BOOLEAN")) == "boolean");
  CHECK(etl::migrate::pg_column_type(sqlite("TINYINT(1)")) == "boolean");
  CHECK(etl::migrate::pg_column_type(sqlite("BLOB")) == "bytea");
  CHECK(etl::migrate::pg_column_type(sqlite("CLOB")) == "text");
  CHECK(etl::migrate::pg_column_type(sqlite("JSON")) == "jsonb");
  CHECK(etl::migrate::pg_column_type(sqlite("MONEY")) == "numeric");  // NUMERIC affinity
  CHECK(sqlite("NUMERIC(10,2)").declared == "NUMERIC(10,2)");
}

TEST_CASE("PostgreSQL types map back, and SQLite keeps exact numbers", "[migrate]") {
  CHECK(pg("integer").type == SqlType::Integer);
  CHECK(pg("character varying(40)").length == 40);
  CHECK(pg("timestamp with time zone").type == SqlType::TimestampTz);
  CHECK(pg("time with time zone").type == SqlType::Time);
  CHECK(pg("numeric(10,2)").scale == 2);
  CHECK(pg("USER-DEFINED").type == SqlType::Text);
  CHECK(etl::migrate::sqlite_column_type(pg("numeric(10,2)")) == "NUMERIC(10,2)");
  // Wider than a double holds, or unconstrained: no declared type, so the text stays exact.
  CHECK(etl::migrate::sqlite_column_type(pg("numeric(20,4)")).empty());
  CHECK(etl::migrate::sqlite_column_type(pg("numeric")).empty());
  CHECK(etl::migrate::sqlite_column_type(pg("timestamp without time zone")) == "DATETIME");
}

TEST_CASE("a cast names a type", "[migrate]") {
  Column c = sqlite("DATETIME");
  etl::migrate::type_from_name("timestamptz", c);
  CHECK(c.type == SqlType::TimestampTz);
  CHECK(c.declared == "DATETIME");
  etl::migrate::type_from_name("numeric(12,4)", c);
  CHECK(etl::migrate::pg_column_type(c) == "numeric(12,4)");
  CHECK_THROWS_AS(etl::migrate::type_from_name("money-ish", c), etl::UsageError);
}

TEST_CASE("NUMERIC(p,s) columns read back with their places", "[sqlite]") {
  CHECK(etl::declared_scale("NUMERIC(10,2)") == 2);
  CHECK(etl::declared_scale("decimal(8, 3)") == 3);
  CHECK(etl::declared_scale("NUMERIC") == -1);
  CHECK(etl::declared_scale("NUMERIC(10)") == -1);
  CHECK(etl::declared_scale("TEXT") == -1);
  auto padded = [](const char* n, int scale) {
    Value v = Value::number(n);
    etl::pad_to_scale(v, scale);
    return v.text();
  };
  CHECK(padded("165", 2) == "165.00");
  CHECK(padded("19.9", 2) == "19.90");
  CHECK(padded("0.125", 2) == "0.125");  // more places than declared: never rounded away
  CHECK(padded("1e-05", 2) == "1e-05");
}

TEST_CASE("times compare as times, booleans as 0 and 1, when the rules say so", "[diff]") {
  etl::diff::CompareRules exact, times;
  times.times = true;
  CHECK_FALSE(same("2024-03-01 10:00:00", "2024-03-01T10:00:00", exact));
  CHECK(same("2024-03-01 10:00:00", "2024-03-01T10:00:00", times));
  CHECK(same("2024-03-01T10:00:00.250", "2024-03-01 10:00:00.25", times));
  CHECK(same("2024-03-01T10:00:00Z", "2024-03-01T11:00:00+01:00", times));
  CHECK(same("2024-03-01T10:00Z", "2024-03-01T10:00:00+00", times));
  CHECK_FALSE(
      same("2024-03-01T10:00:00Z", "2024-03-01T10:00:00", times));  // an instant is not a wall time
  CHECK_FALSE(same("2024-03-01T10:00:00", "2024-03-01T10:00:01", times));
  CHECK_FALSE(same("10:00", "10:00:00", times));  // not ISO date-times: compared as text
  etl::diff::CompareRules booleans;
  booleans.booleans_as_numbers = true;
  Value yes = Value::boolean(true), one = Value::number("1"), zero = Value::number("0");
  CHECK(etl::diff::values_equal("f", &yes, &one, booleans));
  CHECK_FALSE(etl::diff::values_equal("f", &yes, &zero, booleans));
  CHECK_FALSE(etl::diff::values_equal("f", &yes, &one, exact));
}

TEST_CASE("a child table option reads FIELD=TABLE:KEY", "[children]") {
  auto s = etl::parse_child_spec("lines=sales.order_lines:line_no,sub", {"order_no"});
  CHECK(s.field == "lines");
  CHECK(s.table == "sales.order_lines");
  CHECK(s.key == std::vector<std::string>{"line_no", "sub"});
  CHECK(s.full == std::vector<std::string>{"order_no", "line_no", "sub"});
  CHECK_THROWS_AS(etl::parse_child_spec("lines=order_lines", {"order_no"}), etl::UsageError);
  CHECK_THROWS_AS(etl::parse_child_spec("=t:k", {"order_no"}), etl::UsageError);
  CHECK_THROWS_AS(etl::parse_child_spec("lines=t:order_no", {"order_no"}), etl::UsageError);
  CHECK_THROWS_AS(etl::parse_child_spec("lines=t:a,,b", {"order_no"}), etl::UsageError);
}
