#pragma once
// JSON text <-> Value, through RapidJSON's SAX reader: numbers kept as text, UTF-8 checked
// strictly (lone surrogates rejected), nesting limited so deep input cannot exhaust the stack.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etl/value.hpp"

namespace etl {

inline constexpr std::size_t kMaxJsonDepth = 512;

struct JsonParseError {
  std::size_t offset = 0;  // byte offset into the text
  std::size_t line = 1;    // 1-based line of offset
  std::size_t column = 1;  // 1-based byte column of offset
  std::string message;
  bool number_too_big = false;  // RapidJSON refused a number beyond a double's range
};

// Parses one complete JSON text (anything after it but whitespace is an error).
// Returns the error, or nothing on success with the result in out.
std::optional<JsonParseError> parse_json(std::string_view text, Value& out);
// Parses one JSON object into out, reusing out's members where the keys repeat (the fast path
// of NDJSON readers). not_object is set when the text is JSON but not an object; out is then
// left in an unspecified state, as it is on any error.
std::optional<JsonParseError> parse_json_record(std::string_view text, Record& out,
                                                bool& not_object);

// parse_json_record for a stream of records: a fast path takes the common lines (valid UTF-8,
// shallow, keys as the last record's) and hands anything else to parse_json_record, so the
// results and errors are the same.
class JsonRecordParser {
 public:
  std::optional<JsonParseError> parse(std::string_view text, Record& out, bool& not_object);
  // From now on a record may hold only these of its fields (those a mapping reads): the others
  // are checked as fully as ever, and left out. Empty: every field.
  void project(std::vector<std::string> fields) {
    m_projection = std::move(fields);
    m_keys.clear();  // (the projection is made for the next keys read)
    m_quoted_keys.clear();
    m_wanted_at.clear();
  }

 private:
  std::vector<std::string> m_keys;         // the last record's keys, known to hold no repeat
  std::vector<std::string> m_quoted_keys;  // each in its quotes, or "" (see quoted_as_is)
  std::string m_scratch;                   // a string with escapes, decoded
  std::vector<std::string> m_projection;
  std::vector<char> m_wanted_at;  // whether m_keys[i] is in the projection (empty: none)
  Value m_skipped;                // what a value left out is read into when not a string
};

// The first key that an object's members hold twice, or nullptr. A JSON text with a key twice
// in one object is refused by every parser here (RFC 8259 leaves its meaning open).
const std::string* repeated_key(const std::vector<Member>& members);

// The value a JSON Pointer (RFC 6901: "", "/data/items", "/a~1b/0") names in root, or nullptr.
const Value* json_pointer(const Value& root, std::string_view pointer);

// Appends the JSON serialisation of v to out (compact, UTF-8 passed through).
void append_json(std::string& out, const Value& v);
void append_json(std::string& out, const Record& r);
void append_json_string(std::string& out, std::string_view s);
// The same without its quotes: the string's text, escaped.
void append_json_string_body(std::string& out, std::string_view s);
// The most bytes a byte of a string takes escaped (\u00XX).
inline constexpr std::size_t kJsonEscapedMost = 6;
// Text up to this long is escaped into room sized for the most it can take; longer text goes in
// pieces (append_json_string_body), so that a large one never asks for six times its size.
inline constexpr std::size_t kJsonEscapedInPlace = std::size_t{1} << 16;
// Writes s escaped, without quotes, from p, which has room for kJsonEscapedMost * s.size()
// bytes; returns the end of what it wrote. For writers that size their output first.
char* put_json_string_body(char* p, std::string_view s);

std::string to_json(const Value& v);

// Where the JSON value (or key string) that starts at `at` ends, in text as append_json writes
// it (compact): past its closing quote or bracket, or at the ',' or closing bracket after a
// scalar. For walking stored JSON without parsing it.
std::size_t json_value_end(std::string_view text, std::size_t at);
std::string to_json(const Record& r);

}  // namespace etl
