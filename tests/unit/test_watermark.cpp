#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "etl/digest.hpp"
#include "etl/error.hpp"
#include "etl/watermark.hpp"

using etl::Record;
using etl::Value;
using etl::Watermark;

namespace {

struct StateDir {
  // One directory per process: CTest runs the test cases in parallel processes.
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("etl-watermark-test-" + std::to_string(getpid()));
  StateDir() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~StateDir() { std::filesystem::remove_all(dir); }
  std::string write(const std::string& text) const {
    std::string path = (dir / "state").string();
    std::ofstream(path) << text;
    return path;
  }
  std::string next() const {
    std::ifstream in((dir / "state.next").string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

Record rec(std::initializer_list<std::pair<const char*, Value>> fields) {
  Record r;
  for (const auto& [k, v] : fields) r.set(k, v);
  return r;
}

Value s(const char* t) {
  return Value::string(t);
}
Value n(const char* t) {
  return Value::number(t);
}

// Whether a record with `at` passes a watermark file whose after is `after`.
bool passes(const std::string& after, const Value& at) {
  StateDir d;
  Watermark w(d.write(R"({"cursor":["at"],"after":[)" + after + "],\"seen\":[]}"), {"at"});
  std::string why;
  bool ok = w.beyond(rec({{"at", at}}), why);
  INFO(why);
  CHECK(why.empty());
  return ok;
}

}  // namespace

TEST_CASE("watermark: numbers by value, times as instants, text bytewise") {
  CHECK(passes(R"("9")", s("10")));  // a CSV's ids
  CHECK_FALSE(passes("10.0", s("9.5")));
  CHECK(passes(R"("00123")", s("124")));
  // BigCommerce's date_modified: a Thursday after a Wednesday, whatever the names' order.
  CHECK(passes(R"("Wed, 07 Jul 2021 10:00:00 +0000")", s("Thu, 08 Jul 2021 10:00:00 +0000")));
  CHECK(passes(R"("Thu, 08 Jul 2021 10:00:00 +0000")", s("Mon, 12 Jul 2021 09:00:00 +0000")));
  // ISO 8601 with other offsets: 10:30+02:00 is 08:30Z, before 09:00Z.
  CHECK_FALSE(passes(R"("2024-03-01T09:00:00Z")", s("2024-03-01T10:30:00+02:00")));
  CHECK(passes(R"("2024-03-01T09:00:00Z")", s("2024-03-01T05:00:01-04:00")));
  CHECK(passes(R"("b")", s("c")));
}

TEST_CASE("watermark: a value that is not of the cursor's type is rejected, never compared") {
  StateDir d;
  Watermark w(d.write(R"({"cursor":["at"],"after":["2024-03-01T09:00:00Z"]})"), {"at"});
  std::string why;
  CHECK_FALSE(w.beyond(rec({{"at", s("yesterday")}}), why));
  CHECK(why == "cursor field 'at': \"yesterday\" is not a time (the cursor's type)");
  CHECK_FALSE(w.beyond(rec({{"at", n("20240302")}}), why));
  CHECK_FALSE(w.beyond(rec({{"id", n("1")}}), why));
  CHECK(why == "cursor field 'at' is missing, null or empty");
}

TEST_CASE("watermark: ties at the watermark are read again, each record passed once") {
  StateDir d;
  std::string path = d.write(R"({"cursor":["updated_at"],"after":[]})");
  std::filesystem::remove(path);  // the first night: no watermark yet
  auto at = [](const char* t, const char* id) {
    return rec({{"updated_at", s(t)}, {"id", s(id)}});
  };
  std::string why;
  {
    Watermark night1(path, {"updated_at"});
    CHECK(night1.beyond(at("2024-03-01T10:00:00Z", "A"), why));
    CHECK(night1.beyond(at("2024-03-01T10:00:05Z", "B"), why));
    night1.prepare_next()->publish();
    REQUIRE(Watermark::commit(path));
  }
  // Night 2: B again, and C, which arrived later with B's timestamp.
  {
    Watermark night2(path, {"updated_at"});
    CHECK_FALSE(night2.beyond(at("2024-03-01T10:00:00Z", "A"), why));
    CHECK_FALSE(night2.beyond(at("2024-03-01T10:00:05Z", "B"), why));
    CHECK(night2.beyond(at("2024-03-01T10:00:05Z", "C"), why));
    night2.prepare_next()->publish();
    REQUIRE(Watermark::commit(path));
  }
  // Night 3: the same three: nothing again; a changed B (same timestamp) passes.
  Watermark night3(path, {"updated_at"});
  CHECK_FALSE(night3.beyond(at("2024-03-01T10:00:05Z", "B"), why));
  CHECK_FALSE(night3.beyond(at("2024-03-01T10:00:05Z", "C"), why));
  CHECK(night3.beyond(
      rec({{"updated_at", s("2024-03-01T10:00:05Z")}, {"id", s("B")}, {"qty", n("2")}}), why));
}

TEST_CASE("watermark: FILE.next holds the greatest cursor, its types and the records at it") {
  StateDir d;
  Watermark w(d.write(R"({"cursor":["at","id"],"after":["2024-01-02",5]})"), {"at", "id"});
  std::string why;
  CHECK_FALSE(w.beyond(rec({{"at", s("2024-01-01")}, {"id", n("99")}}), why));
  CHECK_FALSE(w.beyond(rec({{"at", s("2024-01-02")}, {"id", n("5")}}), why));  // older file
  CHECK(w.beyond(rec({{"at", s("2024-01-02")}, {"id", n("6")}}), why));
  CHECK(w.beyond(rec({{"at", s("2024-01-03")}, {"id", n("1")}}), why));
  w.prepare_next()->publish();
  std::string scratch;
  std::string digest = etl::digest_hex(etl::digest_record(
      etl::kDigestSeed, rec({{"at", s("2024-01-03")}, {"id", n("1")}}), scratch));
  CHECK(d.next() == R"({"cursor":["at","id"],"types":["time","number"],"after":["2024-01-03",1],)"
                    R"("seen":[")" +
                        digest + "\"]}\n");
  CHECK_THROWS_AS(Watermark((d.dir / "state").string(), {"id"}), etl::UsageError);
}

TEST_CASE("watermark: a state file that is not a watermark is a data error saying how to fix it") {
  StateDir d;
  for (const char* text : {"", R"({"cursor":["at"],"after":[null]})", "{not json",
                           R"({"cursor":["at"],"types":["colour"],"after":["x"]})"}) {
    INFO(text);
    try {
      Watermark w(d.write(text), {"at"});
      FAIL("accepted");
    } catch (const etl::DataError& e) {
      CHECK_THAT(e.what(), Catch::Contains("remove it to extract everything again"));
    }
  }
}
