#include <catch2/catch.hpp>

#include "etl/db/postgres.hpp"
#include "etl/db/time_text.hpp"

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

TEST_CASE("dates whose day and month order PostgreSQL would guess are told apart", "[postgres]") {
  for (const char* guessed : {"01/02/2026", "1/2/26", "29.11.2026", "01-02-2026 10:00",
                              " 11/29/2026", "1.2.26 10:00+01", "12/12/12"})
    CHECK(etl::day_month_order_unknown(guessed));
  for (const char* certain :
       {"2026-01-02", "2026/01/02", "20260102", "Nov 29 2026", "29 Nov 2026", "01/02", "01/02-2026",
        "001/02/2026", "1/2/", "", "2026-01-02T10:00:00Z", "1/x/2026"})
    CHECK_FALSE(etl::day_month_order_unknown(certain));
}

TEST_CASE("a time's zone that is not UTC is found, as written", "[postgres]") {
  CHECK(etl::zone_not_utc("2024-03-01T10:00:00-05:00") == "-05:00");
  CHECK(etl::zone_not_utc("2024-03-01 10:00:00.5+0530") == "+0530");
  CHECK(etl::zone_not_utc("2024-03-01 10:00+01") == "+01");
  CHECK(etl::zone_not_utc("2024-03-01 10:00:00 America/New_York") == "America/New_York");
  CHECK(etl::zone_not_utc("Mar 1 2024 10:00 EST") == "EST");
  for (const char* utc :
       {"2024-03-01T10:00:00Z", "2024-03-01T10:00:00+00:00", "2024-03-01 10:00-00",
        "2024-03-01 10:00:00 UTC", "2024-03-01 10:00:00", "2024-03-01", "Mar 1 2024 10:00 PM",
        "2024-03-01T10:00:00.123456", "2024-03-01 10:00 "})
    CHECK(etl::zone_not_utc(utc).empty());
}
