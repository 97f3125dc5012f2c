#include "etl/formats/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "../byte_scan.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/utf8.hpp"

namespace etl {
namespace {

int octal(char c) {
  return c >= '0' && c <= '7' ? c - '0' : -1;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The escape after a backslash at s[i] (i: its first character), appended to out; i moves past
// it. As PostgreSQL reads them: \ooo (one to three octal digits) and \xhh (one or two hex
// digits) are a byte; any other character stands for itself.
void unescape_one(std::string_view s, std::size_t& i, std::string& out) {
  char c = s[i++];
  switch (c) {
    case 'b':
      out.push_back('\b');
      return;
    case 'f':
      out.push_back('\f');
      return;
    case 'n':
      out.push_back('\n');
      return;
    case 'r':
      out.push_back('\r');
      return;
    case 't':
      out.push_back('\t');
      return;
    case 'v':
      out.push_back('\v');
      return;
    case 'x':
      if (i < s.size() && hex(s[i]) >= 0) {
        int v = hex(s[i++]);
        if (i < s.size() && hex(s[i]) >= 0) v = v * 16 + hex(s[i++]);
        out.push_back(static_cast<char>(v));
        return;
      }
      out.push_back('x');
      return;
    default:
      if (octal(c) >= 0) {
        int v = octal(c);
        for (int n = 1; n < 3 && i < s.size() && octal(s[i]) >= 0; ++n) v = v * 8 + octal(s[i++]);
        out.push_back(static_cast<char>(v & 0xff));
        return;
      }
      out.push_back(c);
  }
}

}  // namespace

std::string unescape_text_field(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size();) {
    std::size_t slash = raw.find('\\', i);
    out.append(raw.substr(i, slash == std::string_view::npos ? slash : slash - i));
    if (slash == std::string_view::npos) break;
    if (slash + 1 == raw.size()) return "a backslash ends a field (is the line cut?)";
    i = slash + 1;
    unescape_one(raw, i, out);
  }
  return "";
}

void TextRows::read_header(std::string_view line, const std::string& name) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (std::string why = split_row(line); !why.empty())
    throw DataError(fmt::format("{}:1: header: {}", name, why));
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (m_nulls[i])
      throw DataError(fmt::format("{}:1: column {} of the header is \\N", name, i + 1));
    for (std::size_t j = 0; j < i; ++j)
      if (m_fields[j] == m_fields[i])
        throw DataError(fmt::format("{}:1: the header names column '{}' twice (columns {} and {})",
                                    name, m_fields[i], j + 1, i + 1));
  }
  m_header.assign(m_fields.begin(), m_fields.end());
}

std::string TextRows::split_row(std::string_view line) {
  m_fields.clear();
  m_any_null = false;
  // Checked once a line, not a field, in the usual case: a line with no backslash has no escape
  // and no null, and a field cut (at an ASCII delimiter) from valid UTF-8 is valid.
  const bool has_escapes = std::memchr(line.data(), '\\', line.size()) != nullptr;
  const bool line_valid = is_valid_utf8(line);
  if (!has_escapes && line_valid) {
    split_plain(line);
    m_nulls.assign(m_fields.size(), 0);
    m_escaped.assign(m_fields.size(), 0);
    return "";
  }
  m_nulls.clear();
  m_escaped.clear();
  std::size_t start = 0;
  for (;;) {
    std::size_t end = line.find(m_delim, start);
    std::string_view field = line.substr(start, end == std::string_view::npos ? end : end - start);
    std::size_t n = m_fields.size();
    bool null = field == "\\N";
    bool escaped = has_escapes && !null && field.find('\\') != std::string_view::npos;
    m_nulls.push_back(null);
    m_escaped.push_back(escaped);
    m_any_null |= null;
    if (escaped) {
      if (m_unescaped.size() <= n) m_unescaped.resize(n + 1);
      if (std::string why = unescape_text_field(field, m_unescaped[n]); !why.empty()) return why;
      field = m_unescaped[n];
    }
    if ((!line_valid || escaped) && !null && !is_valid_utf8(field))
      return fmt::format("invalid UTF-8 in field {}", n + 1);
    m_fields.push_back(field);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  // (m_unescaped may have moved as it grew, and views into a short string with it.)
  for (std::size_t i = 0; i < m_fields.size(); ++i)
    if (m_escaped[i]) m_fields[i] = m_unescaped[i];
  return "";
}

// The fields of a line with no escape: views into it, cut at each delimiter.
void TextRows::split_plain(std::string_view line) {
  const char* at = line.data();
  const char* end = at + line.size();
  for (;;) {
    const void* cut = std::memchr(at, m_delim, static_cast<std::size_t>(end - at));
    const char* stop = cut ? static_cast<const char*>(cut) : end;
    m_fields.emplace_back(at, static_cast<std::size_t>(stop - at));
    if (!cut) return;
    at = stop + 1;
  }
}

bool TextRows::read_fields(std::string_view line, Sourced& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // (a file from Windows)
  out.reject_reason.clear();
  out.raw.clear();
  std::string why = split_row(line);
  if (why.empty() && m_fields.size() != m_header.size())
    why = fmt::format("expected {} fields, found {}", m_header.size(), m_fields.size());
  if (why.empty()) return true;
  out.record.clear();
  out.reject_reason = why;
  out.raw.assign(line);
  return false;
}

void TextRows::record_of_row(Sourced& out) const {
  out.record.take_keys(m_header);
  auto& rec = out.record.fields();
  for (std::size_t i = 0; i < m_fields.size(); ++i)
    if (m_nulls[i])
      rec[i].value.set_null();
    else
      rec[i].value.set_string(m_fields[i]);
}

bool TextRows::json_plain() const {
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    const char* end = m_fields[i].data() + m_fields[i].size();
    if (!m_nulls[i] && scan::json_string_stop(m_fields[i].data(), end) != end) return false;
  }
  return true;
}

TextFormatReader::TextFormatReader(const std::string& path, char delimiter,
                                   const std::string& encoding,
                                   const std::vector<std::string>* names)
    : TextRowSource(delimiter), m_in(path, encoding), m_lines(m_in), m_name(m_in.name()) {
  std::string_view line;
  if (names)
    m_rows.set_header(*names);
  else if (m_lines.next(line))
    m_rows.read_header(line, m_name);  // (an empty file has no header)
}

bool TextRowSource::next(Sourced& out) {
  Row row = next_fields(out);
  if (row == Row::Record) m_rows.record_of_row(out);
  return row != Row::End;
}

RowSource::Row TextFormatReader::next_fields(Sourced& out) {
  std::string_view line;
  if (!m_lines.next(line)) return Row::End;
  out.where.source = m_name;
  out.where.line = m_lines.line_number();
  return m_rows.read_fields(line, out) ? Row::Record : Row::Rejected;
}

TextChunkReader::TextChunkReader(TextChunk chunk, const std::string& name, char delimiter,
                                 const std::vector<std::string>& header)
    : TextRowSource(delimiter),
      m_bytes(std::move(chunk.bytes)),
      m_line(chunk.first_line),
      m_name(name) {
  m_rows.set_header(header);
}

RowSource::Row TextChunkReader::next_fields(Sourced& out) {
  std::string_view line;
  if (!next_chunk_line(m_bytes, m_pos, line)) return Row::End;
  out.where.source = m_name;
  out.where.line = m_line++;
  return m_rows.read_fields(line, out) ? Row::Record : Row::Rejected;
}

void append_text_field(std::string& out, std::string_view s, char delimiter) {
  const char* p = s.data();
  const char* end = p + s.size();
  for (;;) {  // (runs with nothing to escape at once: byte by byte was a fifth of a PG load)
    const char* stop = scan::first_of(p, end, '\\', '\n', '\r', delimiter);
    out.append(p, stop);
    if (stop == end) return;
    p = stop + 1;
    switch (char c = *stop) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:  // the delimiter
        if (c == '\t') {
          out += "\\t";
        } else {
          out.push_back('\\');  // (PostgreSQL's escape of another one)
          out.push_back(c);
        }
    }
  }
}

TextFormatWriter::TextFormatWriter(const std::string& path, char delimiter,
                                   std::vector<std::string> columns)
    : m_out(path),
      m_delim(delimiter),
      m_columns(std::move(columns)),
      m_projection(!m_columns.empty()) {
  m_out.write_behind();
}

void TextFormatWriter::write_header() {
  std::string& b = m_out.buffer();
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    append_text_field(b, m_columns[i], m_delim);
  }
  b.push_back('\n');
  m_header_done = true;
}

// Columns as the CSV writer has them: --columns, or the first record's fields, a later record
// with another field rejected rather than lose it. Strings as they are, numbers and booleans as
// their text, arrays and objects as JSON, null (or a missing column) as \N.
WriteResult TextFormatWriter::write(const Sourced& in) {
  const auto& fields = in.record.fields();
  if (m_columns.empty() && !m_header_done)
    for (const auto& m : fields) m_columns.push_back(m.key);
  if (!m_projection)
    for (const auto& m : fields)
      if (std::find(m_columns.begin(), m_columns.end(), m.key) == m_columns.end())
        return {WriteOutcome::Rejected,
                fmt::format("field '{}' is not one of the columns (the first record's; --columns "
                            "chooses them)",
                            m.key)};
  if (!m_header_done) write_header();
  std::string& b = m_out.buffer();
  std::string json;
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    const Value* v = in.record.find(m_columns[i]);
    if (v == nullptr || v->is_null()) {
      b += "\\N";
    } else if (v->kind() == Value::Kind::Bool) {
      b += v->as_bool() ? "true" : "false";
    } else if (v->kind() == Value::Kind::Number || v->kind() == Value::Kind::String) {
      append_text_field(b, v->text(), m_delim);
    } else {
      json.clear();
      append_json(json, *v);
      append_text_field(b, json, m_delim);
    }
  }
  b.push_back('\n');
  m_out.maybe_flush();
  return {};
}

void TextFormatWriter::prepare() {
  if (!m_header_done && !m_columns.empty()) write_header();
  m_out.prepare();
}

void TextFormatWriter::commit() {
  prepare();
  m_out.publish();
}

}  // namespace etl
