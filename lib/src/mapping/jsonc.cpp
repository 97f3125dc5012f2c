#include "etl/mapping/jsonc.hpp"

#include <fmt/format.h>

#include "etl/utf8.hpp"

namespace etl::mapping {
namespace {

constexpr int kMaxDepth = 256;

class Parser {
 public:
  explicit Parser(std::string_view t) : m_text(t) {}

  JsoncNode parse_document() {
    skip_space();
    JsoncNode root = parse_value(0);
    skip_space();
    if (m_i < m_text.size()) fail("unexpected text after the JSON value");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& message) { throw JsoncError(pos(), message); }
  SourcePos pos() const { return {m_line, m_column}; }
  bool at_end() const { return m_i >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_i]; }

  void advance() {
    char c = m_text[m_i++];
    if (c == '\n') {
      ++m_line;
      m_column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++m_column;
    }
  }
  void skip_space() {
    for (;;) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/' && m_i + 1 < m_text.size() && m_text[m_i + 1] == '/') {
        while (!at_end() && peek() != '\n') advance();
      } else if (c == '/' && m_i + 1 < m_text.size() && m_text[m_i + 1] == '*') {
        SourcePos start = pos();
        advance();
        advance();
        while (!(peek() == '*' && m_i + 1 < m_text.size() && m_text[m_i + 1] == '/')) {
          if (at_end()) throw JsoncError(start, "unterminated /* comment");
          advance();
        }
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  void expect_word(std::string_view word) {
    if (m_text.substr(m_i, word.size()) != word) fail("expected a JSON value");
    for (std::size_t k = 0; k < word.size(); ++k) advance();
  }

  JsoncNode parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 256 levels");
    JsoncNode n;
    n.pos = pos();
    char c = peek();
    switch (c) {
      case '{':
        n.kind = JsoncNode::Kind::Object;
        parse_object(n, depth);
        break;
      case '[':
        n.kind = JsoncNode::Kind::Array;
        parse_array(n, depth);
        break;
      case '"':
        n.kind = JsoncNode::Kind::String;
        parse_string(n.text, &n.columns);
        break;
      case 't':
        expect_word("true");
        n.kind = JsoncNode::Kind::Bool;
        n.boolean = true;
        break;
      case 'f':
        expect_word("false");
        n.kind = JsoncNode::Kind::Bool;
        break;
      case 'n':
        expect_word("null");
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          n.kind = JsoncNode::Kind::Number;
          std::size_t start = m_i;
          while (!at_end() &&
                 std::string_view("+-.eE0123456789").find(peek()) != std::string_view::npos)
            advance();
          n.text = std::string(m_text.substr(start, m_i - start));
          if (!is_json_number(n.text)) throw JsoncError(n.pos, "invalid number '" + n.text + "'");
        } else if (at_end()) {
          fail("unexpected end of file, expected a JSON value");
        } else {
          fail("expected a JSON value");
        }
    }
    return n;
  }

  void parse_object(JsoncNode& n, int depth) {
    advance();  // {
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      if (peek() != '"')
        fail(at_end() ? "unexpected end of file in an object" : "expected a quoted key");
      JsoncMember m;
      m.key_pos = pos();
      parse_string(m.key, nullptr);
      for (const auto& other : n.members)
        if (other.key == m.key) throw JsoncError(m.key_pos, "duplicate key '" + m.key + "'");
      skip_space();
      if (peek() != ':') fail("expected ':' after the key");
      advance();
      skip_space();
      m.value = parse_value(depth + 1);
      n.members.push_back(std::move(m));
      skip_space();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() != '}')
        fail(at_end() ? "unexpected end of file in an object" : "expected ',' or '}'");
      break;
    }
    advance();  // }
  }

  void parse_array(JsoncNode& n, int depth) {
    advance();  // [
    for (;;) {
      skip_space();
      if (peek() == ']') break;
      n.items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() != ']')
        fail(at_end() ? "unexpected end of file in an array" : "expected ',' or ']'");
      break;
    }
    advance();  // ]
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = peek();
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("invalid \\u escape");
      advance();
    }
    return v;
  }

  void parse_string(std::string& out, std::vector<int>* columns) {
    SourcePos start = pos();
    advance();  // "
    for (;;) {
      if (at_end()) throw JsoncError(start, "unterminated string");
      char c = peek();
      if (c == '"') break;
      if (c == '\n') throw JsoncError(start, "unterminated string (a string cannot span lines)");
      if (static_cast<unsigned char>(c) < 0x20)
        fail("control character in a string; write it as an escape");
      int column = m_column;
      if (c != '\\') {
        out.push_back(c);
        advance();
      } else {
        advance();
        char e = peek();
        if (at_end()) throw JsoncError(start, "unterminated string");
        advance();
        switch (e) {
          case '"':
            out.push_back('"');
            break;
          case '\\':
            out.push_back('\\');
            break;
          case '/':
            out.push_back('/');
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            unsigned cp = hex4();
            if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && m_i + 1 < m_text.size() &&
                m_text[m_i + 1] == 'u') {
              advance();
              advance();
              unsigned low = hex4();
              if (low < 0xDC00 || low > 0xDFFF) fail("invalid surrogate pair");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
              fail("lone surrogate in \\u escape");
            }
            append_utf8(out, cp);
            break;
          }
          default:
            throw JsoncError({m_line, column}, fmt::format("invalid escape '\\{}'", e));
        }
      }
      if (columns) columns->resize(out.size(), column);
    }
    advance();  // "
  }

  std::string_view m_text;
  std::size_t m_i = 0;
  int m_line = 1;
  int m_column = 1;
};

}  // namespace

const JsoncNode* JsoncNode::find(std::string_view key) const {
  for (const auto& m : members)
    if (m.key == key) return &m.value;
  return nullptr;
}

SourcePos JsoncNode::position_at(std::size_t offset) const {
  if (columns.empty()) return {pos.line, pos.column + 1};
  if (offset >= columns.size()) return {pos.line, columns.back() + 1};
  return {pos.line, columns[offset]};
}

Value JsoncNode::to_value() const {
  switch (kind) {
    case Kind::Null:
      return Value::null();
    case Kind::Bool:
      return Value::boolean(boolean);
    case Kind::Number:
      return Value::number(text);
    case Kind::String:
      return Value::string(text);
    case Kind::Array: {
      Value v = Value::array();
      for (const auto& i : items) v.items().push_back(i.to_value());
      return v;
    }
    case Kind::Object: {
      Value v = Value::object();
      for (const auto& m : members) v.members().push_back({m.key, m.value.to_value()});
      return v;
    }
  }
  return Value::null();
}

std::string JsoncNode::kind_name() const {
  switch (kind) {
    case Kind::Null:
      return "null";
    case Kind::Bool:
      return "a boolean";
    case Kind::Number:
      return "a number";
    case Kind::String:
      return "a string";
    case Kind::Array:
      return "an array";
    case Kind::Object:
      return "an object";
  }
  return "?";
}

JsoncNode parse_jsonc(std::string_view text) {
  if (std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    SourcePos p;
    for (std::size_t k = 0; k < bad; ++k) {
      if (text[k] == '\n') {
        ++p.line;
        p.column = 1;
      } else if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) {
        ++p.column;
      }
    }
    throw JsoncError(p, "invalid UTF-8");
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return Parser(text).parse_document();
}

}  // namespace etl::mapping
