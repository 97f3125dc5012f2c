#include "etl/formats/json_walker.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"

namespace etl {

std::vector<std::string> json_pointer_tokens(const std::string& pointer) {
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

JsonRecordWalker::JsonRecordWalker(JsonStream& json, const std::string& records_path, Fail fail)
    : m_json(json),
      m_pointer(records_path.empty() ? "/" : records_path),
      m_path_given(!records_path.empty()),
      m_tokens(json_pointer_tokens(records_path)),
      m_fail(std::move(fail)) {}

void JsonRecordWalker::fail(Problem problem, const std::string& message) const {
  m_fail(problem, message);
  throw DataError(message);
}

// The next value, parsed into kept, or skipped when nothing is kept.
void JsonRecordWalker::pass_over(Value* kept) {
  auto err = kept ? m_json.parse_value(*kept) : m_json.skip_value();
  if (err) fail(Problem::Syntax, err->message);
}

std::string JsonRecordWalker::read_key() {
  Value key;
  if (auto err = m_json.parse_value(key)) fail(Problem::Syntax, err->message);
  if (key.kind() != Value::Kind::String) fail(Problem::Syntax, "expected an object key");
  return key.text();
}

void JsonRecordWalker::take_colon() {
  m_json.skip_whitespace();
  if (m_json.Take() != ':') fail(Problem::Syntax, "expected ':' after an object key");
  m_json.skip_whitespace();
}

// A new member of a kept object; a key it has already is an error, as in any parsed object (a
// page's paging field must not be two things).
Value* JsonRecordWalker::keep_member(Value& object, const std::string& key) {
  for (const auto& m : object.members())
    if (m.key == key) fail(Problem::Syntax, fmt::format("key '{}' appears twice", key));
  object.members().push_back({key, Value()});
  return &object.members().back().value;
}

void JsonRecordWalker::start(Value* envelope) {
  m_index = 0;
  seek_records(envelope);
  m_in_records = true;
}

// Walks to the records without building the values it passes over, unless they are kept.
void JsonRecordWalker::seek_records(Value* kept) {
  m_levels.clear();
  for (const std::string& token : m_tokens) {
    m_json.skip_whitespace();
    char open = m_json.Peek();
    if (open != '{' && open != '[')
      fail(Problem::PathMissing, fmt::format("records path '{}' not found", m_pointer));
    m_json.Take();
    if (kept) *kept = open == '{' ? Value::object() : Value::array();
    m_levels.push_back({open, token, kept});
    Value* inside = nullptr;
    bool found = false;
    for (std::size_t index = 0; !found; ++index) {
      m_json.skip_whitespace();
      if (m_json.Peek() == (open == '{' ? '}' : ']'))
        fail(Problem::PathMissing, fmt::format("records path '{}' not found", m_pointer));
      if (index > 0) {
        if (m_json.Take() != ',') fail(Problem::Syntax, "expected ',' or the end of the container");
        m_json.skip_whitespace();
      }
      std::string key;
      if (open == '{') {
        key = read_key();
        take_colon();
      }
      bool match = open == '{' ? key == token : token == std::to_string(index);
      Value* slot = nullptr;
      if (kept && open == '{') {
        slot = keep_member(*kept, key);
      } else if (kept) {
        kept->items().emplace_back();
        slot = &kept->items().back();
      }
      if (match) {
        found = true;
        inside = slot;
      } else {
        pass_over(slot);
      }
    }
    kept = inside;
  }
  m_json.skip_whitespace();
  // An object at a records path given is one record; a document that is an object and no
  // records path may be a page whose array is wanted: reading it as one record is not guessed.
  m_single = m_json.Peek() == '{' && m_path_given;
  if (!m_single && m_json.Take() != '[')
    fail(Problem::NotRecords,
         fmt::format("records path '{}' is not an array{}", m_pointer,
                     m_path_given ? " or an object"
                                  : " (use --records-path: the path of the array, or / to read "
                                    "the object as one record)"));
  if (kept) *kept = m_single ? Value() : Value::array();
}

// Reads the rest of every container around the records array, so that a document cut off
// after its records, or a second value under the records path's key, is not passed over.
void JsonRecordWalker::finish_document() {
  for (auto level = m_levels.rbegin(); level != m_levels.rend(); ++level) {
    char close = level->open == '{' ? '}' : ']';
    auto check_not_at_end = [&] {
      m_json.skip_whitespace();
      if (m_json.at_end())
        fail(Problem::Syntax, fmt::format("the document ends before its closing '{}'", close));
    };
    for (;;) {
      check_not_at_end();
      if (m_json.Peek() == close) {
        m_json.Take();
        break;
      }
      if (m_json.Take() != ',') fail(Problem::Syntax, fmt::format("expected ',' or '{}'", close));
      check_not_at_end();
      Value* slot = nullptr;
      if (level->open == '{') {
        std::string key = read_key();
        if (key == level->token)
          fail(Problem::Syntax,
               fmt::format("key '{}' of the records path '{}' appears twice", key, m_pointer));
        take_colon();
        if (level->kept) slot = keep_member(*level->kept, key);
      } else if (level->kept) {
        level->kept->items().emplace_back();
        slot = &level->kept->items().back();
      }
      check_not_at_end();
      pass_over(slot);
    }
  }
}

bool JsonRecordWalker::next(Value& item) {
  if (!m_in_records) return false;
  m_json.skip_whitespace();
  if (m_single ? m_index > 0 : m_json.Peek() == ']') {
    if (!m_single) m_json.Take();
    m_in_records = false;
    finish_document();
    return false;
  }
  if (m_index > 0) {
    if (m_json.Take() != ',') fail(Problem::Syntax, "expected ',' or ']' after a record");
    m_json.skip_whitespace();
  }
  if (m_json.at_end()) fail(Problem::Syntax, "unexpected end of input inside the records array");
  ++m_index;
  if (auto err = m_json.parse_value(item)) fail(Problem::Syntax, err->message);
  return true;
}

}  // namespace etl
