#include "etl/formats/ndjson.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl {

NdjsonReader::NdjsonReader(const std::string& path)
    : m_in(path), m_lines(m_in), m_name(m_in.name()) {}

bool NdjsonReader::next(Sourced& out) {
  std::string_view line;
  for (;;) {
    if (!m_lines.next(line)) return false;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) break;  // blank lines skipped
  }
  out.where.source = m_name;
  out.where.line = m_lines.line_number();
  out.reject_reason.clear();
  out.raw.clear();
  bool not_object = false;
  auto err = parse_json_record(line, out.record, not_object);
  if (!err) return true;
  if (not_object) {
    out.reject_reason = "not a JSON object";
  } else {
    out.reject_reason = fmt::format("invalid JSON at column {}: {}", err->column, err->message);
  }
  out.record.clear();
  out.raw.assign(line);
  return true;
}

WriteResult NdjsonWriter::write(const Sourced& in) {
  std::string& b = m_out.buffer();
  append_json(b, in.record);
  b.push_back('\n');
  m_out.maybe_flush();
  return {};
}

}  // namespace etl
