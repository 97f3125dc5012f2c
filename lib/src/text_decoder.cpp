#include "etl/text_decoder.hpp"

#include <errno.h>
#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>

#include "etl/error.hpp"
#include "etl/utf8.hpp"

namespace etl {
namespace {

bool is_utf8_name(std::string encoding) {
  std::string plain;
  for (char c : encoding)
    if (c != '-' && c != '_') plain.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return plain.empty() || plain == "utf8";
}

iconv_t open_iconv(const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw UsageError(fmt::format(
        "--encoding {}: not an encoding iconv knows (cp1252, latin1, utf-16…; iconv -l lists them)",
        encoding));
  return cd;
}

// Whether the encoding reads ASCII text as itself, as every single-byte Windows and ISO code
// page does and UTF-16 does not.
bool keeps_ascii(const std::string& encoding) {
  iconv_t cd = open_iconv(encoding);
  char probe[] = "id,Name;\"x\"\n09";
  char out[64];
  char* in = probe;
  char* to = out;
  std::size_t in_left = sizeof probe - 1, out_left = sizeof out;
  std::size_t r = iconv(cd, &in, &in_left, &to, &out_left);
  iconv_close(cd);
  return r != static_cast<std::size_t>(-1) && in_left == 0 &&
         std::string_view(out, static_cast<std::size_t>(to - out)) == probe;
}

// Where bytes past ASCII stop being valid UTF-8 (size: never), ignoring a character cut at the
// end of the block; and whether any such byte came before.
std::size_t utf8_run(std::string_view bytes, bool& past_ascii) {
  std::size_t bad = find_invalid_utf8(bytes);
  std::size_t end = bad == std::string_view::npos ? bytes.size() : bad;
  past_ascii = std::any_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(end),
                           [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (bad != std::string_view::npos && bytes.size() - bad < 4) {
    // A lead byte and continuation bytes up to the end: a character the next block ends.
    auto lead = static_cast<unsigned char>(bytes[bad]);
    bool cut = lead >= 0xC2 && lead <= 0xF4;
    for (std::size_t i = bad + 1; cut && i < bytes.size(); ++i)
      cut = (static_cast<unsigned char>(bytes[i]) & 0xC0) == 0x80;
    if (cut) return bytes.size();
  }
  return end;
}

}  // namespace

std::unique_ptr<TextDecoder> TextDecoder::for_encoding(const std::string& encoding) {
  if (is_utf8_name(encoding)) return nullptr;
  bool ascii = keeps_ascii(encoding);
  return std::unique_ptr<TextDecoder>(new TextDecoder(open_iconv(encoding), encoding, ascii));
}

TextDecoder::TextDecoder(void* cd, std::string encoding, bool ascii_kept)
    : m_cd(cd), m_encoding(std::move(encoding)), m_ascii_kept(ascii_kept) {}

TextDecoder::~TextDecoder() {
  iconv_close(static_cast<iconv_t>(m_cd));
}

void TextDecoder::refuse_utf8(std::string_view bytes, const std::string& name) const {
  bool past_ascii = false;
  if (utf8_run(bytes, past_ascii) != bytes.size() || !past_ascii) return;
  auto at = static_cast<std::size_t>(
      std::find_if(bytes.begin(), bytes.end(),
                   [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) -
      bytes.begin());
  throw DataError(fmt::format(
      "{}: the bytes from offset {} are UTF-8, not {}: read as {} each such character would "
      "become two or three others; leave --encoding out for a UTF-8 input",
      name, m_offset + m_carry.size() + at, m_encoding, m_encoding));
}

void TextDecoder::decode(std::string_view bytes, bool at_end, std::string& out,
                         const std::string& name) {
  if (m_ascii_kept) refuse_utf8(bytes, name);
  m_carry.append(bytes);
  char* in = m_carry.data();
  std::size_t in_left = m_carry.size();
  auto cd = static_cast<iconv_t>(m_cd);
  while (in_left > 0) {
    std::size_t at = out.size();
    out.resize(at + in_left * 4 + 16);
    char* to = out.data() + at;
    std::size_t out_left = out.size() - at;
    std::size_t r = iconv(cd, &in, &in_left, &to, &out_left);
    out.resize(static_cast<std::size_t>(to - out.data()));
    if (r != static_cast<std::size_t>(-1) || errno == E2BIG) continue;
    auto offset = m_offset + static_cast<std::uint64_t>(in - m_carry.data());
    if (errno == EILSEQ)
      throw DataError(fmt::format("{}: byte 0x{:02X} at offset {} is not a character in {}", name,
                                  static_cast<unsigned char>(*in), offset, m_encoding));
    if (errno != EINVAL) throw DataError(fmt::format("{}: cannot decode {}", name, m_encoding));
    if (at_end)
      throw DataError(fmt::format("{}: the input ends inside a {} character (offset {})", name,
                                  m_encoding, offset));
    break;  // the start of a character: the next bytes end it
  }
  m_offset += static_cast<std::uint64_t>(in - m_carry.data());
  m_carry.erase(0, static_cast<std::size_t>(in - m_carry.data()));
}

}  // namespace etl
