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

TEST_CASE("take_keys keeps a record of those keys as it is and rebuilds any other", "[value]") {
  etl::Record r;
  r.set("a", etl::Value::string("x"));
  r.set("b", etl::Value::number("2"));
  r.take_keys({"a", "b"});
  CHECK(r.find("a")->text() == "x");
  CHECK(r.find("b")->text() == "2");
  r.take_keys({"b", "a"});
  REQUIRE(r.size() == 2);
  CHECK(r.fields()[0].key == "b");
  CHECK(r.fields()[0].value.is_null());
  r.take_keys({"b"});
  REQUIRE(r.size() == 1);
  r.take_keys({});
  CHECK(r.empty());
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

TEST_CASE("assign_bytes puts any length into a string of any length, or a part of itself",
          "[value]") {
  auto text = [](std::size_t n, char first) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(first + i % 26));
    return s;
  };
  for (std::size_t had = 0; had <= 40; ++had)
    for (std::size_t n = 0; n <= 40; ++n) {
      std::string s = text(had, 'A');
      std::string bytes = text(n, 'a');
      etl::assign_bytes(s, bytes);
      CHECK(s == bytes);
      CHECK(s.c_str()[n] == '\0');
    }
  for (std::size_t from = 0; from <= 30; ++from) {
    std::string s = text(30, 'a');
    std::string want = s.substr(from, 7);
    etl::assign_bytes(s, std::string_view(s).substr(from, 7));
    CHECK(s == want);
  }
}

TEST_CASE("find with a place hint finds a field wherever it is, and nothing when absent",
          "[value]") {
  etl::Record one, other;
  for (const char* k : {"a", "bb", "ccc"}) one.set(k, etl::Value::string(k));
  for (const char* k : {"ccc", "a"}) other.set(k, etl::Value::string(std::string(k) + "!"));
  std::size_t hint = 0;
  CHECK(one.find("ccc", hint)->text() == "ccc");
  CHECK(hint == 2);
  CHECK(one.find("ccc", hint)->text() == "ccc");
  CHECK(other.find("ccc", hint)->text() == "ccc!");  // another shape: the hint is out of range
  CHECK(hint == 0);
  CHECK(other.find("a", hint)->text() == "a!");  // at the hint's place is another key
  CHECK(hint == 1);
  CHECK(other.find("bb", hint) == nullptr);
  CHECK(hint == 1);
  CHECK(etl::Record().find("a", hint) == nullptr);
}

TEST_CASE("put_counted puts each value after its length, as put_u32 and append do", "[value]") {
  std::vector<std::string> texts;
  for (std::size_t n = 0; n <= 40; ++n)
    texts.push_back(std::string(n, static_cast<char>('a' + n % 26)));
  std::vector<std::string_view> values(texts.begin(), texts.end());
  std::string fast = "head", slow = "head";
  etl::put_counted(fast, values);
  for (std::string_view v : values) {
    etl::put_u32(slow, v.size());
    slow += v;
  }
  CHECK(fast == slow);
}
