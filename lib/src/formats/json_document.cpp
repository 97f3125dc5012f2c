#include "etl/formats/json_document.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

// RFC 6901 tokens of "/data/items" (~1 is '/', ~0 is '~').
std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty() || pointer == "/") return tokens;
  if (pointer[0] != '/')
    throw UsageError(fmt::format("--records-path '{}' must start with '/'", pointer));
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    std::size_t end = pointer.find('/', pos + 1);
    if (end == std::string::npos) end = pointer.size();
    std::string token = pointer.substr(pos + 1, end - pos - 1);
    for (std::size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
    for (std::size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
    tokens.push_back(token);
    pos = end;
  }
  return tokens;
}

}  // namespace

JsonDocumentReader::JsonDocumentReader(const std::string& path, const std::string& records_path)
    : m_in(path), m_json(m_in), m_name(m_in.name()) {
  seek_records(records_path);
}

void JsonDocumentReader::fail(const std::string& message) const {
  throw DataError(fmt::format("{}:{}:{}: {}", m_name, m_json.line(), m_json.column(), message));
}

// Walks to the records array without building the values it passes over.
void JsonDocumentReader::seek_records(const std::string& pointer) {
  const std::string shown = pointer.empty() ? "/" : pointer;
  for (const std::string& token : pointer_tokens(pointer)) {
    m_json.skip_whitespace();
    char open = m_json.Peek();
    if (open != '{' && open != '[')
      throw DataError(fmt::format("{}: records path '{}' not found", m_name, shown));
    m_json.Take();
    bool found = false;
    for (std::size_t index = 0;; ++index) {
      m_json.skip_whitespace();
      if (m_json.Peek() == (open == '{' ? '}' : ']')) break;
      if (index > 0) {
        if (m_json.Take() != ',') fail("expected ',' or the end of the container");
        m_json.skip_whitespace();
      }
      bool match = false;
      if (open == '{') {
        Value key;
        if (auto err = m_json.parse_value(key)) fail(err->message);
        if (key.kind() != Value::Kind::String) fail("expected an object key");
        m_json.skip_whitespace();
        if (m_json.Take() != ':') fail("expected ':' after an object key");
        m_json.skip_whitespace();
        match = key.text() == token;
      } else {
        match = token == std::to_string(index);
      }
      if (match) {
        found = true;
        break;
      }
      if (auto err = m_json.skip_value()) fail(err->message);
    }
    if (!found) throw DataError(fmt::format("{}: records path '{}' not found", m_name, shown));
  }
  m_json.skip_whitespace();
  if (m_json.Take() != '[')
    throw DataError(
        fmt::format("{}: records path '{}' is not an array (use --records-path)", m_name, shown));
}

bool JsonDocumentReader::next(Sourced& out) {
  if (m_done) return false;
  m_json.skip_whitespace();
  if (m_json.Peek() == ']') {
    m_json.Take();
    m_done = true;
    return false;
  }
  if (m_index > 0) {
    if (m_json.Take() != ',') fail("expected ',' or ']' after a record");
    m_json.skip_whitespace();
  }
  if (m_json.Peek() == '\0') fail("unexpected end of input inside the records array");
  ++m_index;
  out.where.source = m_name;
  out.where.line = 0;
  out.where.detail = fmt::format("record {}", m_index);
  out.reject_reason.clear();
  out.raw.clear();
  if (auto err = m_json.parse_value(m_item)) fail(err->message);
  if (m_item.kind() != Value::Kind::Object) {
    out.record.clear();
    out.reject_reason = "not a JSON object";
    out.raw = to_json(m_item);
    return true;
  }
  out.record.fields() = std::move(m_item.members());
  m_item.members().clear();
  return true;
}

WriteResult JsonArrayWriter::write(const Sourced& in) {
  std::string& b = m_out.buffer();
  b += m_first ? "[\n" : ",\n";
  m_first = false;
  append_json(b, in.record);
  m_out.maybe_flush();
  return {};
}

void JsonArrayWriter::commit() {
  m_out.buffer() += m_first ? "[]\n" : "\n]\n";
  m_out.commit();
}

}  // namespace etl
