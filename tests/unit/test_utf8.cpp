#include <catch2/catch.hpp>

#include "etl/utf8.hpp"

TEST_CASE("utf8 validation finds the first bad byte", "[utf8]") {
  CHECK(etl::is_valid_utf8("plain ascii, long enough for the 8-byte path"));
  CHECK(etl::is_valid_utf8("Zoë Łukasz Østergaard 日本 \xF0\x9F\x98\x80"));
  CHECK(etl::find_invalid_utf8("abcdefghij\xC3") == 10);   // truncated sequence
  CHECK(etl::find_invalid_utf8("ab\xC0\xAF") == 2);        // overlong
  CHECK(etl::find_invalid_utf8("ab\xED\xA0\x80") == 2);    // surrogate U+D800
  CHECK(etl::find_invalid_utf8("\xF4\x90\x80\x80") == 0);  // past U+10FFFF
  CHECK(etl::find_invalid_utf8("caf\xE9") == 3);           // Latin-1
}

#include "etl/base64.hpp"
#include "etl/binary.hpp"

TEST_CASE("bytes travel as {\"$base64\": …} and come back exactly", "[binary]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (std::size_t n : {0, 1, 2, 3, 4, 255, 256}) {
    std::string bytes = all.substr(0, n);
    etl::Value v = etl::bytes_value(bytes);
    CHECK(etl::is_bytes(v));
    CHECK(etl::bytes_of(v) == bytes);
    CHECK(etl::from_bytea_hex(etl::bytea_hex(bytes)) == bytes);
  }
  CHECK(etl::base64_encode("\xff\xd8\xff") == "/9j/");
  CHECK_FALSE(etl::base64_decode("/9j"));    // not padded
  CHECK_FALSE(etl::base64_decode("/9j/ "));  // a space
  CHECK_FALSE(etl::base64_decode("AB=="));   // stray bits: not canonical
  CHECK_FALSE(etl::from_bytea_hex("\\x0"));  // half a byte
  etl::Value two = etl::Value::object();
  two.members().push_back({"$base64", etl::Value::string("")});
  two.members().push_back({"x", etl::Value::string("")});
  CHECK_FALSE(etl::is_bytes(two));
}

TEST_CASE("terminal_safe escapes control characters and bytes that are not UTF-8", "[utf8]") {
  CHECK(etl::terminal_safe("plain Zoë\tline\nnext") == "plain Zoë\tline\nnext");
  CHECK(etl::terminal_safe("\x1b[31mred\x07") == "\\x1b[31mred\\x07");
  CHECK(etl::terminal_safe("a\r\x7f") == "a\\x0d\\x7f");
  CHECK(etl::terminal_safe("\xc2\x9b"
                           "2J") == "\\u009b2J");  // C1 CSI
  CHECK(etl::terminal_safe("caf\xe9!") == "caf\\xe9!");
  CHECK(etl::terminal_safe("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
}

TEST_CASE("case changes of every ASCII byte, and of ASCII beside other text", "[utf8]") {
  std::string all, upper, lower;
  for (int c = 1; c < 128; ++c) {
    all.push_back(static_cast<char>(c));
    upper.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  CHECK(etl::utf8_change_case(all, true) == upper);
  CHECK(etl::utf8_change_case(all, false) == lower);
  CHECK(etl::utf8_change_case(all + "é", true) == upper + "É");
  CHECK(etl::utf8_change_case("É" + all, false) == "é" + lower);
}

TEST_CASE("utf8 validation finds a bad byte at any place, after any good ones", "[utf8]") {
  // The scans skip ASCII 16 and 8 bytes at a time and jump to the first byte that is not: every
  // place of every length, with a good two-byte character before it or not.
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t at = 0; at < n; ++at) {
      std::string s(n, 'a');
      s[at] = '\xFF';
      CHECK(etl::find_invalid_utf8(s) == at);
      if (at >= 2) {
        std::string with_good = s;
        with_good[at / 2 - 1] = '\xC3';
        with_good[at / 2] = '\xA9';
        CHECK(etl::find_invalid_utf8(with_good) == at);
      }
      std::string good(n, 'a');
      if (at + 1 < n) {
        good[at] = '\xC3';
        good[at + 1] = '\xA9';
      }
      CHECK(etl::is_valid_utf8(good));
    }
}
