#include <catch2/catch.hpp>

#include "etl/bytes.hpp"
#include "etl/value.hpp"

TEST_CASE("is_json_number follows the JSON grammar", "[value]") {
  for (const char* ok : {"0", "-0", "-0.0", "19.990", "1e-7", "1E+30", "12345678901234567890"})
    CHECK(etl::is_json_number(ok));
  for (const char* bad : {"", "-", "00123", "1.", ".5", "+1", "1e", "0x10", "NaN", "1 "})
    CHECK_FALSE(etl::is_json_number(bad));
}

TEST_CASE("record keeps insertion order and replaces in place", "[value]") {
  etl::Record r;
  r.set("b", etl::Value::number("1"));
  r.set("a", etl::Value::string("x"));
  r.set("b", etl::Value::number("2"));
  REQUIRE(r.size() == 2);
  CHECK(r.fields()[0].key == "b");
  CHECK(r.find("b")->text() == "2");
  CHECK(r.find("missing") == nullptr);
}

TEST_CASE("same_bytes sees a difference at any place of any length", "[value]") {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'k');
    CHECK(etl::same_bytes(a, std::string(n, 'k')));
    CHECK_FALSE(etl::same_bytes(a, std::string(n + 1, 'k')));
    for (std::size_t at = 0; at < n; ++at) {
      std::string b = a;
      b[at] = 'q';
      CHECK_FALSE(etl::same_bytes(a, b));
    }
  }
}

TEST_CASE("copy_bytes copies every byte of any length and nothing beside them", "[value]") {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string src;
    for (std::size_t i = 0; i < n; ++i) src.push_back(static_cast<char>('a' + i % 26));
    std::string dst(n + 8, '#');
    etl::copy_bytes(dst.data() + 4, src.data(), n);
    CHECK(dst == std::string(4, '#') + src + std::string(4, '#'));
  }
}
