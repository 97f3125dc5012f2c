#include "etl/value.hpp"

#include "etl/bytes.hpp"

namespace etl {

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

Value Value::boolean(bool b) {
  Value v;
  v.m_kind = Kind::Bool;
  v.m_bool = b;
  return v;
}
Value Value::number(std::string_view text) {
  Value v;
  v.set_number(text);
  return v;
}
Value Value::string(std::string_view text) {
  Value v;
  v.set_string(text);
  return v;
}
Value Value::array() {
  Value v;
  v.m_kind = Kind::Array;
  return v;
}
Value Value::object() {
  Value v;
  v.m_kind = Kind::Object;
  return v;
}

void Value::set_null() {
  if (m_kind == Kind::Array || m_kind == Kind::Object) *this = Value();
  m_kind = Kind::Null;
  m_text.clear();
}

void Value::set_bool(bool b) {
  if (m_kind == Kind::Array || m_kind == Kind::Object) *this = Value();
  m_kind = Kind::Bool;
  m_bool = b;
  m_text.clear();
}

bool Value::operator==(const Value& o) const {
  if (m_kind != o.m_kind) return false;
  switch (m_kind) {
    case Kind::Null:
      return true;
    case Kind::Bool:
      return m_bool == o.m_bool;
    case Kind::Number:
    case Kind::String:
      return m_text == o.m_text;
    case Kind::Array:
      return m_items == o.m_items;
    case Kind::Object:
      return m_members == o.m_members;
  }
  return false;
}

const Value* Record::find(std::string_view key) const {
  std::size_t place = 0;
  return find_from_start(key, place);
}
const Value* Record::find_from_start(std::string_view key, std::size_t& hint) const {
  for (std::size_t i = 0; i < m_fields.size(); ++i)
    if (same_bytes(m_fields[i].key, key)) {
      hint = i;
      return &m_fields[i].value;
    }
  return nullptr;
}
Value* Record::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Record*>(this)->find(key));
}
void Record::set(std::string_view key, Value value) {
  if (Value* v = find(key)) {
    *v = std::move(value);
    return;
  }
  m_fields.push_back(Member{std::string(key), std::move(value)});
}

bool Record::has_keys(const std::vector<std::string>& keys) const {
  if (m_fields.size() != keys.size()) return false;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (m_fields[i].key != keys[i]) return false;
  return true;
}

void Record::take_keys(const std::vector<std::string>& keys) {
  if (has_keys(keys)) return;
  m_fields.clear();
  for (const auto& k : keys) m_fields.push_back(Member{k, Value()});
}

std::size_t json_number_length(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return 0;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return 0;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return 0;
  }
  return i;
}

bool is_json_number(std::string_view s) {
  std::size_t n = json_number_length(s);
  return n > 0 && n == s.size();
}

}  // namespace etl
