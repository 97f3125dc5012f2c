#include <catch2/catch.hpp>
#include <filesystem>

#include "etl/db/sqlite.hpp"
#include "etl/json.hpp"

namespace fs = std::filesystem;

TEST_CASE("sqlite round trip keeps every number's exact text", "[sqlite]") {
  fs::path db = fs::temp_directory_path() / "etl_unit_exact.db";
  fs::remove(db);
  const std::string line =
      R"({"id":1,"a":19.990,"b":0.1,"c":-0.0,"d":12345678901234567890,"e":1e-7,)"
      R"("f":9007199254740993,"g":"00123","h":true,"i":[1,{"x":null}],"j":null})";
  etl::ConnectorOptions o;
  o.table = "t";
  o.sink.key = {"id"};
  {
    etl::Value v;
    REQUIRE_FALSE(etl::parse_json(line, v));
    etl::Sourced in;
    in.record.fields() = v.members();
    etl::SqliteSink sink(db.string(), o);
    REQUIRE(sink.write(in).outcome == etl::WriteOutcome::Written);
    in.record.find("a")->set_number("5");
    CHECK(sink.write(in).outcome == etl::WriteOutcome::Rejected);  // duplicate key
    sink.commit();
  }
  etl::SqliteSource source(db.string(), o);
  etl::Sourced out;
  REQUIRE(source.next(out));
  CHECK(etl::to_json(out.record) == line);
  CHECK_FALSE(source.next(out));
  fs::remove(db);
}

TEST_CASE("sqlite sink without commit rolls the open batch back", "[sqlite]") {
  fs::path db = fs::temp_directory_path() / "etl_unit_rollback.db";
  fs::remove(db);
  etl::ConnectorOptions o;
  o.table = "t";
  {
    etl::SqliteSink sink(db.string(), o);
    etl::Sourced in;
    in.record.set("id", etl::Value::number("1"));
    REQUIRE(sink.write(in).outcome == etl::WriteOutcome::Written);
  }  // destroyed without commit, as when a run fails
  o.query = "SELECT name FROM sqlite_master WHERE name = 't'";
  o.table.clear();
  etl::SqliteSource source(db.string(), o);
  etl::Sourced out;
  CHECK_FALSE(source.next(out));
  fs::remove(db);
}
