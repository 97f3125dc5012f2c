#include "etl/json_writer.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl {

void JsonObject::key(std::string_view k) {
  if (m_out.size() > 1) m_out.push_back(',');
  append_json_string(m_out, k);
  m_out.push_back(':');
}

JsonObject& JsonObject::add(std::string_view k, std::string_view text) {
  key(k);
  append_json_string(m_out, text);
  return *this;
}

JsonObject& JsonObject::add(std::string_view k, bool b) {
  return add_raw(k, b ? "true" : "false");
}

JsonObject& JsonObject::add_seconds(std::string_view k, double seconds) {
  return add_raw(k, fmt::format("{:.3f}", seconds));
}

JsonObject& JsonObject::add_strings(std::string_view k, const std::vector<std::string>& items) {
  key(k);
  m_out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) m_out.push_back(',');
    append_json_string(m_out, items[i]);
  }
  m_out.push_back(']');
  return *this;
}

JsonObject& JsonObject::add_raw(std::string_view k, std::string_view json) {
  key(k);
  m_out += json;
  return *this;
}

std::string json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

}  // namespace etl
