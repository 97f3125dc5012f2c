#include "etl/formats/csv_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "../byte_scan.hpp"
#include "etl/error.hpp"
#include "etl/formats/csv_writer.hpp"
#include "etl/utf8.hpp"

namespace etl {

// Text that is not UTF-8 is most often a Windows or Excel export: where to look.
constexpr const char* kOtherEncoding =
    "is the file in another encoding? --encoding cp1252, latin1 or utf-16 reads it";

CsvReader::CsvReader(const std::string& path, char delimiter, const std::string& encoding,
                     const std::vector<std::string>* names)
    : m_in(std::make_unique<InputStream>(path, encoding)),
      m_name(m_in->name()),
      m_delim(delimiter) {
  if (names)
    m_header = *names;
  else
    read_header();
}

CsvReader::CsvReader(TextChunk chunk, const std::string& name, char delimiter,
                     const std::vector<std::string>* header)
    : m_name(name),
      m_delim(delimiter),
      m_buf(std::move(chunk.bytes)),
      m_end(m_buf.size()),
      m_line(chunk.first_line) {
  if (header)
    m_header = *header;
  else
    read_header();
}

void CsvReader::read_header() {
  // A byte-order mark goes before the header is parsed, so a quoted first name is unquoted.
  if (peek() == 0xEF && std::string_view(m_buf.data(), m_end).substr(m_pos, 3) == "\xEF\xBB\xBF")
    m_pos += 3;
  if (!read_row()) return;  // an empty file has no header and no records
  if (m_text_after_quote >= 0)
    throw DataError(fmt::format("{}:1: column {} of the header has text after its closing quote",
                                m_name, m_text_after_quote + 1));
  m_header.assign(m_views.begin(), m_views.end());
  for (std::size_t i = 0; i < m_header.size(); ++i) {
    const std::string& h = m_header[i];
    if (!is_valid_utf8(h))
      throw DataError(fmt::format("{}:1: invalid UTF-8 in header ({})", m_name, kOtherEncoding));
    // Two columns of one name: which one a record's field holds would be a guess.
    for (std::size_t j = 0; j < i; ++j)
      if (m_header[j] == h)
        throw DataError(fmt::format("{}:1: the header names column '{}' twice (columns {} and {})",
                                    m_name, h, j + 1, i + 1));
  }
}

std::string CsvReader::delimiter_hint(const std::vector<std::string>& header, char delimiter) {
  if (header.size() != 1) return "";
  for (char other : {';', '\t', '|', ','}) {
    if (other == delimiter) continue;
    auto cuts = std::count(header[0].begin(), header[0].end(), other);
    if (cuts == 0) continue;
    std::string option = other == '\t' ? "tab" : "'" + std::string(1, other) + "'";
    return fmt::format(
        "the header is one column, '{}', which {} would cut into {}: if that is the file's "
        "delimiter, say --delimiter {}",
        header[0], other == '\t' ? "a tab" : option, cuts + 1, option);
  }
  return "";
}

std::vector<std::string> CsvReader::notes_of(const std::string& name,
                                             const std::vector<std::string>& header, char delimiter,
                                             std::uint64_t backslash_nulls) {
  std::vector<std::string> out;
  if (std::string hint = delimiter_hint(header, delimiter); !hint.empty())
    out.push_back(fmt::format("{}: {}", name, hint));
  if (std::uint64_t n = backslash_nulls; n > 0)
    out.push_back(fmt::format(
        "{}: {} field{} {} \\N, the text MySQL and PostgreSQL write for a null, read as the "
        "string \\N: --null '\\N' reads {} as null",
        name, n, n == 1 ? "" : "s", n == 1 ? "is" : "are", n == 1 ? "it" : "them"));
  return out;
}

std::vector<std::string> CsvReader::notes() const {
  return notes_of(m_name, m_header, m_delim, m_backslash_nulls);
}

// (rows with a backslash only: m_json_plain is false for them)
void CsvReader::count_backslash_nulls() {
  for (std::string_view f : m_views)
    if (f == "\\N") ++m_backslash_nulls;
}

int CsvReader::refill() {
  if (!m_in) return -1;
  // The row being read stays, at the front, so that its fields are one run of bytes each. The
  // buffer keeps its size (resizing it for each read would zero what the read overwrites).
  std::size_t kept = m_end - m_row_start;
  std::memmove(m_buf.data(), m_buf.data() + m_row_start, kept);
  m_pos -= m_row_start;
  m_row_start = 0;
  constexpr std::size_t kReadAtLeast = std::size_t{1} << 17;
  if (m_buf.size() < kept + kReadAtLeast) m_buf.resize(kept + kReadAtLeast);
  m_end = kept + m_in->read(m_buf.data() + kept, m_buf.size() - kept);
  if (m_pos == m_end) return -1;
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

std::string_view CsvReader::view(const FieldRef& f) const {
  if (f.owned >= 0) return m_owned[static_cast<std::size_t>(f.owned)];
  return std::string_view(m_buf).substr(m_row_start + f.begin, f.size);
}

// The field's text from here on is rebuilt rather than a run of the buffer.
void CsvReader::own(FieldRef& f) {
  if (f.owned >= 0) return;
  if (m_owned_used == m_owned.size()) m_owned.emplace_back();
  m_owned[m_owned_used].assign(view(f));
  f.owned = static_cast<int>(m_owned_used++);
}

// A quoted field, from its opening quote to its closing one.
void CsvReader::read_quoted(FieldRef& f) {
  get();
  m_row_high = true;  // (not looked at: its field is checked as UTF-8)
  std::uint64_t began = m_line;
  f.begin = m_pos - m_row_start;
  for (;;) {
    if (peek() < 0) throw DataError(fmt::format("{}:{}: unterminated quoted field", m_name, began));
    // Take the run up to the next quote at once, counting the line ends inside it.
    const char* start = m_buf.data() + m_pos;
    const char* end = m_buf.data() + m_end;
    const auto* q =
        static_cast<const char*>(std::memchr(start, '"', static_cast<std::size_t>(end - start)));
    const char* stop = q != nullptr ? q : end;
    if (f.owned >= 0)
      m_owned[static_cast<std::size_t>(f.owned)].append(start, stop);
    else
      f.size += static_cast<std::size_t>(stop - start);
    m_line += scan::count(start, stop, '\n');
    m_pos += static_cast<std::size_t>(stop - start);
    if (q == nullptr) continue;
    get();  // the closing quote, or the first of a doubled one
    if (peek() != '"') return;
    get();
    own(f);
    m_owned[static_cast<std::size_t>(f.owned)].push_back('"');
  }
}

bool CsvReader::read_row() {
  // Skip blank lines between rows; but under a header of one column a blank line is a row, its
  // one value empty (as PostgreSQL's COPY and Arrow's ignore_empty_lines=false read it): the
  // empty values of a one-column export must not vanish.
  bool blank = false;
  for (;;) {
    m_row_start = m_pos;
    int c = peek();
    if (c < 0) return false;
    if (c != '\n' && c != '\r') break;
    if (m_header.size() == 1) {
      blank = true;
      break;
    }
    get();
    if (c == '\r' && peek() != '\n') ++m_line;
  }
  m_row_start = m_pos;
  m_row_line = m_line;
  m_row_high = false;
  m_text_after_quote = -1;
  m_nrefs = 0;
  m_owned_used = 0;
  if (m_fast_rows && !blank && read_plain_row()) return true;
  m_json_plain = false;  // (not looked at)
  m_high_from = 0;
  m_high_to = SIZE_MAX;
  for (;;) {
    FieldRef& f = add_ref();
    f.begin = m_pos - m_row_start;
    int c = peek();
    bool quoted = c == '"';
    if (quoted) read_quoted(f);
    // Unquoted part (or bytes after a closing quote, kept as they are), straight from the buffer.
    for (;;) {
      c = peek();
      if (c < 0 || c == m_delim || c == '\n' || c == '\r') break;
      // A quote here is a byte like any other: the scan stops at it and goes on.
      const char* from = m_buf.data() + m_pos;
      const char* stop = m_buf.data() + m_end;
      const char* end = scan::csv_special(from, stop, m_delim, m_row_high);
      while (end < stop && *end == '"') end = scan::csv_special(end + 1, stop, m_delim, m_row_high);
      if (quoted) {  // (the closing quote lies between)
        own(f);
        if (m_text_after_quote < 0) m_text_after_quote = static_cast<int>(m_nrefs - 1);
      }
      if (f.owned >= 0)
        m_owned[static_cast<std::size_t>(f.owned)].append(from, end);
      else
        f.size += static_cast<std::size_t>(end - from);
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
    make_views();
    return true;
  }
}

// (no refill can come now: the views stay good until the next row is read)
void CsvReader::make_views() {
  if (m_views.size() != m_nrefs) m_views.resize(m_nrefs);
  // (locals: the stores of the views would otherwise make every member be read again)
  const char* row = m_buf.data() + m_row_start;
  const FieldRef* refs = m_refs.data();
  std::string_view* views = m_views.data();
  for (std::size_t i = 0, n = m_nrefs; i < n; ++i)
    views[i] = refs[i].owned >= 0
                   ? std::string_view(m_owned[static_cast<std::size_t>(refs[i].owned)])
                   : std::string_view(row + refs[i].begin, refs[i].size);
}

void CsvReader::start(Sourced& out) const {
  out.where.source = m_name;
  out.where.line = m_row_line;
  out.reject_reason.clear();
  out.raw.clear();
}

// A row that is not a record (a count of fields not the header's, a field that is not UTF-8)
// becomes the reject in out.
bool CsvReader::check_row(Sourced& out) {
  if (m_views.size() != m_header.size()) {
    start(out);
    out.reject_reason =
        fmt::format("expected {} fields, found {}", m_header.size(), m_views.size());
    reject_row(out);
    return false;
  }
  if (m_text_after_quote >= 0) {
    reject_text_after_quote(out);
    return false;
  }
  if (!m_null && !m_json_plain) count_backslash_nulls();
  // As delimiters and quotes are ASCII, the row is valid UTF-8 just when each field is: one
  // check of the row, and of its fields only to name the one that is not.
  std::string_view row = std::string_view(m_buf).substr(m_row_start, m_pos - m_row_start);
  if (!m_row_high || is_valid_utf8(row.substr(m_high_from, m_high_to - m_high_from))) return true;
  for (std::size_t i = 0; i < m_views.size(); ++i)
    if (!is_valid_utf8(m_views[i])) {
      start(out);
      out.reject_reason =
          fmt::format("invalid UTF-8 in field '{}' ({})", m_header[i], kOtherEncoding);
      reject_row(out);
      return false;
    }
  return true;
}

CsvReader::Row CsvReader::next_fields(Sourced& out) {
  if (!read_row()) return Row::End;
  return check_row(out) ? Row::Record : Row::Rejected;
}

bool CsvReader::next(Sourced& out) {
  if (!read_row()) return false;
  if (check_row(out)) record_of_row(out);
  return true;
}

void CsvReader::record_of_row(Sourced& out) {
  start(out);
  out.record.take_keys(m_header);
  auto& rec = out.record.fields();
  for (std::size_t i = 0; i < m_views.size(); ++i)
    if (m_null && is_null(i))
      rec[i].value.set_null();
    else
      rec[i].value.set_string(m_views[i]);
}

// A quoted field's text begins after its opening quote, or was rebuilt (a doubled quote: not in
// the row); an unquoted one's begins after a delimiter, or the row.
bool CsvReader::is_null(std::size_t i) const {
  if (!m_null || m_views[i] != *m_null) return false;
  auto at = reinterpret_cast<std::uintptr_t>(m_views[i].data());
  auto row = reinterpret_cast<std::uintptr_t>(m_buf.data() + m_row_start);
  bool in_row = at >= row && at <= row + (m_pos - m_row_start);
  bool quoted = !in_row || (at > row && m_views[i].data()[-1] == '"');
  return !quoted;
}

bool CsvReader::row_has_null() const {
  if (!m_null) return false;
  for (std::size_t i = 0; i < m_views.size(); ++i)
    if (is_null(i)) return true;
  return false;
}

// A field of text after its closing quote ("x"y) is no CSV field: the quotes would vanish. Its
// row is kept as it was written, not as its fields would be written again.
void CsvReader::reject_text_after_quote(Sourced& out) {
  start(out);
  auto field = static_cast<std::size_t>(m_text_after_quote);
  out.reject_reason = fmt::format(
      "field '{}' has text after its closing quote: a quote opens a field only at its start, and "
      "one in the field is doubled (\"\")",
      field < m_header.size() ? m_header[field] : std::to_string(field + 1));
  reject_row(out);
  std::string_view row = std::string_view(m_buf).substr(m_row_start, m_pos - m_row_start);
  while (!row.empty() && (row.back() == '\n' || row.back() == '\r')) row.remove_suffix(1);
  out.raw.assign(row);
}

// A row that is not a record: raw holds it as read (rewritten as one CSV line), and the record
// the fields that could be read by their position, so a key before a stray delimiter is known.
void CsvReader::reject_row(Sourced& out) {
  for (std::size_t i = 0; i < m_views.size(); ++i) {
    if (i > 0) out.raw.push_back(m_delim);
    append_csv_field(out.raw, m_views[i], m_delim);
  }
  auto& rec = out.record.fields();
  rec.clear();
  for (std::size_t i = 0; i < m_header.size() && i < m_views.size(); ++i) {
    if (!is_valid_utf8(m_views[i])) continue;
    rec.push_back(Member{m_header[i], is_null(i) ? Value() : Value::string(m_views[i])});
  }
}

}  // namespace etl
