#include "etl/formats/json_document.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

// RFC 6901: "/data/items", with ~1 for '/' and ~0 for '~'.
Value* resolve_pointer(Value& doc, const std::string& pointer, const std::string& name) {
  Value* cur = &doc;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    if (pointer[pos] != '/')
      throw UsageError(fmt::format("--records-path '{}' must start with '/'", pointer));
    std::size_t end = pointer.find('/', pos + 1);
    if (end == std::string::npos) end = pointer.size();
    std::string token = pointer.substr(pos + 1, end - pos - 1);
    for (std::size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
    for (std::size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
    Value* next = nullptr;
    if (cur->kind() == Value::Kind::Object) {
      for (auto& m : cur->members())
        if (m.key == token) next = &m.value;
    } else if (cur->kind() == Value::Kind::Array && !token.empty() &&
               token.find_first_not_of("0123456789") == std::string::npos) {
      std::size_t idx = std::stoul(token);
      if (idx < cur->items().size()) next = &cur->items()[idx];
    }
    if (next == nullptr)
      throw DataError(fmt::format("{}: records path '{}' not found", name, pointer));
    cur = next;
    pos = end;
  }
  return cur;
}

}  // namespace

JsonDocumentReader::JsonDocumentReader(const std::string& path, const std::string& records_path) {
  InputStream in(path);
  m_name = in.name();
  std::string text;
  char buf[1 << 16];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;) text.append(buf, n);
  if (auto err = parse_json(text, m_doc))
    throw DataError(fmt::format("{}:{}:{}: {}", m_name, err->line, err->column, err->message));
  Value* records = resolve_pointer(m_doc, records_path, m_name);
  if (records->kind() != Value::Kind::Array)
    throw DataError(fmt::format("{}: records path '{}' is not an array (use --records-path)",
                                m_name, records_path.empty() ? "/" : records_path));
  m_items = &records->items();
}

bool JsonDocumentReader::next(Sourced& out) {
  if (m_index >= m_items->size()) return false;
  Value& item = (*m_items)[m_index++];
  out.where.source = m_name;
  out.where.line = 0;
  out.where.detail = fmt::format("record {}", m_index);
  out.reject_reason.clear();
  out.raw.clear();
  if (item.kind() != Value::Kind::Object) {
    out.record.clear();
    out.reject_reason = "not a JSON object";
    out.raw = to_json(item);
    return true;
  }
  out.record.fields() = std::move(item.members());
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

void JsonArrayWriter::commit() {
  m_out.buffer() += m_first ? "[]\n" : "\n]\n";
  m_out.commit();
}

}  // namespace etl
