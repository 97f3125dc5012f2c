#pragma once
// A record is a JSON object. Numbers keep their exact decimal text (19.990 stays 19.990).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "etl/bytes.hpp"

namespace etl {

struct Member;

class Value {
 public:
  enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };

  Value();
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;

  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value number(std::string_view text);  // text must be a JSON number literal
  static Value string(std::string_view text);
  static Value array();
  static Value object();

  Kind kind() const { return m_kind; }
  bool is_null() const { return m_kind == Kind::Null; }
  bool as_bool() const { return m_bool; }
  // The number's literal text, or the string's bytes.
  const std::string& text() const { return m_text; }
  std::vector<Value>& items() { return m_items; }
  const std::vector<Value>& items() const { return m_items; }
  std::vector<Member>& members() { return m_members; }
  const std::vector<Member>& members() const { return m_members; }

  // In-place setters that reuse the string's capacity (hot path of the readers).
  void set_string(std::string_view text) { set_text(Kind::String, text); }
  void set_number(std::string_view text) { set_text(Kind::Number, text); }
  void set_null();
  void set_bool(bool b);

  bool operator==(const Value& other) const;

 private:
  // Inline: the readers set every field of every record through it.
  void set_text(Kind kind, std::string_view text) {
    if (m_kind == Kind::Array || m_kind == Kind::Object) *this = Value();
    m_kind = kind;
    assign_bytes(m_text, text);
  }

  Kind m_kind = Kind::Null;
  bool m_bool = false;
  std::string m_text;
  std::vector<Value> m_items;
  std::vector<Member> m_members;
};

struct Member {
  std::string key;
  Value value;
  bool operator==(const Member& o) const { return key == o.key && value == o.value; }
};

// An insertion-ordered JSON object: field order survives a round trip.
class Record {
 public:
  std::vector<Member>& fields() { return m_fields; }
  const std::vector<Member>& fields() const { return m_fields; }
  std::size_t size() const { return m_fields.size(); }
  bool empty() const { return m_fields.empty(); }
  void clear() { m_fields.clear(); }

  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // find, looking first at the place `hint` (updated to where key was found): records of one
  // shape hold a field at the same place, and an expression reads it once a record.
  const Value* find(std::string_view key, std::size_t& hint) const {
    if (hint < m_fields.size() && same_bytes(m_fields[hint].key, key)) return &m_fields[hint].value;
    return find_from_start(key, hint);
  }
  // Sets key to value, appending the key when absent.
  void set(std::string_view key, Value value);
  // Makes the fields `keys`, in order: kept (values and all) when they are already, else
  // rebuilt with null values. A reader filling one record a row pays for its keys once.
  void take_keys(const std::vector<std::string>& keys);
  // Whether the fields are `keys`, in order.
  bool has_keys(const std::vector<std::string>& keys) const;

  bool operator==(const Record& o) const { return m_fields == o.m_fields; }

 private:
  const Value* find_from_start(std::string_view key, std::size_t& hint) const;

  std::vector<Member> m_fields;
};

// True when text is a JSON number literal (RFC 8259 grammar).
bool is_json_number(std::string_view text);
// The length of the JSON number literal at the start of text, or 0 when none starts there.
std::size_t json_number_length(std::string_view text);

}  // namespace etl
