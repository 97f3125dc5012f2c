#include "etl/json.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "byte_scan.hpp"
#include "etl/bytes.hpp"
#include "etl/json_stream.hpp"
#include "etl/utf8.hpp"

namespace etl {

const std::string* repeated_key(const std::vector<Member>& members) {
  std::size_t n = members.size();
  if (n < 2) return nullptr;
  if (n <= 32) {
    for (std::size_t i = 1; i < n; ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (members[i].key == members[j].key) return &members[i].key;
    return nullptr;
  }
  std::vector<const std::string*> keys;
  keys.reserve(n);
  for (const auto& m : members) keys.push_back(&m.key);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (std::size_t i = 1; i < n; ++i)
    if (*keys[i] == *keys[i - 1]) return keys[i];
  return nullptr;
}

namespace {

// Builds a Value tree from SAX events with an explicit stack (RapidJSON's iterative mode),
// so nesting depth costs heap, not call stack, and is capped by kMaxJsonDepth.
// Builds a Value from SAX events. In record mode it fills a Record instead, reusing the
// previous record's members in place when the keys repeat (they nearly always do, line after
// line), so a stream of records costs no allocation per field.
class ValueBuilder {
 public:
  explicit ValueBuilder(Value& root, bool discard = false) : m_root(&root), m_discard(discard) {}
  explicit ValueBuilder(Record& record) : m_record(&record) {}

  std::string error;
  bool not_object = false;  // record mode: the text was JSON but not an object

  // Starts over for a second parse of the same text with its numbers masked (see mask_numbers).
  void restart(const std::vector<std::string>* numbers) {
    error.clear();
    not_object = false;
    m_in_record = false;
    m_field = 0;
    m_stack.clear();
    m_keys.clear();
    m_numbers = numbers;
    m_number_at = 0;
    m_shape_changed = true;
  }

  bool Null() { return top_level() ? slot().set_null(), true : put(Value()); }
  bool Bool(bool b) { return top_level() ? slot().set_bool(b), true : put(Value::boolean(b)); }
  bool Int(int) { return false; }  // unused: numbers arrive as strings
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::string_view sv(s, n);
    if (m_numbers) sv = (*m_numbers)[m_number_at++];  // the text that was masked
    if (top_level()) return slot().set_number(sv), true;
    return put(Value::number(sv));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view sv(s, n);
    if (!utf8_ok(sv)) return false;
    if (top_level()) return slot().set_string(sv), true;
    return put(Value::string(sv));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string_view sv(s, n);
    if (!utf8_ok(sv)) return false;
    if (m_record && m_stack.empty()) {
      auto& f = m_record->fields();
      if (m_field < f.size()) {
        if (f[m_field].key != sv) {
          f[m_field].key.assign(sv);
          m_shape_changed = true;
        }
      } else {
        f.push_back(Member{std::string(sv), Value()});
        m_shape_changed = true;
      }
      return true;
    }
    m_keys.emplace_back(sv);
    return true;
  }
  bool StartObject() {
    if (m_record && !m_in_record) {
      m_in_record = true;
      m_field = 0;
      return true;
    }
    return open(Value::object());
  }
  bool EndObject(rapidjson::SizeType) {
    if (m_record && m_stack.empty()) {
      auto& f = m_record->fields();
      if (m_field < f.size()) {
        f.resize(m_field);  // drops members the previous record had beyond
        m_shape_changed = true;
      }
      // Keys laid out as the previous record's, which had none twice, cannot repeat.
      if (m_shape_changed && !unique_keys(f)) return false;
      m_shape_changed = false;
      return true;
    }
    if (!unique_keys(m_stack.back().members())) return false;
    return close();
  }
  bool StartArray() { return open(Value::array()); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  // A scalar directly under the record's object.
  bool top_level() const { return m_record && m_in_record && m_stack.empty(); }
  Value& slot() { return m_record->fields()[m_field++].value; }
  // A key twice in one object is refused: which value counts would be a guess.
  bool unique_keys(const std::vector<Member>& members) {
    const std::string* twice = repeated_key(members);
    if (twice == nullptr) return true;
    error = "duplicate key \"" + *twice + "\" in an object";
    m_shape_changed = true;  // the record is refused: check the next one afresh
    return false;
  }
  bool utf8_ok(std::string_view sv) {
    if (is_valid_utf8(sv)) return true;
    error = "invalid UTF-8 in string (or a lone surrogate escape)";
    return false;
  }
  bool open(Value v) {
    if (m_record && !m_in_record) {  // an array at the top: not a record
      not_object = true;
      return false;
    }
    if (m_stack.size() >= kMaxJsonDepth) {
      error = fmt::format("nesting deeper than {} levels", kMaxJsonDepth);
      return false;
    }
    m_stack.push_back(std::move(v));
    return true;
  }
  bool close() {
    Value done = std::move(m_stack.back());
    m_stack.pop_back();
    if (m_record && m_stack.empty()) {
      slot() = std::move(done);
      return true;
    }
    return put(std::move(done));
  }
  bool put(Value v) {
    if (m_record && !m_in_record) {  // a scalar at the top: not a record
      not_object = true;
      return false;
    }
    if (m_discard && m_stack.empty()) return true;
    if (m_stack.empty()) {
      *m_root = std::move(v);
      return true;
    }
    Value& parent = m_stack.back();
    if (m_discard) {
      if (parent.kind() == Value::Kind::Object) m_keys.pop_back();
      return true;
    }
    if (parent.kind() == Value::Kind::Array) {
      parent.items().push_back(std::move(v));
    } else {
      parent.members().push_back(Member{std::move(m_keys.back()), std::move(v)});
      m_keys.pop_back();
    }
    return true;
  }

  Value* m_root = nullptr;
  Record* m_record = nullptr;
  bool m_discard = false;
  bool m_in_record = false;
  std::size_t m_field = 0;
  std::vector<Value> m_stack;
  std::vector<std::string> m_keys;
  const std::vector<std::string>* m_numbers = nullptr;
  std::size_t m_number_at = 0;
  bool m_shape_changed = true;  // record mode: a key differs from the previous record's
};

// No kParseValidateEncodingFlag: ValueBuilder checks every string and key itself, faster.
constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

std::string error_message(const rapidjson::ParseResult& r, const ValueBuilder& b) {
  if (!b.error.empty()) return b.error;
  if (r.Code() == rapidjson::kParseErrorStringInvalidEncoding) return "invalid UTF-8";
  std::string m = rapidjson::GetParseError_En(r.Code());
  if (!m.empty() && m.back() == '.') m.pop_back();
  return m;
}

}  // namespace

namespace {

// RapidJSON refuses numbers beyond a double's range (1e400, 309 digits) even when it hands
// numbers over as text. So that every valid JSON number keeps its exact text, a text it
// refused is parsed again with each number outside strings replaced by a 0 padded with spaces
// to the same length (so error offsets stay true); the builder puts the originals back in order.
bool mask_numbers(std::string& text, std::vector<std::string>& originals) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t n = json_number_length(std::string_view(text).substr(i));
      if (n == 0) return false;  // not a number: let the parser say where
      originals.emplace_back(text, i, n);
      text[i] = '0';
      std::fill_n(text.begin() + static_cast<std::ptrdiff_t>(i) + 1, n - 1, ' ');
      i += n - 1;
    }
  }
  return true;
}

// Runs the parser over text with builder; fills the error's place when it fails.
std::optional<JsonParseError> run_parser(std::string_view text, ValueBuilder& builder) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult ok = reader.Parse<kFlags>(ms, builder);
  std::string masked;
  std::vector<std::string> numbers;
  if (!ok && ok.Code() == rapidjson::kParseErrorNumberTooBig) {
    masked.assign(text);
    if (mask_numbers(masked, numbers)) {
      builder.restart(&numbers);
      ms = rapidjson::MemoryStream(masked.data(), masked.size());
      ok = reader.Parse<kFlags>(ms, builder);
    }
  }
  // RapidJSON's memory stream ends at a NUL byte; anything left after it is not JSON.
  if (ok && ms.Tell() >= text.size()) return std::nullopt;
  JsonParseError err;
  err.offset = ok ? ms.Tell() : ok.Offset();
  err.message = ok ? "unexpected NUL byte" : error_message(ok, builder);
  for (std::size_t i = 0; i < err.offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++err.line;
      err.column = 1;
    } else {
      ++err.column;
    }
  }
  return err;
}

}  // namespace

const Value* json_pointer(const Value& root, std::string_view pointer) {
  const Value* at = &root;
  while (!pointer.empty()) {
    if (pointer[0] != '/') return nullptr;
    pointer.remove_prefix(1);
    std::size_t end = pointer.find('/');
    std::string_view raw = pointer.substr(0, end);
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[++i] == '0' ? '~' : '/');
      } else {
        token.push_back(raw[i]);
      }
    }
    if (at->kind() == Value::Kind::Object) {
      const Value* found = nullptr;
      for (const auto& m : at->members())
        if (m.key == token) found = &m.value;
      if (!found) return nullptr;
      at = found;
    } else if (at->kind() == Value::Kind::Array) {
      if (token.empty() || token.size() > 18 ||
          token.find_first_not_of("0123456789") != std::string::npos)
        return nullptr;  // not an index, or one beyond any array
      std::size_t i = std::stoul(token);
      if (i >= at->items().size()) return nullptr;
      at = &at->items()[i];
    } else {
      return nullptr;
    }
  }
  return at;
}

std::optional<JsonParseError> parse_json(std::string_view text, Value& out) {
  ValueBuilder builder(out);
  return run_parser(text, builder);
}

std::optional<JsonParseError> parse_json_record(std::string_view text, Record& out,
                                                bool& not_object) {
  ValueBuilder builder(out);
  auto err = run_parser(text, builder);
  not_object = builder.not_object;
  return err;
}

char JsonStream::Peek() {
  if (m_pos == m_buf.size()) {
    if (m_capturing) {
      m_capture.append(m_buf, m_capture_from);
      m_capture_from = 0;
    }
    m_buf.resize(1 << 17);
    m_buf.resize(m_read(m_buf.data(), m_buf.size()));
    m_pos = 0;
    if (m_buf.empty()) return '\0';
  }
  return m_buf[m_pos];
}

char JsonStream::Take() {
  char c = Peek();
  if (m_pos < m_buf.size()) {
    ++m_pos;
    ++m_offset;
    if (c == '\n') {
      ++m_line;
      m_column = 1;
    } else {
      ++m_column;
    }
  }
  return c;
}

void JsonStream::skip_whitespace() {
  for (char c = Peek(); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = Peek()) Take();
}

namespace {
std::optional<JsonParseError> parse_from_stream(JsonStream& in, Value& out, bool discard) {
  ValueBuilder builder(out, discard);
  rapidjson::Reader reader;
  rapidjson::ParseResult ok = reader.Parse<kFlags | rapidjson::kParseStopWhenDoneFlag>(in, builder);
  if (ok) return std::nullopt;
  JsonParseError err;
  err.offset = in.Tell();
  err.line = in.line();
  err.column = in.column();
  err.message = error_message(ok, builder);
  err.number_too_big = ok.Code() == rapidjson::kParseErrorNumberTooBig;
  return err;
}
}  // namespace

std::optional<JsonParseError> JsonStream::parse_value(Value& out) {
  return parse_or_recover(out, false);
}

std::optional<JsonParseError> JsonStream::skip_value() {
  Value ignored;
  return parse_or_recover(ignored, true);
}

// The bytes of the value are kept as it is parsed, so that a number RapidJSON refuses as too
// big can be parsed again from its text (parse_json masks numbers; see mask_numbers).
std::optional<JsonParseError> JsonStream::parse_or_recover(Value& out, bool discard) {
  m_capturing = true;
  m_capture.clear();
  m_capture_from = m_pos;
  std::optional<JsonParseError> err = parse_from_stream(*this, out, discard);
  m_capturing = false;
  if (!err || !err->number_too_big) return err;
  std::string text = m_capture;
  text.append(m_buf, m_capture_from, m_pos - m_capture_from);
  read_rest_of_value(text);
  auto again = parse_json(text, out);
  if (!again) return std::nullopt;
  err->message = again->message;
  return err;
}

// Reads up to the end of the value that text begins, appending what it takes: past the
// bracket that closes it, or up to the first byte after a scalar.
void JsonStream::read_rest_of_value(std::string& text) {
  int depth = 0;
  bool in_string = false, escaped = false, started = false, scalar = false, done = false;
  // One byte of the value; false when the value ended before it (a scalar's end).
  auto step = [&](char c) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        done = depth == 0;
      }
      return true;
    }
    if (!started) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
      started = true;
      scalar = c != '{' && c != '[' && c != '"';
    }
    if (scalar) {
      done = !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
      return !done;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      done = true;
    }
    return true;
  };
  for (char c : text) step(c);
  while (!done && !at_end()) {
    if (!step(Peek())) break;
    text.push_back(Take());
  }
}

namespace {

// sep (if not 0), then s in quotes, then after (if not 0), in one append: most strings need no
// escape, and one length check beats a call per byte (push_back is not inlined here).
void append_plain_json_string(std::string& out, char sep, std::string_view s, char after) {
  std::size_t at = out.size();
  out.append(s.size() + 2 + (sep != 0) + (after != 0), '"');
  char* p = out.data() + at;
  if (sep != 0) *p++ = sep;
  copy_bytes(p + 1, s.data(), s.size());
  if (after != 0) p[s.size() + 2] = after;
}

}  // namespace

namespace {

char* put(char* p, std::string_view bytes) {
  copy_bytes(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

// The letter of a byte's two-character escape (\n for a line feed), or 0: \u00XX.
char escape_letter(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    default:
      return 0;
  }
}

}  // namespace

char* put_json_string_body(char* p, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* end = s.data() + s.size();
  // (most strings written here are short and need no escape, beside one that does)
  if (s.size() < 16 && scan::json_plain_tail(s.data(), end)) return put(p, s);
  const char* run = s.data();  // start of the pending run of bytes that need no escape
  for (const char* at = scan::json_string_stop(run, end); at < end;
       at = scan::json_string_stop(at + 1, end)) {
    p = put(p, std::string_view(run, static_cast<std::size_t>(at - run)));
    run = at + 1;
    auto c = static_cast<unsigned char>(*at);
    *p++ = '\\';
    if (char letter = escape_letter(c)) {
      *p++ = letter;
      continue;
    }
    std::memcpy(p, "u00", 3);
    p[3] = kHex[c >> 4];
    p[4] = kHex[c & 15];
    p += 5;
  }
  return put(p, std::string_view(run, static_cast<std::size_t>(end - run)));
}

void append_json_string_body(std::string& out, std::string_view s) {
  // (in pieces: a long text does not make the output six times its size for a moment; bytes are
  // escaped one by one, so a cut anywhere changes nothing)
  for (std::size_t from = 0; from < s.size(); from += kJsonEscapedInPlace) {
    std::string_view piece = s.substr(from, kJsonEscapedInPlace);
    std::size_t at = out.size();
    out.resize(at + kJsonEscapedMost * piece.size());
    out.resize(static_cast<std::size_t>(put_json_string_body(out.data() + at, piece) - out.data()));
  }
}

void append_json_string(std::string& out, std::string_view s) {
  const char* end = s.data() + s.size();
  if (scan::json_string_stop(s.data(), end) == end) return append_plain_json_string(out, 0, s, 0);
  out.push_back('"');
  append_json_string_body(out, s);
  out.push_back('"');
}

namespace {

// (keys and most values are short: two words looked at inline, not a call to the scan)
bool is_plain_json_string(std::string_view s) {
  const char* end = s.data() + s.size();
  if (s.size() < 16) return scan::json_plain_tail(s.data(), end);
  return scan::json_string_stop(s.data(), end) == end;
}

// The most bytes a flat member's value takes as JSON (a string to escape: as if each of its
// bytes were escaped, and `escaped` set), or 0 when it is not flat (an array, an object) or is
// a long text to escape.
std::size_t flat_value_size(const Value& v, bool& escaped) {
  switch (v.kind()) {
    case Value::Kind::Null:
      return 4;
    case Value::Kind::Bool:
      return v.as_bool() ? 4 : 5;
    case Value::Kind::Number:
      return v.text().size();
    case Value::Kind::String:
      if (is_plain_json_string(v.text())) return v.text().size() + 2;
      if (v.text().size() > kJsonEscapedInPlace) return 0;  // (in pieces, by append_members)
      escaped = true;
      return kJsonEscapedMost * v.text().size() + 2;
    default:
      return 0;
  }
}

// A flat object whose keys need no escape, as nearly every record is: its size (at most, when a
// value is escaped) is summed first, then its bytes are written in place (an append for each
// key and value was a tenth of a map). False, with nothing written, for any other.
bool append_flat_members(std::string& out, const std::vector<Member>& members) {
  std::size_t size = 2 + members.size() * 4;  // {} and, for each, its comma or '}', "":
  bool escaped = false;
  for (const Member& m : members) {
    std::size_t value = flat_value_size(m.value, escaped);
    if (value == 0 || !is_plain_json_string(m.key)) return false;
    size += m.key.size() + value;
  }
  if (!members.empty()) size -= 1;  // (no comma before the first)
  std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  *p++ = '{';
  for (const Member& m : members) {
    if (&m != members.data()) *p++ = ',';
    *p++ = '"';
    p = put(p, m.key);
    *p++ = '"';
    *p++ = ':';
    const Value& v = m.value;
    switch (v.kind()) {
      case Value::Kind::Null:
        p = put(p, "null");
        break;
      case Value::Kind::Bool:
        p = put(p, v.as_bool() ? "true" : "false");
        break;
      case Value::Kind::String:
        *p++ = '"';
        p = escaped ? put_json_string_body(p, v.text()) : put(p, v.text());
        *p++ = '"';
        break;
      default:
        p = put(p, v.text());
    }
  }
  *p++ = '}';
  if (escaped) out.resize(static_cast<std::size_t>(p - out.data()));
  return true;
}

void append_members(std::string& out, const std::vector<Member>& members) {
  if (append_flat_members(out, members)) return;
  out.push_back('{');
  bool first = true;
  for (const Member& m : members) {
    const char* end = m.key.data() + m.key.size();
    if (scan::json_string_stop(m.key.data(), end) == end) {
      append_plain_json_string(out, first ? 0 : ',', m.key, ':');
    } else {
      if (!first) out.push_back(',');
      append_json_string(out, m.key);
      out.push_back(':');
    }
    first = false;
    append_json(out, m.value);
  }
  out.push_back('}');
}
}  // namespace

void append_json(std::string& out, const Record& r) {
  append_members(out, r.fields());
}

void append_json(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      out += "null";
      break;
    case Value::Kind::Bool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Value::Kind::Number:
      out += v.text();
      break;
    case Value::Kind::String:
      append_json_string(out, v.text());
      break;
    case Value::Kind::Array: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      break;
    }
    case Value::Kind::Object:
      append_members(out, v.members());
      break;
  }
}

std::string to_json(const Value& v) {
  std::string s;
  append_json(s, v);
  return s;
}
std::string to_json(const Record& r) {
  std::string s;
  append_json(s, r);
  return s;
}

std::size_t json_value_end(std::string_view json, std::size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      else
        continue;
      if (!in_string && depth == 0) return i + 1;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (c == ',' && depth == 0) {
      return i;
    }
  }
  return i;
}

}  // namespace etl
