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
  if (scan::csv_special(s.data(), s.data() + s.size(), delimiter) == s.data() + s.size()) return 0;
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

void append_csv_field(std::string& out, std::string_view s, char delimiter) {
  std::size_t quoted = quoted_size(s, delimiter);
  if (quoted == 0) {
    out.append(s);
    return;
  }
  std::size_t at = out.size();
  out.resize(at + quoted);
  write_quoted(out.data() + at, s);
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
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    const Value* v = in_order ? &fields[i].value : record.find(m_columns[i]);
    if (v == nullptr) continue;
    switch (v->kind()) {
      case Value::Kind::Null:
        break;
      case Value::Kind::Bool:
        b += v->as_bool() ? "true" : "false";
        break;
      case Value::Kind::Number:
        b += v->text();
        break;
      case Value::Kind::String:
        append_csv_field(b, v->text(), m_delim);
        break;
      default: {
        std::string json;
        append_json(json, *v);
        append_csv_field(b, json, m_delim);
      }
    }
  }
  b.push_back('\n');
  return true;
}

namespace {
// Rows whose names are all columns: each column's value is the row's at a place known at once.
class CsvFieldsEncoder : public RowEncoder {
 public:
  CsvFieldsEncoder(std::vector<int> place, std::size_t names, char delimiter)
      : m_place(std::move(place)), m_names(names), m_delim(delimiter) {}
  bool encode(const std::vector<std::string_view>& values, bool, std::string& b,
              std::string& reason) override {
    if (values.size() != m_names) {  // (a reader's reject: never a guess)
      reason = "a row of " + std::to_string(values.size()) + " fields under " +
               std::to_string(m_names) + " names";
      return false;
    }
    for (std::size_t i = 0; i < m_place.size(); ++i) {
      if (i > 0) b.push_back(m_delim);
      if (m_place[i] >= 0)
        append_csv_field(b, values[static_cast<std::size_t>(m_place[i])], m_delim);
    }
    b.push_back('\n');
    return true;
  }

 private:
  std::vector<int> m_place;  // column i's value is values[m_place[i]], or empty when -1
  std::size_t m_names;       // the row's fields
  char m_delim;
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
  return std::make_unique<CsvFieldsEncoder>(std::move(place), names.size(), m_delim);
}

void CsvRowEncoder::header(std::string& b) const {
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (i > 0) b.push_back(m_delim);
    append_csv_field(b, m_columns[i], m_delim);
  }
  b.push_back('\n');
}

CsvWriter::CsvWriter(const std::string& path, char delimiter, std::vector<std::string> columns)
    : m_out(path), m_delim(delimiter) {
  m_out.write_behind();
  for (std::size_t i = 0; i < columns.size(); ++i)  // (a CSV reader refuses such a header)
    if (std::find(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(i), columns[i]) !=
        columns.begin() + static_cast<std::ptrdiff_t>(i))
      throw UsageError(fmt::format("--columns names '{}' twice", columns[i]));
  if (!columns.empty())
    m_encoder = std::make_shared<const CsvRowEncoder>(std::move(columns), delimiter, true);
}

void CsvWriter::write_header() {
  m_encoder->header(m_out.buffer());
  m_header_done = true;
}

WriteResult CsvWriter::write(const Sourced& in) {
  if (!m_encoder) {
    std::vector<std::string> columns;
    for (const auto& m : in.record.fields()) columns.push_back(m.key);
    m_encoder = std::make_shared<const CsvRowEncoder>(std::move(columns), m_delim, false);
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

void CsvWriter::prepare() {
  if (!m_header_done && m_encoder) write_header();
  m_out.prepare();
}

void CsvWriter::commit() {
  prepare();
  m_out.publish();
}

}  // namespace etl
