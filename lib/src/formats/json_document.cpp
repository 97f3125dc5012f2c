#include "etl/formats/json_document.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {

JsonDocumentReader::JsonDocumentReader(const std::string& path, const std::string& records_path,
                                       const std::string& encoding)
    : m_in(path, encoding),
      m_json(m_in),
      m_name(m_in.name()),
      m_walker(m_json, records_path,
               [this](JsonRecordWalker::Problem problem, const std::string& message) {
                 if (problem == JsonRecordWalker::Problem::NotRecords)
                   throw DataError(fmt::format("{}: {}", m_name, message));
                 fail(message);
               }) {
  start_document();
}

void JsonDocumentReader::fail(const std::string& message) const {
  throw DataError(fmt::format("{}:{}:{}: {}", m_name, m_json.line(), m_json.column(), message));
}

// Opens the next document at its records array; false at the end of input after a document.
bool JsonDocumentReader::start_document() {
  m_json.skip_whitespace();
  if (m_documents > 0) {
    if (m_json.at_end()) return false;
    char c = m_json.Peek();
    if (c != '{' && c != '[')
      fail(fmt::format("unexpected '{}' after the end of the JSON document", c));
  }
  ++m_documents;
  m_walker.start();
  m_in_array = true;
  return true;
}

bool JsonDocumentReader::next(Sourced& out) {
  while (!m_in_array || !m_walker.next(m_item)) {
    if (!m_in_array) return false;
    m_in_array = false;
    if (!start_document()) return false;
  }
  ++m_index;
  out.where.source = m_name;
  out.where.line = 0;
  out.where.detail = fmt::format("record {}", m_index);
  out.reject_reason.clear();
  out.raw.clear();
  if (m_item.kind() != Value::Kind::Object) {
    out.record.clear();
    out.reject_reason = "not a JSON object";
    out.raw = to_json(m_item);
    return true;
  }
  out.record.fields() = std::move(m_item.members());
  m_item.members().clear();
  return true;
}

WriteResult JsonArrayWriter::write(const Sourced& in) {
  std::string& b = m_out.buffer();
  b += m_first ? "[\n" : ",\n";
  m_first = false;
  append_json(b, in.record);
  m_out.maybe_flush();
  return {};
}

void JsonArrayWriter::prepare() {
  if (m_closed) return;
  m_closed = true;
  m_out.buffer() += m_first ? "[]\n" : "\n]\n";
  m_out.prepare();
}

void JsonArrayWriter::commit() {
  prepare();
  m_out.publish();
}

}  // namespace etl
