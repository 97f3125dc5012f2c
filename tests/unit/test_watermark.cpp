#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "etl/error.hpp"
#include "etl/watermark.hpp"

using etl::Value;
using etl::Watermark;

namespace {

std::vector<Value> cursor(std::initializer_list<Value> values) {
  return values;
}

}  // namespace

TEST_CASE("watermark: cursors compare numbers by value, text bytewise, ties by the next field") {
  auto s = [](const char* t) { return Value::string(t); };
  auto n = [](const char* t) { return Value::number(t); };
  CHECK(Watermark::compare(cursor({s("10")}), cursor({s("9")})) > 0);  // a CSV's ids
  CHECK(Watermark::compare(cursor({n("10.0")}), cursor({s("10")})) == 0);
  CHECK(Watermark::compare(cursor({s("00123")}), cursor({s("124")})) < 0);  // not a number
  CHECK(Watermark::compare(cursor({s("2024-03-01T10:00:00Z")}),
                           cursor({s("2024-03-01T09:59:59Z")})) > 0);
  CHECK(Watermark::compare(cursor({s("2024-03-01T10:00:00Z"), s("10")}),
                           cursor({s("2024-03-01T10:00:00Z"), s("9")})) > 0);
  CHECK(Watermark::compare(cursor({s("b"), s("1")}), cursor({s("a"), s("9")})) > 0);
}

TEST_CASE("watermark: records beyond pass, the greatest becomes FILE.next") {
  auto dir = std::filesystem::temp_directory_path() / "etl-watermark-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "state").string();
  { std::ofstream(path) << R"({"cursor":["at","id"],"after":["2024-01-02",5]})"; }
  Watermark w(path, {"at", "id"});
  auto rec = [](const char* at, int id) {
    etl::Record r;
    r.set("at", Value::string(at));
    r.set("id", Value::number(std::to_string(id)));
    return r;
  };
  std::string missing;
  CHECK_FALSE(w.beyond(rec("2024-01-01", 99), missing));
  CHECK_FALSE(w.beyond(rec("2024-01-02", 5), missing));  // the watermark itself moved already
  CHECK(w.beyond(rec("2024-01-02", 6), missing));
  CHECK(w.beyond(rec("2024-01-03", 1), missing));
  CHECK(w.beyond(rec("2024-01-02", 7), missing));
  etl::Record no_id;
  no_id.set("at", Value::string("2025-01-01"));
  CHECK_FALSE(w.beyond(no_id, missing));
  CHECK(missing == "cursor field 'id' is missing, null or empty");
  w.write_next();
  std::ifstream next(path + ".next");
  std::string text((std::istreambuf_iterator<char>(next)), std::istreambuf_iterator<char>());
  CHECK(text == "{\"cursor\":[\"at\",\"id\"],\"after\":[\"2024-01-03\",1]}\n");
  CHECK(Watermark::commit(path));
  CHECK_FALSE(std::filesystem::exists(path + ".next"));
  CHECK_FALSE(Watermark::commit(path));  // nothing to commit
  CHECK_THROWS_AS(Watermark(path, {"id"}), etl::UsageError);
  std::filesystem::remove_all(dir);
}
