#include <catch2/catch.hpp>

#include "etl/db/postgres.hpp"

TEST_CASE("connection strings are printed with the password masked", "[postgres]") {
  using etl::mask_address;
  CHECK(mask_address("postgresql://etl:s3cret@db:5432/erp") == "postgresql://etl:***@db:5432/erp");
  CHECK(mask_address("postgresql://etl:p%40ss@db/erp#orders") ==
        "postgresql://etl:***@db/erp#orders");
  CHECK(mask_address("postgresql://etl@db/erp?password=s3cret&sslmode=require") ==
        "postgresql://etl@db/erp?password=***&sslmode=require");
  CHECK(mask_address("postgres://db/erp?sslmode=require&password=x") ==
        "postgres://db/erp?sslmode=require&password=***");
  CHECK(mask_address("postgresql://etl@db/erp") == "postgresql://etl@db/erp");
}

TEST_CASE("table names quote each part, so no name becomes SQL", "[postgres]") {
  CHECK(etl::pg_quote_name("orders") == "\"orders\"");
  CHECK(etl::pg_quote_name("erp.orders") == "\"erp\".\"orders\"");
  CHECK(etl::pg_quote_name("we\"ird; DROP TABLE x") == "\"we\"\"ird; DROP TABLE x\"");
}
