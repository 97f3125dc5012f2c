#include <catch2/catch.hpp>

#include "etl/mapping/jsonc.hpp"

using etl::mapping::JsoncError;
using etl::mapping::parse_jsonc;

TEST_CASE("JSON with comments keeps the place of every value", "[jsonc]") {
  auto root = parse_jsonc(
      "// mapping\n{\n  /* block\n comment */ \"a\": \"x\\ty\",\n  \"ü\": [1, true, null,],\n}\n");
  REQUIRE(root.members.size() == 2);
  CHECK(root.pos.line == 2);
  const auto& a = root.members[0];
  CHECK(a.key == "a");
  CHECK(a.key_pos.line == 4);
  CHECK(a.key_pos.column == 13);
  CHECK(a.value.text == "x\ty");
  CHECK(a.value.pos.column == 18);
  // Byte 2 of the decoded text ('y') sits after the two-character escape.
  CHECK(a.value.position_at(2).column == 22);
  const auto& arr = root.members[1].value;
  CHECK(arr.items.size() == 3);
  CHECK(arr.items[1].pos.column == 12);  // columns count characters: ü is one
}

TEST_CASE("JSON with comments reports syntax errors with their place", "[jsonc]") {
  auto error_of = [](const char* text) {
    try {
      parse_jsonc(text);
    } catch (const JsoncError& e) {
      return std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column) + " " + e.what();
    }
    return std::string("no error");
  };
  CHECK(error_of("{\"a\": 1, \"a\": 2}") == "1:10 duplicate key 'a'");
  CHECK(error_of("{\n  /* open") == "2:3 unterminated /* comment");
  CHECK(error_of("{\"a\" 1}") == "1:6 expected ':' after the key");
  CHECK(error_of("{\"a\": \"x}") == "1:7 unterminated string");
  CHECK(error_of("{\"a\": 01}") == "1:7 invalid number '01'");
  CHECK(error_of("[1 2]") == "1:4 expected ',' or ']'");
  CHECK(error_of("{\"a\": \"\\q\"}") == "1:8 invalid escape '\\q'");
  CHECK(error_of("{} x") == "1:4 unexpected text after the JSON value");
  CHECK(error_of("{\"a\": \"\xff\"}") == "1:8 invalid UTF-8");
}
