#include "etl/formats/csv_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "../byte_scan.hpp"
#include "etl/bytes.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {

namespace {
// A field's quotes, when it needs them: its size quoted (each '"' doubled), or 0 when it needs
// none.
std::size_t quoted_size(std::string_view s, char delimiter) {
  if (!scan::csv_needs_quotes(s.data(), s.data() + s.size(), delimiter)) return 0;
  return s.size() + 2 + static_cast<std::size_t>(std::count(s.begin(), s.end(), '"'));
}

// Writes s quoted at p (room for quoted_size), its quotes doubled; returns the end.
char* write_quoted(char* p, std::string_view s) {
  *p++ = '"';
  for (const char *from = s.data(), *end = from + s.size();;) {
    const auto* q =
        static_cast<const char*>(std::memchr(from, '"', static_cast<std::size_t>(end - from)));
    const char* stop = q ? q + 1 : end;  // a quote goes with its run, then once more
    std::memcpy(p, from, static_cast<std::size_t>(stop - from));
    p += stop - from;
    if (!q) break;
    *p++ = '"';
    from = stop;
  }
  *p++ = '"';
  return p;
}
}  // namespace

namespace {
// Ends a CSV row begun at `start`. A row with nothing in it (one column, its value empty) is
// written `""`: as a blank line, readers skip it (Arrow's and pandas' defaults, Python's
// DictReader), and the record would be lost. Under --null '' the blank line is the null (as
// PostgreSQL's COPY writes it; an empty string was quoted already) and stays.
void end_csv_row(std::string& b, std::size_t start, const std::optional<std::string>& null_text) {
  if (b.size() == start && !(null_text && null_text->empty())) b += "\"\"";
  b.push_back('\n');
}
}  // namespace

namespace {
// s as it is, or, with its size quoted (quoted_size), in quotes.
void put_field(std::string& out, std::string_view s, std::size_t quoted) {
  if (quoted == 0) {
    out.append(s);
    return;
  }
  std::size_t at = out.size();
  out.resize(at + quoted);
  write_quoted(out.data() + at, s);
}
}  // namespace

void append_csv_field(std::string& out, std::string_view s, char delimiter,
                      const std::optional<std::string>& null_text) {
  std::size_t quoted = quoted_size(s, delimiter);
  if (quoted == 0 && null_text && s == *null_text) quoted = s.size() + 2;  // (it has no quote)
  put_field(out, s, quoted);
}

// --columns names the columns to write (a projection, as Miller's cut): other fields are left
// out. Without it the first record's fields are the columns, and a later record with another
// field is rejected rather than lose it.
bool CsvRowEncoder::encode(const Record& record, std::string& b, std::string& reason) const {
  const auto& fields = record.fields();
  // Fast path: the record's fields are exactly the columns, in order (then none is another).
  bool in_order = fields.size() == m_columns.size();
  for (std::size_t i = 0; in_order && i < fields.size(); ++i)
    in_order = same_bytes(fields[i].key, m_columns[i]);
  if (!m_projection && !in_order)
    for (const auto& m : fields)
      if (std::find(m_columns.begin(), m_columns.end(), m.key) == m_columns.end()) {
        reason = fmt::format(
            "field '{}' is not one of the CSV columns (the first record's; --columns chooses them)",
            m.key);
        return false;
      }
  if (in_order && append_sized(fields, b)) return true;
  std::size_t start = b.size();
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    append_value(b, in_order ? &fields[i].value : record.find(m_columns[i]));
  }
  end_csv_row(b, start, m_null);
  return true;
}

// How a field is written, when it is not JSON text: its text and, when that needs quotes, its
// size quoted (else 0). v null or missing (a --columns column the record lacks) is the null
// text; a value that reads as the null text is quoted, so that it does not. False for an array
// or an object.
bool CsvRowEncoder::field_text(const Value* v, std::string_view& text, std::size_t& quoted) const {
  quoted = 0;
  switch (v ? v->kind() : Value::Kind::Null) {
    case Value::Kind::Null:
      text = m_null ? std::string_view(*m_null) : std::string_view();
      return true;
    case Value::Kind::Bool:  // (these need quotes only when they are the null text)
      text = v->as_bool() ? "true" : "false";
      break;
    case Value::Kind::Number:
      text = v->text();
      break;
    case Value::Kind::String:
      text = v->text();
      quoted = quoted_size(text, m_delim);
      break;
    default:
      return false;
  }
  if (quoted == 0 && m_null && text == *m_null) quoted = text.size() + 2;
  return true;
}

// The row of fields that are the columns, in order, sized first and then written in one piece
// (field by field, an append for each, it was a third of NDJSON to CSV). False, with nothing
// written, for a row too wide, with an array or object in it, or with nothing in it.
bool CsvRowEncoder::append_sized(const std::vector<Member>& fields, std::string& b) const {
  constexpr std::size_t kMost = 64;
  std::size_t n = fields.size();
  if (n > kMost) return false;
  // (not string_views: those are zeroed when made, and a row's 64 were a seventh of this)
  const char* data[kMost];
  std::size_t size[kMost];
  std::size_t quoted[kMost];
  std::size_t total = n > 0 ? n - 1 : 0, nulls = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view text;
    if (!field_text(&fields[i].value, text, quoted[i])) return false;
    nulls += fields[i].value.is_null() && !m_null;
    data[i] = text.data();
    size[i] = text.size();
    total += quoted[i] ? quoted[i] : text.size();
  }
  if (total == 0 && !(m_null && m_null->empty())) return false;  // (end_csv_row's `""`)
  std::size_t at = b.size();
  b.resize(at + total + 1);
  char* p = b.data() + at;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) *p++ = m_delim;
    if (quoted[i]) {
      p = write_quoted(p, std::string_view(data[i], size[i]));
    } else {
      copy_bytes(p, data[i], size[i]);
      p += size[i];
    }
  }
  *p = '\n';
  if (nulls) m_nulls_as_empty.fetch_add(nulls, std::memory_order_relaxed);
  return true;
}

// One field. Only nulls are counted as written empty: a column the input never had says so
// itself.
void CsvRowEncoder::append_value(std::string& b, const Value* v) const {
  std::string_view text;
  std::size_t quoted = 0;
  if (!field_text(v, text, quoted)) {
    std::string json;
    append_json(json, *v);
    return append_csv_field(b, json, m_delim, m_null);
  }
  if (v && v->is_null() && !m_null) m_nulls_as_empty.fetch_add(1, std::memory_order_relaxed);
  put_field(b, text, quoted);
}

namespace {
// Rows whose names are all columns: each column's value is the row's at a place known at once.
class CsvFieldsEncoder : public RowEncoder {
 public:
  CsvFieldsEncoder(std::vector<int> place, std::size_t names, char delimiter,
                   std::optional<std::string> null_text)
      : m_place(std::move(place)),
        m_names(names),
        m_delim(delimiter),
        m_null(std::move(null_text)) {}
  bool encode(const std::vector<std::string_view>& values, bool, std::string& b,
              std::string& reason) override {
    if (values.size() != m_names) {  // (a reader's reject: never a guess)
      reason = "a row of " + std::to_string(values.size()) + " fields under " +
               std::to_string(m_names) + " names";
      return false;
    }
    std::size_t start = b.size();
    for (std::size_t i = 0; i < m_place.size(); ++i) {
      if (i > 0) b.push_back(m_delim);
      if (m_place[i] >= 0)
        append_csv_field(b, values[static_cast<std::size_t>(m_place[i])], m_delim, m_null);
      else if (m_null)
        b += *m_null;  // a column the rows lack
    }
    end_csv_row(b, start, m_null);
    return true;
  }

 private:
  std::vector<int> m_place;  // column i's value is values[m_place[i]], or empty when -1
  std::size_t m_names;       // the row's fields
  char m_delim;
  std::optional<std::string> m_null;  // (rows read with a null in them come as records)
};
}  // namespace

std::unique_ptr<RowEncoder> CsvRowEncoder::row_encoder(
    const std::vector<std::string>& names) const {
  std::vector<int> place(m_columns.size(), -1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto at = std::find(m_columns.begin(), m_columns.end(), names[i]);
    if (at == m_columns.end()) {
      if (m_projection) continue;
      return nullptr;  // every row would be refused: records say so
    }
    place[static_cast<std::size_t>(at - m_columns.begin())] = static_cast<int>(i);
  }
  return std::make_unique<CsvFieldsEncoder>(std::move(place), names.size(), m_delim, m_null);
}

void CsvRowEncoder::header(std::string& b) const {
  std::size_t start = b.size();
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    append_csv_field(b, m_columns[i], m_delim);
  }
  end_csv_row(b, start, std::nullopt);
}

CsvWriter::CsvWriter(const std::string& path, char delimiter, std::vector<std::string> columns,
                     std::optional<std::string> null_text)
    : m_path(path), m_out(path), m_delim(delimiter), m_null(std::move(null_text)) {
  m_out.write_behind();
  for (std::size_t i = 0; i < columns.size(); ++i)  // (a CSV reader refuses such a header)
    if (std::find(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(i), columns[i]) !=
        columns.begin() + static_cast<std::ptrdiff_t>(i))
      throw UsageError(fmt::format("--columns names '{}' twice", columns[i]));
  if (!columns.empty())
    m_encoder = std::make_shared<const CsvRowEncoder>(std::move(columns), delimiter, true, m_null);
}

void CsvWriter::write_header() {
  m_encoder->header(m_out.buffer());
  m_header_done = true;
}

WriteResult CsvWriter::write(const Sourced& in) {
  if (!m_encoder) {
    std::vector<std::string> columns;
    for (const auto& m : in.record.fields()) columns.push_back(m.key);
    m_encoder = std::make_shared<const CsvRowEncoder>(std::move(columns), m_delim, false, m_null);
  }
  if (!m_header_done) write_header();
  std::string reason;
  if (!m_encoder->encode(in.record, m_out.buffer(), reason))
    return {WriteOutcome::Rejected, reason};
  m_out.maybe_flush();
  return {};
}

WriteResult CsvWriter::write_encoded(const Sourced&, std::string_view bytes) {
  if (!m_header_done) write_header();
  m_out.buffer().append(bytes);
  m_out.maybe_flush();
  return {};
}

WriteResult CsvWriter::write_encoded_taking(const Sourced&, std::string& bytes) {
  if (!m_header_done) write_header();
  m_out.write_taking(bytes);
  return {};
}

void CsvWriter::prepare() {
  if (!m_header_done && m_encoder) write_header();
  m_out.prepare();
}

void CsvWriter::commit() {
  prepare();
  m_out.publish();
}

}  // namespace etl

namespace etl {

std::vector<std::string> CsvWriter::notes() const {
  std::uint64_t n = m_encoder ? m_encoder->nulls_as_empty() : 0;
  if (n == 0) return {};
  return {fmt::format(
      "{}: {} null{} written as empty fields, as an empty string is (--null '' writes an empty "
      "string as \"\" so that a reader tells them apart; --null NULL writes NULL)",
      m_path == "-" ? "stdout" : m_path, n, n == 1 ? "" : "s")};
}

}  // namespace etl
