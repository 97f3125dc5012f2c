#pragma once
// The value an expression evaluates to. Field values are borrowed from the record (a number keeps
// its exact text until arithmetic needs it); computed values are owned.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "etl/decimal.hpp"
#include "etl/value.hpp"

namespace date {
class time_zone;
}

namespace etl::mapping {

// A record-level failure: the record is rejected with this message as the reason.
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An instant, and the zone it is shown in: a named IANA zone, or a fixed UTC offset.
struct TimeValue {
  std::int64_t micros = 0;  // since 1970-01-01T00:00:00Z
  const date::time_zone* zone = nullptr;
  std::int32_t offset_seconds = 0;  // used when zone is null
};

class Datum {
 public:
  enum class Type : std::uint8_t { Null, Bool, Number, String, Time, Json };

  Datum() = default;
  static Datum boolean(bool b);
  static Datum number(const Decimal& d);
  static Datum string(std::string s);
  static Datum time(const TimeValue& t);
  static Datum json(Value v);  // owned array or object
  // Borrows v (which must outlive the datum); objects and arrays become Json.
  static Datum borrow(const Value& v);
  // Borrows v, a part of an owned value that the datum keeps alive.
  static Datum borrow_within(const Value& v, std::shared_ptr<const Value> keep);
  const std::shared_ptr<const Value>& keeper() const { return m_json; }

  Type type() const { return m_type; }
  bool is_null() const { return m_type == Type::Null; }
  bool as_bool() const { return m_bool; }
  std::string_view text() const { return m_ref ? std::string_view(m_ref->text()) : m_str; }
  // Number → Decimal; throws EvalError when the literal does not fit a decimal.
  Decimal decimal() const;
  const TimeValue& time_value() const { return m_time; }
  // The array or object of a Json datum.
  const Value& json_value() const { return m_ref ? *m_ref : *m_json; }

  // Writes the datum into v, reusing v's storage; exact text for numbers read from input.
  void store(Value& v) const;
  Value to_value() const;
  // For error messages: "string 'abc'", "number 5", "null".
  std::string describe() const;

 private:
  Type m_type = Type::Null;
  bool m_bool = false;
  const Value* m_ref = nullptr;
  Decimal m_dec;
  std::string m_str;
  TimeValue m_time;
  std::shared_ptr<const Value> m_json;
};

const char* type_name(Datum::Type t);
bool datums_equal(const Datum& a, const Datum& b);
// <0, 0, >0; throws EvalError when the types cannot be ordered.
int compare_datums(const Datum& a, const Datum& b, std::string_view op);
// Appends the datum as string() writes it: a number's exact text, true/false, RFC 3339 for an
// instant, JSON for arrays and objects; nothing for null.
void append_text(std::string& out, const Datum& d);
// RFC 3339 text of an instant in its zone: 2024-03-01T09:00:00+01:00, Z for UTC.
std::string format_rfc3339(const TimeValue& t);

}  // namespace etl::mapping
