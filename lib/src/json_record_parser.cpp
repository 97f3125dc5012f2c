// The fast path of NDJSON reading: a hand-written parser for the records that nearly every line
// is (valid UTF-8, shallow, no duplicate keys), which gives up on anything else and lets the full
// RapidJSON parser decide, so that what is accepted, the values and every error message are the
// full parser's. Keys are checked for repeats only when they differ from the last record's.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "byte_scan.hpp"
#include "etl/bytes.hpp"
#include "etl/json.hpp"
#include "etl/utf8.hpp"

namespace etl {
namespace {

// Deeper than this the fast path gives up; the full parser has the real limit (kMaxJsonDepth).
constexpr unsigned kFastDepth = 64;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class FastParser {
 public:
  FastParser(std::string_view text, std::string& scratch, Value& skipped)
      : m_p(text.data()),
        m_end(text.data() + text.size()),
        m_scratch(scratch),
        m_skipped(skipped) {}

  // Parses the object into out; keys_same tells whether its keys equal known (in order).
  // quoted[i] is known[i] in its quotes and then ':', as compact text holds it when it has nothing
  // to escape (else empty): a key that is those bytes is taken without a scan.
  // With wanted_at, the fields whose place in known is not wanted are checked and left out; then
  // a record whose keys are not known's is not read (false, with keys_same false).
  bool record(Record& out, const std::vector<std::string>& known,
              const std::vector<std::string>& quoted, bool& keys_same,
              const std::vector<char>* wanted_at = nullptr) {
    skip_space();
    if (!take('{')) return false;
    auto& fields = out.fields();
    // (sizes kept here: a vector's is a division, for each field of each record)
    const std::size_t known_count = known.size();
    std::size_t n = 0, kept = 0, held = fields.size();
    const char* wanted = wanted_at ? wanted_at->data() : nullptr;
    keys_same = true;
    skip_space();
    if (!take('}')) {
      for (;;) {
        std::string_view key;
        if (keys_same && n < known_count && at_text(quoted[n])) {
          key = known[n];
          m_p += quoted[n].size();
          skip_space();
        } else {
          if (!key_colon(key)) return false;
          if (keys_same && (n >= known_count || !same_bytes(known[n], key))) keys_same = false;
        }
        if (wanted && !keys_same) return false;
        if (!wanted || wanted[n]) {
          if (kept < held) {
            // (a record read into again mostly holds this key here already)
            std::string& known_here = fields[kept].key;
            if (!same_bytes(known_here, key)) known_here.assign(key);
          } else {
            fields.push_back(Member{std::string(key), Value()});
            ++held;
          }
          if (!string_or_value(fields[kept++].value)) return false;
        } else if (!skip_value()) {
          return false;
        }
        ++n;
        if (!after_member('}')) return false;
        if (m_closed) break;
      }
    }
    if (kept < held) fields.resize(kept);
    if (n != known_count) keys_same = false;
    skip_space();
    return m_p == m_end;
  }

 private:
  void skip_space() {
    while (m_p < m_end && is_space(*m_p)) ++m_p;
  }
  // One compare for nearly every byte (compact JSON has no space): only bytes up to ' ' are more.
  static bool is_space(char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= ' ' && (u == ' ' || u == '\t' || u == '\n' || u == '\r');
  }
  bool take(char c) {
    if (m_p == m_end || *m_p != c) return false;
    ++m_p;
    return true;
  }
  // After a member or item: ',' goes on, `close` ends the container (m_closed).
  bool after_member(char close) {
    if (m_p < m_end && *m_p == ',') {  // (compact JSON)
      ++m_p;
      m_closed = false;
      return true;
    }
    skip_space();
    m_closed = take(close);
    return m_closed || take(',');
  }
  bool key_colon(std::string_view& key) {
    skip_space();
    return string(key) && colon();
  }
  bool colon() {
    skip_space();
    if (!take(':')) return false;
    skip_space();
    return true;
  }
  // Whether the text at m_p starts with these bytes (never, when they are empty).
  bool at_text(std::string_view bytes) const {
    return !bytes.empty() && static_cast<std::size_t>(m_end - m_p) >= bytes.size() &&
           same_bytes(std::string_view(m_p, bytes.size()), bytes);
  }

  // A string at m_p: a view into the text, or into m_scratch when it had escapes.
  // Its bytes are checked as UTF-8 only when one of them is not ASCII; as escapes decode to
  // whole characters, text valid between the quotes is valid decoded.
  // (Inline, with escapes out of line: most strings have none, and a call for each was a tenth
  // of reading a record.)
  [[gnu::always_inline]] bool string(std::string_view& out) {
    if (!take('"')) return false;
    const char* start = m_p;
    bool high = false;
    m_p = stop(m_p, high);
    if (m_p < m_end && *m_p == '"') {
      out = std::string_view(start, static_cast<std::size_t>(m_p - start));
      ++m_p;
      return !high || is_valid_utf8(out);
    }
    return escaped_string(start, high, out);
  }

  // The rest of a string from start, at its first backslash or control byte (m_p).
  [[gnu::noinline]] bool escaped_string(const char* start, bool high, std::string_view& out) {
    m_scratch.assign(start, m_p);
    while (m_p < m_end && *m_p == '\\') {
      if (!escape()) return false;
      const char* plain = m_p;
      m_p = stop(m_p, high);
      m_scratch.append(plain, static_cast<std::size_t>(m_p - plain));
    }
    const char* close = m_p;
    if (!take('"')) return false;  // a control byte or the end: the full parser says which
    if (high && !is_valid_utf8(std::string_view(start, static_cast<std::size_t>(close - start))))
      return false;
    out = m_scratch;
    return true;
  }

  // The first '"', '\\' or control byte from p; high is set when a byte >= 0x80 goes by.
  const char* stop(const char* p, bool& high) const {
#if defined(__SSE2__)
    for (unsigned highs; p + 16 <= m_end; p += 16) {
      unsigned hits = scan::hits16(p, '"', '\\', '"', '"', true, highs);
      if (hits) {
        high = high || (highs & ((hits & (~hits + 1)) - 1)) != 0;  // the bytes before the hit
        return p + __builtin_ctz(hits);
      }
      high = high || highs != 0;
    }
#endif
    std::uint64_t seen = 0;
    for (; p + 8 <= m_end; p += 8) {
      std::uint64_t w = scan::load(p);
      std::uint64_t hits = scan::equal(w, '"') | scan::equal(w, '\\') | scan::control(w);
      if (hits) {
        seen |= w & scan::kHighs & ((hits & (~hits + 1)) - 1);  // the bytes before the hit
        high = high || seen != 0;
        return scan::at_first(p, hits);
      }
      seen |= w & scan::kHighs;
    }
    while (p < m_end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
      seen |= static_cast<unsigned char>(*p++) & 0x80;
    high = high || seen != 0;
    return p;
  }

  bool escape() {
    ++m_p;  // the backslash
    if (m_p == m_end) return false;
    char c = *m_p++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        m_scratch.push_back(c);
        return true;
      case 'b':
        m_scratch.push_back('\b');
        return true;
      case 'f':
        m_scratch.push_back('\f');
        return true;
      case 'n':
        m_scratch.push_back('\n');
        return true;
      case 'r':
        m_scratch.push_back('\r');
        return true;
      case 't':
        m_scratch.push_back('\t');
        return true;
      case 'u':
        return unicode_escape();
      default:
        return false;
    }
  }

  // \uXXXX, a surrogate pair as two; a lone surrogate goes to the full parser.
  bool unicode_escape() {
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (!take('\\') || !take('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(m_scratch, cp);
    return true;
  }
  bool hex4(std::uint32_t& cp) {
    if (m_end - m_p < 4) return false;
    for (int i = 0; i < 4; ++i) {
      int d = hex_digit(*m_p++);
      if (d < 0) return false;
      cp = cp * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() ||
        std::memcmp(m_p, word.data(), word.size()) != 0)
      return false;
    m_p += word.size();
    return true;
  }

  // A value left out of the record, checked as value() checks it.
  bool skip_value() {
    std::string_view text;
    if (m_p != m_end && *m_p == '"') return string(text);
    return value(m_skipped, 0);
  }

  // A member's value: a string (most are) read here, inline; any other by value().
  [[gnu::always_inline]] bool string_or_value(Value& v) {
    if (m_p == m_end || *m_p != '"') return value(v, 0);
    std::string_view text;
    if (!string(text)) return false;
    v.set_string(text);
    return true;
  }

  bool value(Value& v, unsigned depth) {
    if (m_p == m_end) return false;
    std::string_view text;
    switch (*m_p) {
      case '"':
        if (!string(text)) return false;
        v.set_string(text);
        return true;
      case '{':
        return object(v, depth + 1);
      case '[':
        return array(v, depth + 1);
      case 't':
        return literal("true") && (v.set_bool(true), true);
      case 'f':
        return literal("false") && (v.set_bool(false), true);
      case 'n':
        return literal("null") && (v.set_null(), true);
      default: {
        // The grammar only: what follows is checked by the container (",", "}", "]").
        std::size_t n =
            json_number_length(std::string_view(m_p, static_cast<std::size_t>(m_end - m_p)));
        if (n == 0) return false;
        v.set_number(std::string_view(m_p, n));
        m_p += n;
        return true;
      }
    }
  }

  bool object(Value& v, unsigned depth) {
    if (depth > kFastDepth) return false;
    ++m_p;
    v = Value::object();
    auto& members = v.members();
    skip_space();
    if (take('}')) return true;
    for (;;) {
      std::string_view key;
      if (!key_colon(key)) return false;
      members.push_back(Member{std::string(key), Value()});
      if (!value(members.back().value, depth)) return false;
      if (!after_member('}')) return false;
      if (m_closed) break;
    }
    return repeated_key(members) == nullptr;
  }

  bool array(Value& v, unsigned depth) {
    if (depth > kFastDepth) return false;
    ++m_p;
    v = Value::array();
    auto& items = v.items();
    skip_space();
    if (take(']')) return true;
    for (;;) {
      skip_space();
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      if (!after_member(']')) return false;
      if (m_closed) return true;
    }
  }

  const char* m_p;
  const char* m_end;
  std::string& m_scratch;
  Value& m_skipped;
  bool m_closed = false;
};

// key in quotes, then ':', when compact JSON text holds it so (no quote, backslash or control
// byte in it), else "".
std::string quoted_as_is(const std::string& key) {
  for (char c : key)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return {};
  return '"' + key + "\":";
}

}  // namespace

std::optional<JsonParseError> JsonRecordParser::parse(std::string_view text, Record& out,
                                                      bool& not_object) {
  not_object = false;
  bool keys_same = false;
  if (!m_wanted_at.empty()) {  // a projection, for the keys known: a record of them is read fast
    FastParser fast(text, m_scratch, m_skipped);
    if (fast.record(out, m_keys, m_quoted_keys, keys_same, &m_wanted_at) && keys_same)
      return std::nullopt;
  }
  {  // (bytes that are not ASCII outside strings are not JSON: the full parser says so)
    FastParser fast(text, m_scratch, m_skipped);
    if (fast.record(out, m_keys, m_quoted_keys, keys_same)) {
      if (keys_same) return std::nullopt;
      if (repeated_key(out.fields()) == nullptr) {
        m_keys.resize(out.size());
        m_quoted_keys.resize(out.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
          m_keys[i].assign(out.fields()[i].key);
          m_quoted_keys[i] = quoted_as_is(m_keys[i]);
        }
        m_wanted_at.clear();
        if (!m_projection.empty())
          for (const auto& key : m_keys)
            m_wanted_at.push_back(std::find(m_projection.begin(), m_projection.end(), key) !=
                                  m_projection.end());
        return std::nullopt;
      }
    }
  }
  m_keys.clear();
  m_quoted_keys.clear();
  m_wanted_at.clear();
  return parse_json_record(text, out, not_object);
}

}  // namespace etl
