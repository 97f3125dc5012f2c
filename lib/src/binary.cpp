#include "etl/binary.hpp"

#include "etl/base64.hpp"

namespace etl {

Value bytes_value(std::string_view bytes) {
  Value v = Value::object();
  v.members().push_back({std::string(kBytesMember), Value::string(base64_encode(bytes))});
  return v;
}

bool is_bytes(const Value& v) {
  return v.kind() == Value::Kind::Object && v.members().size() == 1 &&
         v.members()[0].key == kBytesMember && v.members()[0].value.kind() == Value::Kind::String;
}

std::optional<std::string> bytes_of(const Value& v) {
  if (!is_bytes(v)) return std::nullopt;
  return base64_decode(v.members()[0].value.text());
}

std::string bytea_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> from_bytea_hex(std::string_view text) {
  if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace etl
