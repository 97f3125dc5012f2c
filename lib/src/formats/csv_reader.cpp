#include "etl/formats/csv_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "../byte_scan.hpp"
#include "etl/error.hpp"
#include "etl/formats/csv_writer.hpp"
#include "etl/utf8.hpp"

namespace etl {

CsvReader::CsvReader(const std::string& path, char delimiter)
    : m_in(std::make_unique<InputStream>(path)), m_name(m_in->name()), m_delim(delimiter) {
  read_header();
}

CsvReader::CsvReader(TextChunk chunk, const std::string& name, char delimiter,
                     const std::vector<std::string>* header)
    : m_name(name), m_delim(delimiter), m_buf(std::move(chunk.bytes)), m_line(chunk.first_line) {
  if (header)
    m_header = *header;
  else
    read_header();
}

void CsvReader::read_header() {
  // A byte-order mark goes before the header is parsed, so a quoted first name is unquoted.
  if (peek() == 0xEF && m_buf.compare(m_pos, 3, "\xEF\xBB\xBF") == 0) m_pos += 3;
  if (!read_row()) return;  // an empty file has no header and no records
  m_header = m_fields;
  for (std::size_t i = 0; i < m_header.size(); ++i) {
    const std::string& h = m_header[i];
    if (!is_valid_utf8(h)) throw DataError(fmt::format("{}:1: invalid UTF-8 in header", m_name));
    // Two columns of one name: which one a record's field holds would be a guess.
    for (std::size_t j = 0; j < i; ++j)
      if (m_header[j] == h)
        throw DataError(fmt::format("{}:1: the header names column '{}' twice (columns {} and {})",
                                    m_name, h, j + 1, i + 1));
  }
}

int CsvReader::refill() {
  if (!m_in) return -1;
  m_buf.resize(1 << 17);
  m_buf.resize(m_in->read(m_buf.data(), m_buf.size()));
  m_pos = 0;
  if (m_buf.empty()) return -1;
  return static_cast<unsigned char>(m_buf[m_pos]);
}

int CsvReader::get() {
  int c = peek();
  if (c >= 0) {
    ++m_pos;
    if (c == '\n') ++m_line;  // (a lone CR is counted where a row or a blank line ends)
  }
  return c;
}

bool CsvReader::read_row() {
  // Skip blank lines between rows.
  for (;;) {
    int c = peek();
    if (c < 0) return false;
    if (c != '\n' && c != '\r') break;
    get();
    if (c == '\r' && peek() != '\n') ++m_line;
  }
  m_row_line = m_line;
  m_row_high = false;
  std::size_t count = 0;  // m_fields keeps its strings between rows to reuse their capacity
  for (;;) {
    if (count == m_fields.size()) m_fields.emplace_back();
    std::string& field = m_fields[count++];
    field.clear();
    int c = peek();
    if (c == '"') {
      get();
      m_row_high = true;  // (not looked at: its field is checked as UTF-8)
      std::uint64_t began = m_line;
      for (;;) {
        if (peek() < 0)
          throw DataError(fmt::format("{}:{}: unterminated quoted field", m_name, began));
        // Copy the run up to the next quote at once, counting the line ends inside it.
        const char* start = m_buf.data() + m_pos;
        const char* end = m_buf.data() + m_buf.size();
        const auto* q = static_cast<const char*>(
            std::memchr(start, '"', static_cast<std::size_t>(end - start)));
        const char* stop = q != nullptr ? q : end;
        field.append(start, stop);
        m_line += scan::count(start, stop, '\n');
        m_pos += static_cast<std::size_t>(stop - start);
        if (q == nullptr) continue;
        get();  // the closing quote, or the first of a doubled one
        if (peek() != '"') break;
        get();
        field.push_back('"');
      }
    }
    // Unquoted part (or bytes after a closing quote, kept as they are), straight from the buffer.
    for (;;) {
      c = peek();
      if (c < 0 || c == m_delim || c == '\n' || c == '\r') break;
      // A quote here is a byte like any other: the scan stops at it and goes on.
      const char* from = m_buf.data() + m_pos;
      const char* stop = m_buf.data() + m_buf.size();
      const char* end = scan::csv_special(from, stop, m_delim, m_row_high);
      while (end < stop && *end == '"') end = scan::csv_special(end + 1, stop, m_delim, m_row_high);
      field.append(from, end);
      m_pos = static_cast<std::size_t>(end - m_buf.data());
    }
    if (c == m_delim) {
      get();
      continue;
    }
    if (c == '\r') {
      get();
      if (peek() == '\n')
        get();
      else
        ++m_line;  // a lone CR ends the line (old Mac files)
    } else if (c == '\n') {
      get();
    }
    m_fields.resize(count);
    return true;
  }
}

bool CsvReader::next(Sourced& out) {
  if (!read_row()) return false;
  out.where.source = m_name;
  out.where.line = m_row_line;
  out.reject_reason.clear();
  out.raw.clear();
  auto& rec = out.record.fields();
  bool same_header = rec.size() == m_header.size();
  for (std::size_t i = 0; same_header && i < rec.size(); ++i)
    same_header = rec[i].key == m_header[i];
  if (!same_header) {
    rec.clear();
    for (const auto& h : m_header) rec.push_back(Member{h, Value()});
  }
  if (m_fields.size() != m_header.size()) {
    out.reject_reason =
        fmt::format("expected {} fields, found {}", m_header.size(), m_fields.size());
    reject_row(out);
    return true;
  }
  // One pass: a field that is not UTF-8 turns the row into a reject, which rebuilds the record.
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (m_row_high && !is_valid_utf8(m_fields[i])) {
      out.reject_reason = fmt::format("invalid UTF-8 in field '{}'", m_header[i]);
      reject_row(out);
      return true;
    }
    rec[i].value.set_string(m_fields[i]);
  }
  return true;
}

// A row that is not a record: raw holds it as read (rewritten as one CSV line), and the record
// the fields that could be read by their position, so a key before a stray delimiter is known.
void CsvReader::reject_row(Sourced& out) {
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (i > 0) out.raw.push_back(m_delim);
    append_csv_field(out.raw, m_fields[i], m_delim);
  }
  auto& rec = out.record.fields();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m_header.size() && i < m_fields.size(); ++i) {
    if (!is_valid_utf8(m_fields[i])) continue;
    rec[kept].key = m_header[i];
    rec[kept++].value.set_string(m_fields[i]);
  }
  rec.resize(kept);
}

}  // namespace etl
