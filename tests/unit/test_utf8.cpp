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
