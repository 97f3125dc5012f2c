#include "etl/json_row.hpp"

#include <cstring>
#include <numeric>
#include <utility>

#include "byte_scan.hpp"
#include "etl/bytes.hpp"
#include "etl/json.hpp"

namespace etl {

JsonRowWriter::JsonRowWriter(const std::vector<std::string>& names, std::vector<std::size_t> fields,
                             bool object)
    : m_fields(std::move(fields)) {
  for (const auto& name : names) {
    std::string& prefix = m_prefixes.emplace_back(m_prefixes.empty() ? "" : "\",");
    if (object && prefix.empty()) prefix = "{";
    append_json_string(prefix, name);
    prefix.append(":\"");
  }
  if (names.empty())
    m_end = object ? "{}" : "";
  else
    m_end = object ? "\"}" : "\"";
  m_fixed = m_end.size();
  for (const auto& prefix : m_prefixes) m_fixed += prefix.size();
}

std::vector<std::size_t> JsonRowWriter::all_fields(std::size_t count) {
  std::vector<std::size_t> fields(count);
  std::iota(fields.begin(), fields.end(), 0);
  return fields;
}

void JsonRowWriter::append(const std::vector<std::string_view>& values, bool json_plain,
                           std::string& out) const {
  // Most rows need no escape: then their size is known, and they are copied in at once. (A row
  // that may need one goes field by field: looking for the first that does first cost more.)
  if (!json_plain) return append_escaped(values, out);
  std::size_t size = m_fixed;
  for (std::size_t f : m_fields) size += values[f].size();
  std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  // (locals: a store through char* may be to any object, so members would be read again after
  // each copy)
  const std::size_t* fields = m_fields.data();
  const std::string* prefixes = m_prefixes.data();
  const std::string_view* row = values.data();
  for (std::size_t k = 0, n = m_fields.size(); k < n; ++k) {
    std::string_view prefix = prefixes[k];
    copy_bytes(p, prefix.data(), prefix.size());
    p += prefix.size();
    std::string_view v = row[fields[k]];
    copy_bytes(p, v.data(), v.size());
    p += v.size();
  }
  copy_bytes(p, m_end.data(), m_end.size());
}

void JsonRowWriter::append_escaped(const std::vector<std::string_view>& values,
                                   std::string& out) const {
  // (sized for the most the escapes can take, then cut to what they took; a row of long text in
  // pieces)
  std::size_t text = 0;
  for (std::size_t f : m_fields) text += values[f].size();
  if (text > kJsonEscapedInPlace) {
    for (std::size_t k = 0; k < m_fields.size(); ++k) {
      out.append(m_prefixes[k]);
      append_json_string_body(out, values[m_fields[k]]);
    }
    out.append(m_end);
    return;
  }
  std::size_t most = m_fixed + kJsonEscapedMost * text;
  std::size_t at = out.size();
  out.resize(at + most);
  char* p = out.data() + at;
  for (std::size_t k = 0; k < m_fields.size(); ++k) {
    copy_bytes(p, m_prefixes[k].data(), m_prefixes[k].size());
    p = put_json_string_body(p + m_prefixes[k].size(), values[m_fields[k]]);
  }
  copy_bytes(p, m_end.data(), m_end.size());
  out.resize(static_cast<std::size_t>(p + m_end.size() - out.data()));
}

}  // namespace etl
