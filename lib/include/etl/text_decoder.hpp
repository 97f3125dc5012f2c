#pragma once
// Input text in an encoding other than UTF-8 (--encoding cp1252, latin1, utf-16 …: what iconv
// knows), turned into UTF-8 as it is read, so that an ERP's Windows export is read as it was
// meant rather than rejected line by line.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace etl {

// A byte the encoding has no character for, or an input that ends inside a character, is a
// DataError naming its offset. So is an input that is UTF-8 already when the encoding is a
// single-byte one (a block whose bytes past ASCII are all valid UTF-8): read as cp1252, its
// 'é' would silently become 'Ã©'.
class TextDecoder {
 public:
  // nullptr for UTF-8 (or ""): nothing to do. UsageError for an encoding iconv does not know.
  static std::unique_ptr<TextDecoder> for_encoding(const std::string& encoding);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  // Appends the UTF-8 of `bytes`, which go on from the last call's, to out; at_end: no more
  // bytes come. `name` names the input in errors.
  void decode(std::string_view bytes, bool at_end, std::string& out, const std::string& name);

 private:
  TextDecoder(void* cd, std::string encoding, bool ascii_kept);
  void refuse_utf8(std::string_view bytes, const std::string& name) const;

  void* m_cd;  // iconv_t
  std::string m_encoding;
  bool m_ascii_kept;           // ASCII bytes are themselves (cp1252, latin1; not UTF-16)
  std::string m_carry;         // the start of a character the next bytes end
  std::uint64_t m_offset = 0;  // of the first byte of m_carry (else of the next bytes) in the input
};

}  // namespace etl
