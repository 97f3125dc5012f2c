#include <catch2/catch.hpp>
#include <string>

#include "etl/error.hpp"
#include "etl/text_decoder.hpp"

namespace {

// The UTF-8 of `bytes` decoded in two parts cut at `cut`, as reads of any size hand them over.
std::string decoded(const std::string& encoding, const std::string& bytes, std::size_t cut) {
  auto decoder = etl::TextDecoder::for_encoding(encoding);
  std::string out;
  decoder->decode(std::string_view(bytes).substr(0, cut), false, out, "in");
  decoder->decode(std::string_view(bytes).substr(cut), true, out, "in");
  return out;
}

}  // namespace

TEST_CASE("text decoded from another encoding is the same wherever the reads cut it", "[decoder]") {
  // "Jos\u00e9 \u20ac \u201cq\u201d \U0001F600" in cp1252 (no emoji there) and UTF-16 both ways.
  const std::string cp1252 = "Jos\xe9 \x80 \x93q\x94";
  const std::string want1252 = "Jos\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d";
  const std::string le =
      std::string("\xff\xfe", 2) + std::string("J\0\xe9\0\xac\x20=\xd8\0\xde", 10);
  const std::string be =
      std::string("\xfe\xff", 2) + std::string("\0J\0\xe9\x20\xac\xd8=\xde\0", 10);
  const std::string want16 = "J\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  for (std::size_t cut = 0; cut <= cp1252.size(); ++cut)
    CHECK(decoded("cp1252", cp1252, cut) == want1252);
  for (std::size_t cut = 0; cut <= le.size(); ++cut) {
    CHECK(decoded("utf-16", le, cut) == want16);
    CHECK(decoded("UTF-16", be, cut) == want16);
  }
}

TEST_CASE("what an encoding cannot read is an error, never a guess", "[decoder]") {
  CHECK(etl::TextDecoder::for_encoding("") == nullptr);
  CHECK(etl::TextDecoder::for_encoding("utf_8") == nullptr);
  CHECK_THROWS_AS(etl::TextDecoder::for_encoding("no-such-encoding"), etl::UsageError);
  CHECK_THROWS_WITH(decoded("cp1252", "ab\x81", 1), Catch::Contains("byte 0x81 at offset 2"));
  CHECK_THROWS_WITH(decoded("utf-16le", std::string("a\0b", 3), 3),
                    Catch::Contains("ends inside a utf-16le character"));
  // UTF-8 read as a single-byte encoding would turn each character into two.
  CHECK_THROWS_WITH(decoded("latin1", "caf\xc3\xa9", 5), Catch::Contains("are UTF-8, not latin1"));
  CHECK(decoded("latin1", "caf\xe9", 2) == "caf\xc3\xa9");
  // UTF-16 is not ASCII as itself, so UTF-8-looking bytes in it are not suspect.
  CHECK(decoded("utf-16le", std::string("\xc3\xa9", 2), 1) == "\xea\xa7\x83");
}
