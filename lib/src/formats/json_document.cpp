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
    : m_in(path),
      m_json(m_in),
      m_name(m_in.name()),
      m_pointer(records_path.empty() ? "/" : records_path),
      m_path_given(!records_path.empty()),
      m_tokens(pointer_tokens(records_path)) {
  start_document();
}

void JsonDocumentReader::fail(const std::string& message) const {
  throw DataError(fmt::format("{}:{}:{}: {}", m_name, m_json.line(), m_json.column(), message));
}

// Opens the next document at its records array; false at the end of input after a document.
bool JsonDocumentReader::start_document() {
  m_json.skip_whitespace();
  if (m_documents > 0) {
    if (m_json.at_end()) return false;
    char c = m_json.Peek();
    if (c != '{' && c != '[')
      fail(fmt::format("unexpected '{}' after the end of the JSON document", c));
  }
  ++m_documents;
  seek_records();
  m_index_in_array = 0;
  m_in_array = true;
  return true;
}

// Walks to the records array without building the values it passes over.
void JsonDocumentReader::seek_records() {
  m_levels.clear();
  for (const std::string& token : m_tokens) {
    m_json.skip_whitespace();
    char open = m_json.Peek();
    if (open != '{' && open != '[') fail(fmt::format("records path '{}' not found", m_pointer));
    m_json.Take();
    m_levels.push_back({open, token});
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
    if (!found) fail(fmt::format("records path '{}' not found", m_pointer));
  }
  m_json.skip_whitespace();
  // An object at a records path given is one record; a document that is an object and no
  // records path may be a page whose array is wanted: reading it as one record is not guessed.
  m_single = m_json.Peek() == '{' && m_path_given;
  if (!m_single && m_json.Take() != '[')
    throw DataError(fmt::format(
        "{}: records path '{}' is not an array{}", m_name, m_pointer,
        m_path_given ? " or an object"
                     : " (use --records-path: the path of the array, or / to read the object as "
                       "one record)"));
}

// Reads the rest of every container around the records array, so that a document cut off
// after its records, or a second value under the records path's key, is not passed over.
void JsonDocumentReader::finish_document() {
  for (auto level = m_levels.rbegin(); level != m_levels.rend(); ++level) {
    char close = level->open == '{' ? '}' : ']';
    auto check_not_at_end = [&] {
      m_json.skip_whitespace();
      if (m_json.at_end()) fail(fmt::format("the document ends before its closing '{}'", close));
    };
    for (;;) {
      check_not_at_end();
      if (m_json.Peek() == close) {
        m_json.Take();
        break;
      }
      if (m_json.Take() != ',') fail(fmt::format("expected ',' or '{}'", close));
      check_not_at_end();
      if (level->open == '{') {
        Value key;
        if (auto err = m_json.parse_value(key)) fail(err->message);
        if (key.kind() != Value::Kind::String) fail("expected an object key");
        if (key.text() == level->token)
          fail(fmt::format("key '{}' of the records path '{}' appears twice", key.text(),
                           m_pointer));
        m_json.skip_whitespace();
        if (m_json.Take() != ':') fail("expected ':' after an object key");
      }
      check_not_at_end();
      if (auto err = m_json.skip_value()) fail(err->message);
    }
  }
}

bool JsonDocumentReader::next(Sourced& out) {
  for (;;) {
    if (!m_in_array) return false;
    m_json.skip_whitespace();
    if (m_single ? m_index_in_array == 0 : m_json.Peek() != ']') break;
    if (!m_single) m_json.Take();
    m_in_array = false;
    finish_document();
    if (!start_document()) return false;
  }
  if (m_index_in_array > 0) {
    if (m_json.Take() != ',') fail("expected ',' or ']' after a record");
    m_json.skip_whitespace();
  }
  if (m_json.at_end()) fail("unexpected end of input inside the records array");
  ++m_index_in_array;
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

void JsonArrayWriter::prepare() {
  if (m_closed) return;
  m_closed = true;
  m_out.buffer() += m_first ? "[]\n" : "\n]\n";
  m_out.prepare();
}

void JsonArrayWriter::commit() {
  prepare();
  m_out.publish();
}

}  // namespace etl
